/**
 * A `--session` a journal cannot answer is a failure the user can act on (exit 1), not an empty
 * answer: an impossible date (2026-02-31) or a session the journal does not hold names the sessions
 * it does hold, so the next command is typed right.
 */
import { isRealSessionDate } from "../events/index.js";
import { NotFound } from "./usage-error.js";

/**
 * Throw NotFound unless `session` is a real date among `there` (the sessions of `stream`, or of the
 * whole journal when `stream` is undefined).
 *
 * @example
 * requireSession("2026-02-31", ["2026-02-04"], "data/journal.db", "live")
 * // NotFound: no session 2026-02-31 (not a calendar date) in stream live of data/journal.db; sessions there: 2026-02-04
 */
export function requireSession(
  session: string,
  there: readonly string[],
  journal: string,
  stream?: string,
): void {
  const real = /^\d{4}-\d{2}-\d{2}$/.test(session) && isRealSessionDate(session);
  if (real && there.includes(session)) return;
  throw new NotFound(
    `no session ${session}${real ? "" : " (not a calendar date YYYY-MM-DD)"}${stream === undefined ? "" : ` in stream ${stream}`} of ${journal}; sessions there: ${listed(there)}`,
  );
}

/** The sessions, the last few when there are many (a year of trading is 250). */
function listed(there: readonly string[]): string {
  if (there.length === 0) return "(none)";
  if (there.length <= 12) return there.join(", ");
  return `${there.length} from ${there[0]} to ${there.at(-1)}, the last: ${there.slice(-6).join(", ")}`;
}
