/**
 * What an imported event must be, beyond a valid schema and a free place in its stream
 * (import-plan.ts): the invariants live keeps by construction, so that a line written by hand is
 * held to them too. Checked for every event an import would add, before anything is written:
 *  - its `ts` lies within its session's day (see `sessionWindow`);
 *  - its causation and correlation name events that exist: itself (a decision correlates to
 *    itself), an earlier line of the file, or the journal;
 *  - in the live stream, a run that closed takes nothing more: after a `SessionClosed` only the
 *    `SessionOpened` of a later run may follow (as live's restart writes it), and a fill must name
 *    an order the session sent (an `OrderSubmitted` with its orderId and decision).
 * Replay streams are held to the first two only: their fills are the fill model's, and a replay
 * run over part of a day copies fills whose orders it never saw.
 */
import type { Journal } from "../catalogue/index.js";
import { LIVE_STREAM, newYorkTimeToMs } from "../catalogue/index.js";
import { type ImportLine, ImportLineError } from "./jsonl.js";

const HOUR_MS = 3_600_000;

/**
 * How far outside its New York calendar date a session's events may lie. Live names a run's
 * session once, from the gateway's clock at its first connect, and stamps every event from that
 * same clock (re-anchored at each connect and cycle), so a run starts inside its date whether it
 * begins in pre-market (04:00) or later. The slack before covers the gateway's clock stepping back
 * at a re-anchor (it is NTP-synced: seconds, not hours); the slack after covers a run started for
 * the evening's after-hours (to 20:00) that is still closing — waiting for working orders, or
 * simply not stopped — past midnight. Beyond 06:00 the next day, the next day's pre-market has
 * begun: such events belong to another session, and a timestamp of another day or year, or below
 * zero, is not one live can have written.
 */
export const SESSION_SLACK_MS = 6 * HOUR_MS;

/** The instants (epoch ms, inclusive) an event of `session` may carry. */
export function sessionWindow(session: string): { fromMs: number; toMs: number } {
  const [y, m, d] = session.split("-").map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return {
    fromMs: newYorkTimeToMs(session, 0, 0) - SESSION_SLACK_MS,
    toMs: newYorkTimeToMs(next, 0, 0) + SESSION_SLACK_MS,
  };
}

const iso = (ms: number) =>
  Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : "?";

/** Where a live run stands after the events read so far. */
interface RunState {
  closed: { pos: number; reason: string } | null;
  /** `orderId|decision` of every OrderSubmitted of the session. */
  submitted: Set<string>;
}

const orderKey = (orderId: unknown, decision: string | null) => `${String(orderId)}|${decision ?? ""}`;

/** The live stream+session as the journal holds it: its last run's state and the orders it sent. */
function journalRunState(journal: Journal, session: string): RunState {
  const state: RunState = { closed: null, submitted: new Set() };
  for (const event of journal.read({
    stream: LIVE_STREAM,
    session,
    types: ["SessionOpened", "SessionClosed", "OrderSubmitted"],
  }))
    evolve(state, event.type, event.pos, event.id, event.correlation, event.payload);
  return state;
}

function evolve(
  state: RunState,
  type: string,
  pos: number,
  id: string,
  correlation: string | null,
  payload: unknown,
): void {
  const p = payload as Record<string, unknown>;
  if (type === "SessionOpened") state.closed = null;
  else if (type === "SessionClosed") state.closed = { pos, reason: String(p.reason) };
  // Live's router links an order to its decision as `correlation ?? id` (order-router.ts).
  else if (type === "OrderSubmitted") state.submitted.add(orderKey(p.orderId, correlation ?? id));
}

/**
 * Check every line an import would add (`added`, grouped by stream+session in pos order) against
 * the rules above. `all` is every line of the file, for "an earlier line". Throws ImportLineError
 * naming file:line for the first line, in file order, that breaks one.
 */
export function checkAddedLines(
  journal: Journal,
  all: readonly ImportLine[],
  added: readonly (readonly ImportLine[])[],
  file: string,
): void {
  const lineOf = new Map<string, number>();
  for (const line of all) lineOf.set(line.id, line.line);
  const runs = new Map<string, RunState>();
  const ordered = added.flat().sort((a, b) => a.line - b.line);
  for (const line of ordered) {
    const fail = (problem: string) => new ImportLineError(file, line.line, problem);
    const where = `${line.stream}/${line.session}`;
    const window = sessionWindow(line.session);
    // A note is stamped when it was written, often days after its session (catalogue-notes.ts).
    if (line.type !== "NoteAdded" && (line.ts < window.fromMs || line.ts > window.toMs))
      throw fail(
        `ts ${line.ts} (${iso(line.ts)}) is outside session ${line.session}'s day: live stamps a session's events within its New York date, 6 h either side allowed (${iso(window.fromMs)} to ${iso(window.toMs)}); an event of another day belongs to another session`,
      );
    for (const [field, ref] of [
      ["causation", line.causation],
      ["correlation", line.correlation],
    ] as const) {
      if (ref === null || ref === line.id) continue;
      const at = lineOf.get(ref);
      if (at !== undefined && at < line.line) continue;
      if (journal.get(ref) !== undefined) continue;
      throw fail(
        `${field} ${ref} names no event: it is neither in ${journal.location} nor on an earlier line of ${file}${at === undefined ? "" : ` (it is on line ${at}, after the event it explains)`}; import the events it refers to with it (export the whole session)`,
      );
    }
    if (line.stream !== LIVE_STREAM) continue;
    let run = runs.get(line.session);
    if (!run) {
      run = journalRunState(journal, line.session);
      runs.set(line.session, run);
    }
    if (run.closed && line.type !== "SessionOpened")
      throw fail(
        `${where} was closed at pos ${run.closed.pos} (SessionClosed, reason "${run.closed.reason}"), and this ${line.type} follows it: live appends nothing to a run after it closed — a later run of the session starts with its own SessionOpened, as a restart of live writes it`,
      );
    if (line.type === "OrderFilled") {
      const p = line.parsed as { orderId?: unknown };
      if (!run.submitted.has(orderKey(p.orderId, line.correlation)))
        throw fail(
          `OrderFilled of order ${String(p.orderId)} (decision ${line.correlation ?? "none"}) names no order ${where} sent: no OrderSubmitted there has that orderId and decision; a fill the bot never asked for would show a position the broker never had`,
        );
    }
    evolve(run, line.type, line.pos, line.id, line.correlation, line.parsed);
  }
}
