/**
 * What a replay reports about a run: its summary numbers (folded by the same projections live
 * uses) and its decisions held against live's (parity, or what changed in a what-if).
 */
import { canonicalJson, contractKey, type PayloadOf, type StoredEvent } from "../events/index.js";
import { foldBook, toUsd } from "../projections/index.js";

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

export interface RunSummary {
  decisions: number;
  trades: number;
  wins: number;
  netPnlUsd: number;
  feesUsd: number;
  maxDrawdownUsd: number;
  fills: number;
}

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
export function marksFor(source: readonly StoredEvent[], run: readonly StoredEvent[]): StoredEvent[] {
  const traded = new Set(
    run.flatMap((e) => (e.type === "OrderFilled" ? [contractKey(e.payload.contract)] : [])),
  );
  if (traded.size === 0 || run.length === 0) return [];
  const stream = run[0]!.stream;
  return source
    .filter((e) => e.type === "QuoteSnapshot" && traded.has(contractKey(e.payload.contract)))
    .map((e) => ({ ...e, stream }) as StoredEvent);
}

/** Fold a stream's events (plus extra mark quotes, merged in time order) into the summary numbers. */
export function summarize(
  events: readonly StoredEvent[],
  marks: readonly StoredEvent[],
  stream: string,
  session: string,
): RunSummary {
  const merged =
    marks.length === 0
      ? events
      : [...events, ...marks].sort(
          (a, b) =>
            a.ts - b.ts || (a.type === "QuoteSnapshot" ? 1 : 0) - (b.type === "QuoteSnapshot" ? 1 : 0),
        );
  // Source events fold as they are; only a run merged with mark quotes needs a fresh sequence.
  const book = foldBook(
    merged === events ? events : merged.map((e, i) => ({ ...e, seq: i + 1 }) as StoredEvent),
  );
  const s = book.summaries.get(`${stream}|${session}`);
  const decisions = events.filter((e) => e.type === "DecisionMade").length;
  if (!s) return { decisions, trades: 0, wins: 0, netPnlUsd: 0, feesUsd: 0, maxDrawdownUsd: 0, fills: 0 };
  return {
    decisions,
    trades: s.trades.length,
    wins: s.wins,
    netPnlUsd: toUsd(s.netPnlMicros),
    feesUsd: toUsd(s.feesMicros),
    maxDrawdownUsd: toUsd(s.maxDrawdownMicros),
    fills: s.fills,
  };
}
