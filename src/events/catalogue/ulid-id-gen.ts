/**
 * The default id generator: monotonic ULIDs. The one place under src/events allowed to use
 * randomness — only callers that do not inject their own `IdGen` (the live recorder, `import`)
 * get it; deterministic paths (replay, tests) inject a `SeededIdGen`.
 */
import { monotonicFactory } from "ulid";
import type { IdGen } from "./clock.js";

/** Monotonic ULIDs whose time part is the event time. */
export function ulidIdGen(): IdGen {
  const next = monotonicFactory();
  return { next: (timeMs: number) => next(Math.max(0, Math.trunc(timeMs))) };
}
