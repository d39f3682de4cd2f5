/**
 * What a replay reports about a run: its summary numbers (folded by the same projections live
 * uses) and its decisions held against live's (parity, or what changed in a what-if).
 */
import { canonicalJson, type PayloadOf, type StoredEvent } from "../events/index.js";
import {
  foldSession,
  marksFor as projectionMarks,
  type SessionFigures,
  sessionFigures,
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

/** What parity compares: the decision itself, not the envelope it was written in. */
function comparable(d: PayloadOf<"DecisionMade">): string {
  return canonicalJson({
    action: d.action,
    reason: d.reason,
    intents: d.intents,
    signals: d.signals,
    saw: d.saw,
    strategy: d.strategy,
  });
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
    else if (comparable(live) === comparable(replayed)) equal += 1;
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
