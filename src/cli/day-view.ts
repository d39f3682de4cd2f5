/**
 * `journal day`: what a trader asks of one session, gathered once: the money (net, gross, fees,
 * P&L by greek), the trades by symbol and exit, how far the stops overshot their plan, what the
 * gateway's notices cost (cycles degraded or skipped, minutes a held position went unquoted), the
 * best and worst trades, and the replay runs of the day named by what they changed.
 * Every figure comes from the one fold (src/projections); this module only arranges it.
 */
import type { Journal, PayloadOf, StoredEvent } from "../events/index.js";
import {
  feeReconciliation,
  foldSession,
  type GreekPnlUsd,
  IBKR_PRO_TIERED,
  type RoundTrip,
  type SessionFold,
  sessionFigures,
  type TradeGroup,
  toUsd,
} from "../projections/index.js";

/** A session's fees: what the broker charged, and what the IBKR fee model says it should have. */
export interface SessionFees {
  /** Σ of the session's `CommissionReported`, USD. */
  readonly actualUsd: number;
  /** The IBKR fee model's figure for the same filled orders; null when nothing filled. */
  readonly modelledUsd: number | null;
}

/** The fees of a session, charged (the broker's commission reports) against modelled (IBKR Pro, Tiered). */
export function sessionFees(fold: SessionFold, events: readonly StoredEvent[]): SessionFees {
  // What IBKR Pro (Tiered) would have charged for the same orders: the replay's fee model.
  const modelled = feeReconciliation(events, IBKR_PRO_TIERED).totals;
  return {
    actualUsd: toUsd(fold.summary.feesMicros),
    modelledUsd: modelled.orders === 0 ? null : modelled.modelledUsd,
  };
}

/** The stop-losses of the day against the stop the strategy planned. */
export interface StopsView {
  /** The planned stop as a fraction of the entry premium (0.15), null when the strategy has none. */
  readonly plannedPct: number | null;
  readonly count: number;
  /** Realized move of each stopped trade against its entry premium (−0.19 = 19 % lost), sorted. */
  readonly realizedPct: readonly number[];
  /** What the stops lost beyond their plan, USD (≤ 0); null without a planned stop. */
  readonly overshootUsd: number | null;
}

/** A stretch of time a held position was not quoted for longer than a cycle. */
export interface UnwatchedSpan {
  readonly contract: string;
  readonly fromTs: number;
  readonly toTs: number;
  /** The gap beyond one cycle interval, minutes. */
  readonly minutes: number;
}

export interface TradeLine {
  readonly contract: string;
  readonly entryTs: number;
  readonly exitTs: number;
  readonly exitReason: string;
  readonly pnlUsd: number;
}

/** One replay run of the session. */
export interface RunLine {
  readonly stream: string;
  /** What it changed against live: `stopLossPct 0.15→0.3, simulated (decision-quote)`. */
  readonly name: string;
  readonly trades: number | null;
  readonly netPnlUsd: number | null;
}

export interface DayView {
  readonly session: string;
  readonly stream: string;
  readonly strategy: string | null;
  readonly netPnlUsd: number;
  readonly grossPnlUsd: number;
  readonly openPnlUsd: number;
  readonly fees: SessionFees;
  readonly trades: number;
  readonly wins: number;
  readonly winRate: number | null;
  readonly maxDrawdownUsd: number;
  readonly greekPnlUsd: GreekPnlUsd;
  readonly bySymbol: Record<string, TradeGroup>;
  readonly byExitReason: Record<string, TradeGroup>;
  readonly stops: StopsView;
  readonly cycles: number;
  readonly cyclesByStatus: Readonly<Record<string, number>>;
  /** Notices by code, most frequent first, with what the code means where it is known. */
  readonly notices: readonly { code: number; count: number; meaning: string | null }[];
  /** The session's cycle interval (the median time between cycle starts), ms; null without cycles. */
  readonly cycleMs: number | null;
  readonly unwatched: readonly UnwatchedSpan[];
  readonly best: TradeLine | null;
  readonly worst: TradeLine | null;
  readonly runs: readonly RunLine[];
}

/** Where the day's replay runs may be: the journal itself (`--in-place`) and a runs journal (`--runs`). */
export interface DaySources {
  readonly journal: Journal;
  readonly stream: string;
  readonly session: string;
  readonly runs: readonly Journal[];
}

/** Gather the day. The session must exist in the stream (the command checks). */
export function dayView(src: DaySources): DayView {
  const events = [...src.journal.read({ stream: src.stream, session: src.session })];
  const fold = foldSession(events, [], src.stream, src.session);
  const span = events.length === 0 ? 0 : events.at(-1)!.ts - events[0]!.ts;
  const f = sessionFigures(fold, span);
  const opened = events.find((e) => e.type === "SessionOpened" || e.type === "ReplayStarted");
  const strategy = opened?.payload as { strategy?: { name: string; version: string } } | undefined;
  const params = paramsOf(opened);
  const strategyName = strategy?.strategy ? `${strategy.strategy.name} ${strategy.strategy.version}` : null;
  const trades = fold.summary.trades;
  const cycleMs = cycleInterval(events);
  const sorted = [...trades].sort((a, b) => a.pnlMicros - b.pnlMicros);
  return {
    session: src.session,
    stream: src.stream,
    strategy: strategyName,
    netPnlUsd: f.netPnlUsd,
    grossPnlUsd: f.grossPnlUsd,
    openPnlUsd: f.openPnlUsd,
    fees: sessionFees(fold, events),
    trades: f.trades,
    wins: f.wins,
    winRate: f.winRate,
    maxDrawdownUsd: f.maxDrawdownUsd,
    greekPnlUsd: f.greekPnlUsd,
    bySymbol: f.bySymbol,
    byExitReason: f.byExitReason,
    stops: stopsOf(trades, typeof params.stopLossPct === "number" ? params.stopLossPct : null),
    cycles: fold.summary.cycles,
    cyclesByStatus: fold.summary.cyclesByStatus,
    notices: noticesOf(src.journal, fold.summary.noticesByCode),
    cycleMs,
    unwatched: cycleMs === null ? [] : unwatchedOf(trades, events, cycleMs),
    best: sorted.length === 0 ? null : lineOf(sorted.at(-1)!),
    worst: sorted.length === 0 ? null : lineOf(sorted[0]!),
    runs: src.stream === "live" ? runsOf(src, strategyName, params) : [],
  };
}

function paramsOf(opened: StoredEvent | undefined): Record<string, unknown> {
  if (opened?.type === "SessionOpened" || opened?.type === "ReplayStarted") return opened.payload.params;
  return {};
}

function lineOf(t: RoundTrip): TradeLine {
  return {
    contract: t.contractKey,
    entryTs: t.entryTs,
    exitTs: t.closedTs,
    exitReason: t.exitReason,
    pnlUsd: toUsd(t.pnlMicros),
  };
}

/** Stopped trades' realized move against the entry premium, and the money lost beyond the plan. */
export function stopsOf(trades: readonly RoundTrip[], plannedPct: number | null): StopsView {
  const stopped = trades.filter((t) => t.exitReason === "stop-loss" && t.entryPriceMicros > 0);
  const sign = (t: RoundTrip) => (t.side === "LONG" ? 1 : -1);
  const realizedPct = stopped
    .map((t) => (sign(t) * (t.exitPriceMicros - t.entryPriceMicros)) / t.entryPriceMicros)
    .sort((a, b) => a - b);
  // Beyond the plan: (realized move − (−planned)) × entry × quantity × multiplier, where it is worse.
  const overshoot =
    plannedPct === null
      ? null
      : stopped.reduce((sum, t) => {
          const move = sign(t) * (t.exitPriceMicros - t.entryPriceMicros);
          const beyond = Math.min(0, move + plannedPct * t.entryPriceMicros);
          return sum + beyond * t.quantity * t.multiplier;
        }, 0);
  return {
    plannedPct,
    count: stopped.length,
    realizedPct,
    overshootUsd: overshoot === null ? null : toUsd(overshoot),
  };
}

/** The median time between consecutive cycle starts, ms (null with fewer than two cycles). */
function cycleInterval(events: readonly StoredEvent[]): number | null {
  const starts = events.flatMap((e) => (e.type === "CycleStarted" ? [e.ts] : []));
  const gaps = starts.slice(1).map((ts, i) => ts - starts[i]!);
  if (gaps.length === 0) return null;
  const sorted = gaps.sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Gaps of more than one and a half cycles between two looks at a held position (its entry, each of
 * its quotes, its exit): the position went unwatched for the gap beyond one cycle.
 */
export function unwatchedOf(
  trades: readonly RoundTrip[],
  events: readonly StoredEvent[],
  cycleMs: number,
): UnwatchedSpan[] {
  const quoted = new Map<string, number[]>();
  for (const e of events) {
    if (e.type !== "QuoteSnapshot") continue;
    const key = `${e.stream}|${contractText(e.payload)}`;
    const list = quoted.get(key) ?? [];
    quoted.set(key, list);
    list.push(e.ts);
  }
  const spans: UnwatchedSpan[] = [];
  for (const t of trades) {
    const looks = [
      t.entryTs,
      ...(quoted.get(`${t.stream}|${t.contractKey}`) ?? []).filter((ts) => ts > t.entryTs && ts < t.closedTs),
      t.closedTs,
    ];
    for (let i = 1; i < looks.length; i++) {
      const gap = looks[i]! - looks[i - 1]!;
      if (gap > 1.5 * cycleMs)
        spans.push({
          contract: t.contractKey,
          fromTs: looks[i - 1]!,
          toTs: looks[i]!,
          minutes: Math.round((gap - cycleMs) / 6_000) / 10,
        });
    }
  }
  return spans;
}

/** The contract key of a quote, as `contractKey` writes it (SPY 20260206 C 690, or SPY). */
function contractText(q: PayloadOf<"QuoteSnapshot">): string {
  const c = q.contract;
  return c.secType === "OPT" ? `${c.symbol} ${c.expiry} ${c.right} ${c.strike}` : c.symbol;
}

function noticesOf(journal: Journal, byCode: Readonly<Record<string, number>>): DayView["notices"] {
  const meanings = new Map<number, string>();
  try {
    for (const r of journal.sql.all<{ code: number; meaning: string }>(
      "SELECT code, meaning FROM notice_codes",
    ))
      meanings.set(r.code, r.meaning);
  } catch {
    // A journal without the view (never opened for writing by this version): codes without words.
  }
  return Object.entries(byCode)
    .map(([code, count]) => ({ code: Number(code), count, meaning: meanings.get(Number(code)) ?? null }))
    .sort((a, b) => b.count - a.count || a.code - b.code);
}

/** The replay runs of the session, in the journal and in the runs journals, named by what they changed. */
function runsOf(
  src: DaySources,
  liveStrategy: string | null,
  liveParams: Record<string, unknown>,
): RunLine[] {
  const lines: RunLine[] = [];
  for (const journal of [src.journal, ...src.runs]) {
    const started = new Map<string, PayloadOf<"ReplayStarted">>();
    for (const e of journal.read({ types: ["ReplayStarted"] }))
      if (e.type === "ReplayStarted" && e.payload.sourceSessions.includes(src.session))
        started.set(e.stream, e.payload);
    for (const [stream, run] of started) {
      let done: PayloadOf<"ReplayCompleted"> | undefined;
      for (const e of journal.read({ stream, session: src.session, types: ["ReplayCompleted"] }))
        if (e.type === "ReplayCompleted") done = e.payload;
      lines.push({
        stream,
        name: runName(run, liveStrategy, liveParams),
        trades: done?.trades ?? null,
        netPnlUsd: done?.netPnlUsd ?? null,
      });
    }
  }
  return lines;
}

/** `stopLossPct 0.15→0.3, simulated (decision-quote)`, or `live's parameters, recorded (parity)`. */
export function runName(
  run: PayloadOf<"ReplayStarted">,
  liveStrategy: string | null,
  liveParams: Record<string, unknown>,
): string {
  const strategy = `${run.strategy.name} ${run.strategy.version}`;
  if (strategy !== liveStrategy) {
    const how = run.outcomes === "recorded" ? "recorded" : `simulated (${run.fillModel.name})`;
    return `strategy ${strategy}, ${how}`;
  }
  const keys = [...new Set([...Object.keys(liveParams), ...Object.keys(run.params)])].sort();
  const changed = keys
    .filter((k) => JSON.stringify(liveParams[k]) !== JSON.stringify(run.params[k]))
    .map((k) => `${k} ${JSON.stringify(liveParams[k] ?? null)}→${JSON.stringify(run.params[k] ?? null)}`);
  const what = changed.length === 0 ? "live's parameters" : changed.join(", ");
  const how = run.outcomes === "recorded" ? "recorded (parity)" : `simulated (${run.fillModel.name})`;
  return `${what}, ${how}`;
}
