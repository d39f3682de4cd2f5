/**
 * Round trips sliced by entry hour, weekday, symbol, exit reason or tag, each slice with its sample
 * size: a slice of fewer than MIN_TRADES_TO_JUDGE trades is marked too few to judge, because a win
 * rate over a handful of trades says more about luck than about the setup. The SQL view
 * `v_trade_slices` computes the same (a test holds them equal).
 */
import { newYorkParts } from "../events/index.js";
import { toUsd } from "./money.js";
import type { RoundTrip } from "./round-trips.js";

export const SLICE_DIMENSIONS = ["hour", "weekday", "symbol", "exit", "tag"] as const;
export type SliceDimension = (typeof SLICE_DIMENSIONS)[number];

/** Fewer trades than this in a slice: too few to judge. */
export const MIN_TRADES_TO_JUDGE = 20;

/** The slice of a trade without a tag. */
export const UNTAGGED = "(untagged)";

export interface TradeSlice {
  readonly slice: string;
  readonly trades: number;
  readonly wins: number;
  /** Wins / trades, to four decimals. */
  readonly winRate: number;
  /** Mean P&L per trade (after fees), USD. */
  readonly expectancyUsd: number;
  readonly netPnlUsd: number;
  readonly tooFew: boolean;
}

/** SQLite's ROUND: half away from zero. */
const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x)) || 0;

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/** The slices a trade falls in (a trade with two tags counts in both). */
function slicesOf(
  t: RoundTrip,
  by: SliceDimension,
  tagsOf: (t: RoundTrip) => readonly string[],
): readonly string[] {
  switch (by) {
    case "hour":
      return [`${String(newYorkParts(t.entryTs).hour).padStart(2, "0")}:00`];
    case "weekday":
      return [WEEKDAYS[newYorkParts(t.entryTs).weekday] ?? "?"];
    case "symbol":
      return [t.symbol];
    case "exit":
      return [t.exitReason];
    case "tag": {
      const tags = tagsOf(t);
      return tags.length === 0 ? [UNTAGGED] : tags;
    }
    default: {
      const never: never = by;
      throw new Error(`sliceTrades: unknown dimension ${String(never)}`);
    }
  }
}

/** In reading order: hours and weekdays as the day and week run, the rest by name. */
function order(by: SliceDimension): (a: string, b: string) => number {
  if (by === "weekday") return (a, b) => WEEKDAYS.indexOf(a as never) - WEEKDAYS.indexOf(b as never);
  return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Slice `trades` by `by`. `tagsOf` names a trade's tags (none until notes tag trades).
 *
 * @example
 * sliceTrades(summary.trades, "hour") // [{ slice: "09:00", trades: 3, …, tooFew: true }, …]
 */
export function sliceTrades(
  trades: readonly RoundTrip[],
  by: SliceDimension,
  tagsOf: (t: RoundTrip) => readonly string[] = () => [],
): TradeSlice[] {
  // In cents, as `v_trade_slices` sums `pnl_usd`, so the two agree to the cent.
  const groups = new Map<string, { trades: number; wins: number; cents: number }>();
  for (const t of trades)
    for (const slice of slicesOf(t, by, tagsOf)) {
      const g = groups.get(slice) ?? { trades: 0, wins: 0, cents: 0 };
      groups.set(slice, g);
      g.trades += 1;
      g.wins += t.pnlMicros > 0 ? 1 : 0;
      g.cents += Math.round(toUsd(t.pnlMicros) * 100);
    }
  return [...groups.keys()].sort(order(by)).map((slice) => {
    const g = groups.get(slice)!;
    return {
      slice,
      trades: g.trades,
      wins: g.wins,
      winRate: Math.round((g.wins / g.trades) * 10_000) / 10_000,
      expectancyUsd: roundHalfAway(g.cents / g.trades) / 100,
      netPnlUsd: g.cents / 100,
      tooFew: g.trades < MIN_TRADES_TO_JUDGE,
    };
  });
}
