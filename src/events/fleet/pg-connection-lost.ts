/**
 * A PostgreSQL connection that went away under a statement (a network drop, a server restart, a
 * terminated backend) fails in several shapes, depending on where the client was when it noticed:
 * a socket error (`write EPIPE`, `ECONNRESET`), the server's own notice (SQLSTATE class 08, or
 * 57P01–57P03 when it shut the session down), pg's "Connection terminated unexpectedly", or —
 * when the next statement of the transaction is sent after the socket failed — pg's "Client has
 * encountered a connection error and is not queryable".
 * They all mean the same to a shipper: the open transaction is gone, nothing of it was committed,
 * and running again resumes exactly once.
 */
import { JournalError } from "../catalogue/index.js";

const SOCKET_CODES = new Set([
  "EPIPE",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const SERVER_SHUTDOWN = new Set(["57P01", "57P02", "57P03"]);

/** Whether `error` says the connection itself was lost (not that a statement failed). */
export function isConnectionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === "string" &&
    (SOCKET_CODES.has(code) || SERVER_SHUTDOWN.has(code) || code.startsWith("08"))
  )
    return true;
  return /connection terminated|connection (?:was )?closed|server closed the connection|encountered a connection error/i.test(
    error.message,
  );
}

/** A shipment whose batch was rolled back because the connection was lost; everything before it stayed. */
export class ShipInterrupted extends JournalError {
  constructor(location: string, fromSeq: number, toSeq: number, cause: Error) {
    super(
      "SHIP_INTERRUPTED",
      `ShipInterrupted: the connection to ${location} was lost while storing seq ${fromSeq}..${toSeq} (${cause.message}): that batch was rolled back and every batch before it is stored — run ship again, it resumes from the central journal's head exactly once`,
    );
  }
}
