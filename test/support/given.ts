/**
 * given/when/then helpers (after Emmett's DeciderSpecification) for projections and strategies:
 *
 *   given(events).then((book) => expect(book…))
 *
 * `stored()` turns plain bodies into stored events with seq, ids and times, so a specification
 * reads as the list of what happened.
 */
import type { EventBodyInput, StoredEvent } from "../../src/events/index.js";
import { EventSchema } from "../../src/events/index.js";
import { type BookState, foldBook } from "../../src/projections/index.js";

export interface StoredOptions {
  stream?: string;
  session?: string;
  startTs?: number;
  startSeq?: number;
}

/** Plain bodies → stored events (validated by the catalogue, so a specification can't hold a bad event). */
export function stored(
  bodies: readonly (EventBodyInput & { causation?: string; correlation?: string; id?: string })[],
  options: StoredOptions = {},
): StoredEvent[] {
  const {
    stream = "live",
    session = "2026-02-04",
    startTs = Date.UTC(2026, 1, 4, 15),
    startSeq = 1,
  } = options;
  return bodies.map((body, i) => {
    const parsed = EventSchema.parse({ type: body.type, version: body.version, payload: body.payload });
    return {
      ...parsed,
      seq: startSeq + i,
      id: body.id ?? `EV${String(startSeq + i).padStart(24, "0")}`,
      stream,
      session,
      pos: startSeq + i - 1,
      ts: startTs + i * 1000,
      causation: body.causation ?? null,
      correlation: body.correlation ?? null,
      hash: "",
    } as StoredEvent;
  });
}

/** `given(events).then(assert)` for the book projection. */
export function given(events: readonly StoredEvent[]) {
  return {
    // biome-ignore lint/suspicious/noThenProperty: given/when/then reads as a specification (Emmett style)
    then(assert: (book: BookState) => void): void {
      assert(foldBook(events));
    },
  };
}
