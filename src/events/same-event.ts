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
