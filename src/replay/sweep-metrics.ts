/**
 * A sweep set's figures over its sessions, from each session's run summary, summed as `replay
 * --json` sums its totals (so a set equals the single what-if with the same parameters, to the
 * cent), plus the ranking metrics a search compares: win rate, profit factor, expectancy and the
 * Sharpe ratio of daily P&L.
 */
import type { RunSummary } from "./run-summary.js";

/** What a set's run of one session contributes: the few figures the totals fold. */
export interface SessionSlice {
  session: string;
  netPnlUsd: number;
  trades: number;
  wins: number;
  /** Σ closed trips' P&L and Σ |closed trips' P&L|: gross wins and losses follow from the two. */
  closedPnlUsd: number;
  tradedPnlUsd: number;
  maxDrawdownUsd: number;
  feesUsd: number;
  unfilled: number;
}

export interface SetFigures {
  sessions: number;
  netPnl: number;
  trades: number;
  winRate: number | null;
  profitFactor: number | null;
  expectancy: number | null;
  /** The largest of the sessions' drawdowns, as `replay`'s totals give it. */
  maxDrawdown: number;
  /** Mean daily P&L over its standard deviation (sample), × √252; null below two sessions or with no spread. */
  sharpe: number | null;
  fees: number;
  unfilled: number;
}

export const RANK_METRICS = [
  "netPnl",
  "sharpe",
  "profitFactor",
  "expectancy",
  "winRate",
  "maxDrawdown",
  "trades",
] as const;
export type RankMetric = (typeof RANK_METRICS)[number];

export function sliceOf(session: string, summary: RunSummary, unfilled: number): SessionSlice {
  return {
    session,
    netPnlUsd: summary.netPnlUsd,
    trades: summary.trades,
    wins: summary.wins,
    closedPnlUsd: summary.closedPnlUsd,
    tradedPnlUsd: summary.tradedPnlUsd,
    maxDrawdownUsd: summary.maxDrawdownUsd,
    feesUsd: summary.feesUsd,
    unfilled,
  };
}

const cents = (x: number) => Math.round(x * 100) / 100;
const sum = (slices: readonly SessionSlice[], pick: (s: SessionSlice) => number) =>
  cents(slices.reduce((n, s) => n + pick(s), 0));

export function setFigures(slices: readonly SessionSlice[]): SetFigures {
  const trades = slices.reduce((n, s) => n + s.trades, 0);
  const wins = slices.reduce((n, s) => n + s.wins, 0);
  const closed = sum(slices, (s) => s.closedPnlUsd);
  const traded = sum(slices, (s) => s.tradedPnlUsd);
  // closed = won − lost, traded = won + lost.
  const won = (traded + closed) / 2;
  const lost = (traded - closed) / 2;
  const daily = slices.map((s) => s.netPnlUsd);
  const mean = daily.reduce((a, b) => a + b, 0) / Math.max(1, daily.length);
  const sd =
    daily.length < 2 ? 0 : Math.sqrt(daily.reduce((a, x) => a + (x - mean) ** 2, 0) / (daily.length - 1));
  return {
    sessions: slices.length,
    netPnl: sum(slices, (s) => s.netPnlUsd),
    trades,
    winRate: trades === 0 ? null : Math.round((wins / trades) * 100) / 100,
    profitFactor: lost <= 0 ? null : Math.round((won / lost) * 100) / 100,
    expectancy: trades === 0 ? null : cents(closed / trades),
    maxDrawdown: Math.max(0, ...slices.map((s) => s.maxDrawdownUsd)),
    sharpe: sd === 0 ? null : Math.round((mean / sd) * Math.sqrt(252) * 100) / 100,
    fees: sum(slices, (s) => s.feesUsd),
    unfilled: slices.reduce((n, s) => n + s.unfilled, 0),
  };
}

/** Better first: higher is better but for drawdown; a metric a set lacks (null) ranks last. */
export function compareBy(metric: RankMetric): (a: SetFigures, b: SetFigures) => number {
  const sign = metric === "maxDrawdown" ? 1 : -1;
  return (a, b) => {
    const x = a[metric];
    const y = b[metric];
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return sign * (x - y);
  };
}
