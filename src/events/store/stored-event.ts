/**
 * A stored row becomes a `StoredEvent`: one object built straight from the columns, the payload
 * parsed once and validated (and upcast) on the way.
 */
import type { StoredEvent } from "../catalogue/index.js";
import { JournalUnavailable, parsePayload } from "../catalogue/index.js";
import type { EventRow, HashedRow } from "../integrity/index.js";
import { type EventColumns, hashedColumns } from "../integrity/index.js";

/** The event of a row read as an object (`SELECT *`). */
export function storedFromRow(location: string, row: EventRow): StoredEvent {
  return storedFromColumns(location, [...hashedColumns(row), row.hash]);
}

/** The event of a row read as an array of columns (the read path's raw statements). */
export function storedFromColumns(location: string, c: Readonly<EventColumns>): StoredEvent {
  const [seq, id, stream, session, pos, type, version, ts, causation, correlation, payloadText, hash] = c;
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch {
    throw new JournalUnavailable(location, `payload at seq ${seq} is not JSON; run \`journal verify\``);
  }
  const parsed = parsePayload(type, version, json, `at seq ${seq}`);
  return {
    seq,
    id,
    stream,
    session,
    pos,
    type,
    version: parsed.version,
    ts,
    causation,
    correlation,
    payload: parsed.payload,
    hash,
  } as StoredEvent;
}

/** The event a row just written stores: its columns, the payload it was written from, its hash. */
export function storedFromWritten(row: HashedRow, payload: unknown, hash: string): StoredEvent {
  return {
    seq: row.seq,
    id: row.id,
    stream: row.stream,
    session: row.session,
    pos: row.pos,
    type: row.type,
    version: row.version,
    ts: row.ts,
    causation: row.causation,
    correlation: row.correlation,
    payload,
    hash,
  } as StoredEvent;
}
