/**
 * The hash chain: each row's hash is SHA-256 over the previous row's hash and this row's
 * canonical form, so `verify` finds the first row that was changed, removed or inserted.
 */
import { hash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

/** The columns a hash covers, exactly as stored (payload is the stored JSON text). */
export interface HashedRow {
  seq: number;
  id: string;
  stream: string;
  session: string;
  pos: number;
  type: string;
  version: number;
  ts: number;
  causation: string | null;
  correlation: string | null;
  payload: string;
}

/** One row of the events table, as better-sqlite3 returns it: the hashed columns and the hash. */
export interface EventRow extends HashedRow {
  hash: string;
}

/** A row as SQLite's raw mode reads it: the events table's columns in order, the hash last. */
export type EventColumns = [
  seq: number,
  id: string,
  stream: string,
  session: string,
  pos: number,
  type: string,
  version: number,
  ts: number,
  causation: string | null,
  correlation: string | null,
  payload: string,
  hash: string,
];

/** Hex SHA-256 of `prevHash` followed by the row's fields, NUL-separated. */
export function rowHash(prevHash: string, row: HashedRow): string {
  // Field by field, not through `hashedColumns`: an append hashes every row it writes, and the
  // array was one more allocation per row for the collector.
  const { seq, id, stream, session, pos, type, version, ts, causation, correlation, payload } = row;
  return fieldsHash(
    prevHash,
    seq,
    id,
    stream,
    session,
    pos,
    type,
    version,
    ts,
    causation,
    correlation,
    payload,
  );
}

/** A row's hashed fields in the table's column order (what raw reads return, less the hash). */
export function hashedColumns(row: HashedRow): HashedColumns {
  const { seq, id, stream, session, pos, type, version, ts, causation, correlation, payload } = row;
  return [seq, id, stream, session, pos, type, version, ts, causation, correlation, payload];
}

/** `rowHash` of a row read as columns (the verifier's reads build no object per row). */
export function columnsHash(prevHash: string, c: Readonly<EventColumns> | Readonly<HashedColumns>): string {
  return fieldsHash(prevHash, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10]);
}

/** The hash itself, over the fields in the table's column order, NUL-separated (null as empty). */
function fieldsHash(
  prevHash: string,
  seq: number,
  id: string,
  stream: string,
  session: string,
  pos: number,
  type: string,
  version: number,
  ts: number,
  causation: string | null,
  correlation: string | null,
  payload: string,
): string {
  // crypto.hash (Node >= 20.12) is the one-shot form: about twice as fast as createHash per row.
  return hash(
    "sha256",
    `${prevHash}\u0000${seq}\u0000${id}\u0000${stream}\u0000${session}\u0000${pos}\u0000${type}\u0000${version}\u0000${ts}\u0000${causation ?? ""}\u0000${correlation ?? ""}\u0000${payload}`,
    "hex",
  );
}

/** The hashed columns alone (no hash). */
export type HashedColumns = [...Head<EventColumns>];
type Head<T extends unknown[]> = T extends [...infer H, unknown] ? H : never;
