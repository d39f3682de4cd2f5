/**
 * How fresh a symbol's inputs were when its strategy decided: the age of the last 1-minute bar it
 * had, the requests live skipped (a pacing backoff), the snapshots without a price. Computed from
 * journaled events only, by the one function live and replay share, so a replay feeds the strategy
 * what live fed it and judges a cycle `degraded` where live did.
 */
import type { CycleInputs, EventOf, PayloadOf, StoredEvent, SymbolInputs } from "../events/index.js";

/** The market events freshness reads (the strategy contract's `MarketEvent`, named here to keep imports one-way). */
type MarketEvent =
  | StoredEvent<EventOf<"BarsReceived">>
  | StoredEvent<EventOf<"OptionChainReceived">>
  | StoredEvent<EventOf<"QuoteSnapshot">>;

/** A 1-minute bar ends a minute after its time. */
const BAR_MS = 60_000;
/**
 * Bars older than this at the decision are stale: a fresh request returns the bar in progress, so
 * a good answer is at most a minute or two old; more means the request did not run or lagged.
 */
export const STALE_BARS_MS = 3 * BAR_MS;
/** The cycle interval assumed for sessions recorded before live journaled it (`SessionOpened.cycleSeconds`). */
export const DEFAULT_CYCLE_MS = 300_000;

/** What the strategy is told about its inputs: the journaled facts, and the cycle length to read them by. */
export interface InputFreshness extends SymbolInputs {
  /** Live's cycle interval, ms: a bar `2 × cycleMs` old is two cycles behind. */
  readonly cycleMs: number;
}

/** What the runner remembers between cycles, per symbol. */
export interface FreshnessMemory {
  /** The end of the last bar any `BarsReceived` brought, epoch ms. */
  lastBarEndMs: number | null;
  /** This cycle's skipped requests (cleared at each decision). */
  skipped: PayloadOf<"RequestSkipped">[];
}

/** Fold one market event into a symbol's memory. */
export function rememberBars(memory: FreshnessMemory, event: MarketEvent): void {
  if (event.type !== "BarsReceived") return;
  const last = event.payload.bars.at(-1);
  if (last) memory.lastBarEndMs = Math.max(memory.lastBarEndMs ?? 0, last.timeMs + BAR_MS);
}

/** A symbol's inputs at its decision (`nowMs`), from the cycle's events and what came before. */
export function assessFreshness(
  symbol: string,
  nowMs: number,
  events: readonly MarketEvent[],
  memory: FreshnessMemory,
  cycleMs: number,
): InputFreshness {
  const barsFetched = events.some((e) => e.type === "BarsReceived");
  const quotesMissing = events.filter(
    (e) => e.type === "QuoteSnapshot" && (e.payload.bidUsd === null || e.payload.askUsd === null),
  ).length;
  const barAgeMs = memory.lastBarEndMs === null ? null : Math.max(0, nowMs - memory.lastBarEndMs);
  const skipped = memory.skipped.map((s) => `${s.request} ${s.reason}, until ${clockTime(s.untilMs)} UTC`);
  const reasons: string[] = [...skipped.map((s) => `skipped ${s}`)];
  if (barAgeMs === null) reasons.push("no bars yet");
  else if (barAgeMs > STALE_BARS_MS) reasons.push(`bars ${Math.round(barAgeMs / BAR_MS)} min old`);
  if (quotesMissing > 0)
    reasons.push(`${quotesMissing} snapshot${quotesMissing === 1 ? "" : "s"} without a price`);
  return {
    symbol,
    lastBarEndMs: memory.lastBarEndMs,
    barAgeMs,
    barsFetched,
    skipped,
    quotesMissing,
    reasons,
    cycleMs,
  };
}

/** `HH:MM:SS` of an epoch-ms time in UTC: the journal's times are UTC, so are its reasons. */
function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/**
 * A cycle's inputs from its symbols' decisions (`decided`: the freshness each decision saw); a
 * symbol with no decision had no market data at all. Null when no symbol got as far as deciding
 * (a cycle skipped or failed before its market data): there were no inputs to judge.
 */
export function cycleInputs(
  symbols: readonly string[],
  decided: ReadonlyMap<string, InputFreshness>,
): CycleInputs | null {
  if (decided.size === 0) return null;
  const rows: SymbolInputs[] = symbols.map((symbol) => {
    const seen = decided.get(symbol);
    if (!seen)
      return {
        symbol,
        lastBarEndMs: null,
        barAgeMs: null,
        barsFetched: false,
        skipped: [],
        quotesMissing: 0,
        reasons: ["no market data"],
      };
    const { cycleMs: _cycleMs, ...inputs } = seen;
    return inputs;
  });
  const reasons = rows.flatMap((row) => row.reasons.map((reason) => `${row.symbol}: ${reason}`));
  return { degraded: reasons.length > 0, reasons, symbols: rows };
}
