/**
 * The shapes a lost PostgreSQL connection takes, each as the client raises it, against errors
 * that are a statement's own (which must keep their message: a bad row is not a network drop).
 */
import { describe, expect, it } from "vitest";
import { isConnectionLost, ShipInterrupted } from "../../src/events/fleet/pg-connection-lost.js";

const withCode = (message: string, code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe("a lost connection", () => {
  it("is recognised however the client noticed it", () => {
    expect(isConnectionLost(withCode("write EPIPE", "EPIPE", { syscall: "write" }))).toBe(true);
    expect(isConnectionLost(withCode("read ECONNRESET", "ECONNRESET", { syscall: "read" }))).toBe(true);
    expect(isConnectionLost(withCode("terminating connection due to administrator command", "57P01"))).toBe(
      true,
    );
    expect(isConnectionLost(withCode("connection failure", "08006"))).toBe(true);
    expect(isConnectionLost(new Error("Connection terminated unexpectedly"))).toBe(true);
    // The next statement on a client whose socket already failed (a race with the drop).
    expect(
      isConnectionLost(new Error("Client has encountered a connection error and is not queryable")),
    ).toBe(true);
  });

  it("is not a statement's own failure", () => {
    expect(isConnectionLost(withCode("duplicate key value violates unique constraint", "23505"))).toBe(false);
    expect(isConnectionLost(withCode("permission denied for table events", "42501"))).toBe(false);
    expect(isConnectionLost(new Error("hash chain broken at seq 12"))).toBe(false);
    expect(isConnectionLost("EPIPE")).toBe(false);
  });

  it("tells the user what was rolled back and what to do", () => {
    const error = new ShipInterrupted("postgres://ship@db/fleet", 1001, 1500, new Error("write EPIPE"));
    expect(error.code).toBe("SHIP_INTERRUPTED");
    expect(error.message).toBe(
      "ShipInterrupted: the connection to postgres://ship@db/fleet was lost while storing seq 1001..1500 (write EPIPE): that batch was rolled back and every batch before it is stored — run ship again, it resumes from the central journal's head exactly once",
    );
  });
});
