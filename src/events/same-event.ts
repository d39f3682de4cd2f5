/** Whether a retried append carries the very event already stored under its id. */
import { canonicalJson } from "./canonical-json.js";
import type { StoredEvent } from "./envelope.js";

/** True when `stored` and the new body are the same event (payloads compared canonically). */
export function sameEvent(
  stored: StoredEvent,
  stream: string,
  session: string,
  p: {
    body: { type: string; version: number; payload: unknown };
    ts: number;
    causation: string | null;
    correlation: string | null;
  },
): boolean {
  return (
    stored.stream === stream &&
    stored.session === session &&
    stored.type === p.body.type &&
    stored.version === p.body.version &&
    stored.ts === p.ts &&
    stored.causation === p.causation &&
    stored.correlation === p.correlation &&
    canonicalJson(stored.payload) === canonicalJson(p.body.payload)
  );
}

/** What a retried append compares against the stored row: the new event as it would be stored. */
export interface PreparedEvent {
  body: { type: string; version: number; payload: unknown };
  ts: number;
  causation: string | null;
  correlation: string | null;
  /** The payload text append would store (its zod output serialised). */
  payloadText: string;
}

/**
 * The retried event as already stored, when the row holds exactly the text this append would
 * write (same JSON text, so the same payload): a replay rerun or a file imported twice then costs
 * a string comparison per event instead of a schema parse of the row and two canonical texts.
 * Undefined when any column differs: the caller then compares canonically (`sameEvent`), which
 * also accepts a row written with another key order or an older version of the type.
 */
export function storedIfSameRow(
  row: {
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
    hash: string;
  },
  stream: string,
  session: string,
  p: PreparedEvent,
): StoredEvent | undefined {
  const same =
    row.payload === p.payloadText &&
    row.stream === stream &&
    row.session === session &&
    row.type === p.body.type &&
    row.version === p.body.version &&
    row.ts === p.ts &&
    row.causation === p.causation &&
    row.correlation === p.correlation;
  if (!same) return undefined;
  return {
    seq: row.seq,
    id: row.id,
    stream,
    session,
    pos: row.pos,
    type: p.body.type,
    version: p.body.version,
    ts: p.ts,
    causation: p.causation,
    correlation: p.correlation,
    payload: p.body.payload,
    hash: row.hash,
  } as StoredEvent;
}
