/**
 * What a replay reports about a run: its summary numbers (folded by the same projections live
 * uses) and its decisions held against live's (parity, or what changed in a what-if).
 */
import { type PayloadOf, type StoredEvent, sameJson } from "../events/index.js";
import {
  type BookState,
  foldSession,
  marksFor as projectionMarks,
  type SessionFigures,
  sessionFigures,
  sessionOf,
} from "../projections/index.js";

export interface ParityDiff {
  cycle: number;
  symbol: string;
  kind: "differ" | "missing-in-replay" | "missing-in-live";
  live: PayloadOf<"DecisionMade"> | null;
  replay: PayloadOf<"DecisionMade"> | null;
}

export interface Parity {
  equal: number;
  differ: number;
  missing: number;
  diffs: ParityDiff[];
}

/** A run's figures: the same fold, and the same numbers, as the report and the SQL tables. */
export type RunSummary = SessionFigures;

/**
 * What parity compares: the decision itself, not the envelope it was written in (as canonical
 * JSON would compare them, without building the strings).
 */
function sameDecision(a: PayloadOf<"DecisionMade">, b: PayloadOf<"DecisionMade">): boolean {
  return (
    sameJson(a.action, b.action) &&
    sameJson(a.reason, b.reason) &&
    sameJson(a.intents, b.intents) &&
    sameJson(a.signals, b.signals) &&
    sameJson(a.saw, b.saw) &&
    sameJson(a.strategy, b.strategy)
  );
}

/** Live's decisions against the replay's, by cycle and symbol, sorted. */
export function compareDecisions(
  liveDecisions: ReadonlyMap<string, PayloadOf<"DecisionMade">>,
  replayDecisions: ReadonlyMap<string, PayloadOf<"DecisionMade">>,
): { equal: number; diffs: ParityDiff[] } {
  const diffs: ParityDiff[] = [];
  let equal = 0;
  for (const [key, live] of liveDecisions) {
    const replayed = replayDecisions.get(key);
    const [cycle, symbol] = [live.cycle, live.symbol];
    if (!replayed) diffs.push({ cycle, symbol, kind: "missing-in-replay", live, replay: null });
    else if (sameDecision(live, replayed)) equal += 1;
    else diffs.push({ cycle, symbol, kind: "differ", live, replay: replayed });
  }
  for (const [key, replayed] of replayDecisions) {
    if (!liveDecisions.has(key))
      diffs.push({
        cycle: replayed.cycle,
        symbol: replayed.symbol,
        kind: "missing-in-live",
        live: null,
        replay: replayed,
      });
  }
  diffs.sort((a, b) => a.cycle - b.cycle || a.symbol.localeCompare(b.symbol));
  return { equal, diffs };
}

/** The source quotes of every contract the run filled, restamped into the run's stream. */
export const marksFor = projectionMarks;

/**
 * Fold a stream's events (plus extra mark quotes, merged in time order) into the summary numbers.
 * `spanMs`: the session's length, when `events` are not all of it (by default, first to last).
 */
export function summarize(
  events: readonly StoredEvent[],
  marks: readonly StoredEvent[],
  stream: string,
  session: string,
  spanMs = events.length === 0 ? 0 : events[events.length - 1]!.ts - events[0]!.ts,
): RunSummary {
  return sessionFigures(foldSession(events, marks, stream, session), spanMs);
}

/**
 * `summarize` of a stream's events folded as they were read into `book` (from the empty book):
 * `events` are those the fold's modelled fills look at (every real fill's contract's quotes after
 * its intent), `spanMs` the session's length.
 */
export function summarizeFolded(
  book: BookState,
  events: readonly StoredEvent[],
  stream: string,
  session: string,
  spanMs: number,
): RunSummary {
  return sessionFigures(sessionOf(book, stream, session, events), spanMs);
}
