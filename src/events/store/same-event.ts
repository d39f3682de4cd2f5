/** Whether a retried append carries the very event already stored under its id. */
import type { StoredEvent } from "../catalogue/index.js";
import { canonicalJson, DuplicateIdMismatch } from "../catalogue/index.js";
import type { EventRow } from "../integrity/index.js";
import { storedFromRow } from "./stored-event.js";

/** The new event as append prepared it, before it is stored. */
export interface PreparedEvent {
  body: { type: string; version: number; payload: unknown };
  ts: number;
  causation: string | null;
  correlation: string | null;
}

/** What a stored event and a stored row share with a prepared one: everything but the payload. */
type Envelope = Pick<
  StoredEvent,
  "stream" | "session" | "type" | "version" | "ts" | "causation" | "correlation"
>;

function sameEnvelope(stored: Envelope, stream: string, session: string, p: PreparedEvent): boolean {
  return (
    stored.stream === stream &&
    stored.session === session &&
    stored.type === p.body.type &&
    stored.version === p.body.version &&
    stored.ts === p.ts &&
    stored.causation === p.causation &&
    stored.correlation === p.correlation
  );
}

/** True when `stored` and the new body are the same event (payloads compared canonically). */
export function sameEvent(stored: StoredEvent, stream: string, session: string, p: PreparedEvent): boolean {
  return (
    sameEnvelope(stored, stream, session, p) &&
    canonicalJson(stored.payload) === canonicalJson(p.body.payload)
  );
}

/**
 * The retried event as already stored, when the row holds exactly the text this append would
 * write (`payloadText`, its zod output serialised: the same text is the same payload): a replay
 * rerun or a file imported twice then costs a string comparison per event instead of a schema
 * parse of the row and two canonical texts. Undefined when anything differs: the caller then
 * compares canonically (`sameEvent`), which also accepts a row written with another key order or
 * an older version of the type.
 */
function storedIfSameRow(
  row: EventRow,
  stream: string,
  session: string,
  p: PreparedEvent & { payloadText: string },
): StoredEvent | undefined {
  if (row.payload !== p.payloadText || !sameEnvelope(row as Envelope, stream, session, p)) return undefined;
  return { ...row, type: p.body.type, payload: p.body.payload } as StoredEvent;
}

/**
 * What a retried append returns for an id already in the journal (`row`, read by that id): the
 * event as stored, when it is the same event; DuplicateIdMismatch when the id holds another one.
 */
export function retriedEvent(
  location: string,
  row: EventRow | undefined,
  stream: string,
  session: string,
  p: PreparedEvent & { id: string; payloadText: string },
): StoredEvent {
  const identical = row && storedIfSameRow(row, stream, session, p);
  if (identical) return identical;
  const stored = row && storedFromRow(location, row);
  if (!stored || !sameEvent(stored, stream, session, p)) throw new DuplicateIdMismatch(p.id);
  return stored;
}
