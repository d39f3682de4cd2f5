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
  return columnsHash(prevHash, hashedColumns(row));
}

/** A row's hashed fields in the table's column order (what raw reads return, less the hash). */
export function hashedColumns(row: HashedRow): HashedColumns {
  const { seq, id, stream, session, pos, type, version, ts, causation, correlation, payload } = row;
  return [seq, id, stream, session, pos, type, version, ts, causation, correlation, payload];
}

/** `rowHash` of a row read as columns (the verifier's reads build no object per row). */
export function columnsHash(prevHash: string, c: Readonly<EventColumns> | Readonly<HashedColumns>): string {
  // crypto.hash (Node >= 20.12) is the one-shot form: about twice as fast as createHash per row.
  return hash(
    "sha256",
    `${prevHash}\u0000${c[0]}\u0000${c[1]}\u0000${c[2]}\u0000${c[3]}\u0000${c[4]}\u0000${c[5]}\u0000${c[6]}\u0000${c[7]}\u0000${c[8] ?? ""}\u0000${c[9] ?? ""}\u0000${c[10]}`,
    "hex",
  );
}

/** The hashed columns alone (no hash). */
export type HashedColumns = [...Head<EventColumns>];
type Head<T extends unknown[]> = T extends [...infer H, unknown] ? H : never;
