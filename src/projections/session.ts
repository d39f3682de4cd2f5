/**
 * One session of one stream, folded once: the figures every post-mortem tool prints (the replay
 * table and its `--json`, the HTML report and its data block, the SQL tables) come from here, so
 * they cannot disagree.
 */
import { contractKey, type StoredEvent } from "../events/index.js";
import { type BookState, emptySummary, foldBook, type SessionSummary } from "./book.js";
import { type ModelledFill, modelErrorMicros, modelledFills } from "./fill-model-error.js";
import { type Micros, toUsd } from "./money.js";
import type { OrderView } from "./orders.js";
import { type Position, unrealizedMicros } from "./positions.js";
import { isWorking } from "./risk.js";
import type { RoundTrip } from "./round-trips.js";

/** The fold of one stream's session, with what is still open at its end. */
export interface SessionFold {
  readonly stream: string;
  readonly session: string;
  readonly summary: SessionSummary;
  readonly openPositions: readonly Position[];
  readonly workingOrders: readonly OrderView[];
  readonly orders: readonly OrderView[];
  readonly book: BookState;
  /** The events folded, in fold order (with mark quotes merged); empty when built from a whole book. */
  readonly events: readonly StoredEvent[];
  /** Real fills against the fill model on the same quotes. */
  readonly modelledFills: readonly ModelledFill[];
}

/**
 * The quotes a run's figures are marked at, taken from its source and restamped into the run's
 * stream: for each contract the run filled, from the last quote before its first order in it (the
 * quote its slippage is measured against) to the fill that left it flat for the last time (to the
 * end while it is still held). Quotes of a contract the run never held move none of its figures.
 * A replay run journals these itself; runs written before that hold none, and take them from the
 * source here.
 */
export function marksFor(source: readonly StoredEvent[], run: readonly StoredEvent[]): StoredEvent[] {
  // A run that journaled its marks (replay runs since they do) needs none from the source. Its
  // modelled quotes are not marks: a run holding one contract live stopped quoting and one it kept
  // quoting was marked at the modelled quotes alone, its drawdown blind to the other.
  if (run.length === 0 || run.some((e) => e.type === "QuoteSnapshot" && e.payload.modelled !== true))
    return [];
  const spans = new Map<string, { from: number; to: number; held: number }>();
  for (const e of run) {
    const contract =
      e.type === "OrderFilled"
        ? e.payload.contract
        : e.type === "OrderIntended"
          ? e.payload.intent.contract
          : null;
    if (!contract) continue;
    const key = contractKey(contract);
    const span = spans.get(key) ?? { from: e.ts, to: Number.POSITIVE_INFINITY, held: 0 };
    spans.set(key, span);
    if (e.type !== "OrderFilled") continue;
    span.held += e.payload.side === "BUY" ? e.payload.quantity : -e.payload.quantity;
    span.to = span.held === 0 ? e.ts : Number.POSITIVE_INFINITY;
  }
  // Only contracts that filled: an order that never did leaves nothing to mark.
  const filled = new Set(
    run.flatMap((e) => (e.type === "OrderFilled" ? [contractKey(e.payload.contract)] : [])),
  );
  const stream = run[0]!.stream;
  const marks: StoredEvent[] = [];
  const before = new Map<string, StoredEvent>();
  for (const e of source) {
    if (e.type !== "QuoteSnapshot") continue;
    const key = contractKey(e.payload.contract);
    const span = filled.has(key) ? spans.get(key) : undefined;
    if (!span) continue;
    if (e.ts < span.from) before.set(key, e);
    else {
      const last = before.get(key);
      if (last) {
        marks.push({ ...last, stream } as StoredEvent);
        before.delete(key);
      }
      if (e.ts <= span.to) marks.push({ ...e, stream } as StoredEvent);
    }
  }
  for (const last of before.values()) marks.push({ ...last, stream } as StoredEvent);
  return marks.sort((x, y) => x.ts - y.ts);
}

/**
 * The order a run and its mark quotes fold in: by time, a quote after the run's own events of its
 * instant (a fill at 10:05 is in the book before the 10:05 quote marks it). A replay journals its
 * marks in this order too, so its journal folds exactly as the summary did.
 */
export function foldOrder(a: { ts: number; type: string }, b: { ts: number; type: string }): number {
  return a.ts - b.ts || (a.type === "QuoteSnapshot" ? 1 : 0) - (b.type === "QuoteSnapshot" ? 1 : 0);
}

/** Fold a stream's session events (plus mark quotes from its source, merged in time order). */
export function foldSession(
  events: readonly StoredEvent[],
  marks: readonly StoredEvent[],
  stream: string,
  session: string,
): SessionFold {
  const merged = marks.length === 0 ? events : [...events, ...marks].sort(foldOrder);
  // Source events fold as they are; only a run merged with mark quotes needs a fresh sequence.
  const folded = merged === events ? events : merged.map((e, i) => ({ ...e, seq: i + 1 }) as StoredEvent);
  return sessionOf(foldBook(folded), stream, session, folded);
}

/** A session's fold out of a book that holds it (a whole journal folded, or just the session). */
export function sessionOf(
  book: BookState,
  stream: string,
  session: string,
  events: readonly StoredEvent[] = [],
): SessionFold {
  const summary = book.summaries.get(`${stream}|${session}`) ?? emptySummary(stream, session);
  const orders = [...(book.orders.get(`${stream}|${session}`)?.byKey.values() ?? [])];
  return {
    stream,
    session,
    summary,
    openPositions: [...book.positions.byKey.values()].filter((p) => p.stream === stream && p.quantity !== 0),
    workingOrders: orders.filter(isWorking),
    orders,
    book,
    events,
    modelledFills: modelledFills(events),
  };
}

/** Trades, wins and P&L of a group of round trips. */
export interface TradeGroup {
  trades: number;
  wins: number;
  pnlUsd: number;
}

/**
 * The figures of a session, in dollars: what the replay table, `--json`, the report and its data
 * block print. Ratios are null where they are undefined (no trades, no losses, no stop).
 */
export interface SessionFigures {
  decisions: number;
  orders: number;
  refusals: number;
  refusalsByRule: Record<string, number>;
  /** Orders that ended (or the session ended) without filling in full. */
  unfilled: number;
  fills: number;
  trades: number;
  wins: number;
  /** Wins / trades. */
  winRate: number | null;
  grossPnlUsd: number;
  feesUsd: number;
  netPnlUsd: number;
  /** Σ closed round trips' P&L (net of their fees); net − this is what is still open. */
  closedPnlUsd: number;
  /** Σ |closed round trip P&L|: how much the day traded, the scale a fill model's error is held to. */
  tradedPnlUsd: number;
  openPnlUsd: number;
  maxDrawdownUsd: number;
  maxExposureUsd: number;
  /** Gross wins / gross losses. */
  profitFactor: number | null;
  /** Mean P&L per trade. */
  expectancyUsd: number | null;
  avgR: number | null;
  avgHoldingMin: number | null;
  /** Share of the session's time with a position open (union of the trips' holding times). */
  exposurePct: number | null;
  /** Mean slippage per unit against the decision's quote, USD (> 0 costs money); null when unknown. */
  avgEntrySlippageUsd: number | null;
  /** Σ over real fills of (real − the fill model's price on the same quotes) × units, USD; null without real fills. */
  fillModelErrorUsd: number | null;
  avgExitSlippageUsd: number | null;
  byExitReason: Record<string, TradeGroup>;
  bySymbol: Record<string, TradeGroup>;
  /** Σ of the closed round trips' P&L before fees by greek (./greek-pnl.ts), USD. */
  greekPnlUsd: GreekPnlUsd;
  openPositions: number;
  workingOrders: number;
}

/** P&L before fees by greek, USD: the five add up to the trades' gross. */
export interface GreekPnlUsd {
  delta: number;
  gamma: number;
  theta: number;
  vega: number;
  residual: number;
}

/** The greek split of a group of round trips, summed (in µ$, then rounded: whole cents each). */
export function greekTotals(trades: readonly RoundTrip[]): GreekPnlUsd {
  const sum = (pick: (t: RoundTrip) => Micros) => toUsd(trades.reduce((a, t) => a + pick(t), 0));
  return {
    delta: sum((t) => t.greekPnl.deltaMicros),
    gamma: sum((t) => t.greekPnl.gammaMicros),
    theta: sum((t) => t.greekPnl.thetaMicros),
    vega: sum((t) => t.greekPnl.vegaMicros),
    residual: sum((t) => t.greekPnl.residualMicros),
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const mean = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

function groupBy(trades: readonly RoundTrip[], key: (t: RoundTrip) => string): Record<string, TradeGroup> {
  const out: Record<string, { trades: number; wins: number; pnl: Micros }> = {};
  for (const t of trades) {
    const k = key(t);
    const g = out[k] ?? { trades: 0, wins: 0, pnl: 0 };
    out[k] = g;
    g.trades += 1;
    g.wins += t.pnlMicros > 0 ? 1 : 0;
    g.pnl += t.pnlMicros;
  }
  return Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((k) => [k, { trades: out[k]!.trades, wins: out[k]!.wins, pnlUsd: toUsd(out[k]!.pnl) }]),
  );
}

/** Mean of the known per-unit slippages, in USD to the tenth of a cent. */
function slip(values: readonly (Micros | null)[]): number | null {
  const m = mean(values.flatMap((v) => (v === null ? [] : [v])));
  return m === null ? null : Math.round(m / 1_000) / 1_000;
}

/** Time covered by the union of [entry, exit] intervals, ms. */
function unionMs(trades: readonly RoundTrip[]): number {
  const spans = trades.map((t) => [t.entryTs, t.closedTs] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** The figures of a folded session; `spanMs` is the session's duration (first to last event) for exposure. */
export function sessionFigures(fold: SessionFold, spanMs: number): SessionFigures {
  const s = fold.summary;
  const trades = s.trades;
  const closed = trades.reduce((a, t) => a + t.pnlMicros, 0);
  const won = trades.filter((t) => t.pnlMicros > 0).reduce((a, t) => a + t.pnlMicros, 0);
  const lost = -trades.filter((t) => t.pnlMicros < 0).reduce((a, t) => a + t.pnlMicros, 0);
  const rs = trades.flatMap((t) => (t.rMultiple === null ? [] : [t.rMultiple]));
  const expectancy = mean(trades.map((t) => t.pnlMicros));
  const holding = mean(trades.map((t) => t.holdingMs));
  const avgR = mean(rs);
  return {
    decisions: s.decisions,
    orders: s.ordersIntended,
    refusals: s.ordersRefused,
    refusalsByRule: Object.fromEntries(
      Object.entries(s.refusalsByRule).sort(([a], [b]) => a.localeCompare(b)),
    ),
    unfilled: fold.orders.filter(
      (o) =>
        isWorking(o) ||
        ((o.phase === "cancelled" || o.phase === "rejected") && o.filledQuantity < o.intent.quantity),
    ).length,
    fills: s.fills,
    trades: trades.length,
    wins: s.wins,
    winRate: trades.length === 0 ? null : round2(s.wins / trades.length),
    grossPnlUsd: toUsd(s.grossPnlMicros),
    feesUsd: toUsd(s.feesMicros),
    netPnlUsd: toUsd(s.netPnlMicros),
    closedPnlUsd: toUsd(closed),
    tradedPnlUsd: toUsd(trades.reduce((a, t) => a + Math.abs(t.pnlMicros), 0)),
    openPnlUsd: toUsd(s.netPnlMicros - closed),
    maxDrawdownUsd: toUsd(s.maxDrawdownMicros),
    maxExposureUsd: toUsd(s.maxExposureMicros),
    profitFactor: lost === 0 ? null : round2(won / lost),
    expectancyUsd: expectancy === null ? null : toUsd(expectancy),
    avgR: avgR === null ? null : round2(avgR),
    avgHoldingMin: holding === null ? null : Math.round(holding / 6_000) / 10,
    exposurePct: spanMs > 0 && trades.length > 0 ? Math.round((unionMs(trades) / spanMs) * 1000) / 10 : null,
    fillModelErrorUsd: fold.modelledFills.length === 0 ? null : toUsd(modelErrorMicros(fold.modelledFills)),
    avgEntrySlippageUsd: slip(trades.map((t) => t.entrySlippageMicros)),
    avgExitSlippageUsd: slip(trades.map((t) => t.exitSlippageMicros)),
    byExitReason: groupBy(trades, (t) => t.exitReason),
    bySymbol: groupBy(trades, (t) => t.symbol),
    greekPnlUsd: greekTotals(trades),
    openPositions: fold.openPositions.length,
    workingOrders: fold.workingOrders.length,
  };
}

/** Unrealized P&L of the positions open at the end, µ$ (for the report's "open at the end"). */
export function openPnlMicros(fold: SessionFold): Micros {
  return fold.openPositions.reduce((a, p) => a + unrealizedMicros(p), 0);
}
