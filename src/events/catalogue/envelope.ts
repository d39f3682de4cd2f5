/**
 * The envelope: how one event is stored as one row of the journal.
 */
import type { EventBody, EventBodyInput, SessionId } from "./catalogue.js";

/** A stream is one run: `live`, or a replay run id such as `replay-01J…`. */
export type StreamId = string;

/**
 * True for a stream name that is safe as a file name, in SQL and in a shell: letters, digits,
 * `.`, `_`, `-`, starting with a letter or digit, at most 100 characters, no `..`.
 */
export function isSafeStreamName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) && !name.includes("..");
}

/** The stream the bot on the Pi appends to. */
export const LIVE_STREAM: StreamId = "live";

/** An event as it sits in the journal (payload already validated and upcast to the current version). */
export type StoredEvent<E extends EventBody = EventBody> = E & {
  /** Global, gap-free order over the whole journal; replay and folds follow it. */
  readonly seq: number;
  /** ULID, unique; appending the same id again is a no-op. */
  readonly id: string;
  readonly stream: StreamId;
  readonly session: SessionId;
  /** Position inside stream+session, from 0, gap-free; used for optimistic concurrency. */
  readonly pos: number;
  /** Event time in epoch ms, from an injected clock (the gateway's clock in live mode). */
  readonly ts: number;
  readonly causation: string | null;
  readonly correlation: string | null;
  /** Hex SHA-256 over the previous row's hash and this row's canonical form. */
  readonly hash: string;
};

/** What a caller hands to `append`: the body plus the envelope fields only the caller knows. */
export type NewEvent = EventBodyInput & {
  /** Supply an id to make a retry idempotent; otherwise the journal's IdGen makes one. */
  id?: string;
  ts: number;
  causation?: string | null;
  correlation?: string | null;
};
