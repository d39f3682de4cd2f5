/**
 * The session's open, high, low and the previous close of a stock, as a snapshot's ticks 14, 6,
 * 7 and 9 carry them, from the same one-minute bars historical requests return (so the two agree).
 */
import { lastTradingDay, regularHours, type SimMarket } from "../market/index.js";

export interface DayPrices {
  open: number;
  high: number;
  low: number;
  /** The previous session's close. */
  close: number;
}

const HALF_DAY_MS = 12 * 3_600_000;

/** The completed minutes' part, per market, symbol and minute: snapshots in one minute share it. */
const cache = new WeakMap<SimMarket, Map<string, DayPrices>>();
const CACHE_LIMIT = 64;

/** Before the open, the session is the previous one (IB shows it until the new one opens). */
export function dayPrices(market: SimMarket, symbol: string, nowMs: number): DayPrices {
  let day = lastTradingDay(nowMs);
  if (nowMs < regularHours(day).openMs) day = lastTradingDay(regularHours(day).openMs - HALF_DAY_MS);
  const { openMs, closeMs } = regularHours(day);
  const until = Math.min(nowMs, closeMs);
  const minutes = Math.max(0, Math.floor((until - openMs) / 60_000));
  let byKey = cache.get(market);
  if (!byKey) {
    byKey = new Map();
    cache.set(market, byKey);
  }
  const key = `${symbol}|${day}|${minutes}`;
  let done = byKey.get(key);
  if (!done) {
    const previous = lastTradingDay(openMs - HALF_DAY_MS);
    const bars = minutes > 0 ? market.bars(symbol, openMs + minutes * 60_000, minutes) : [];
    const open = bars[0]?.open ?? round2(market.priceAt(symbol, openMs));
    done = {
      open,
      high: bars.reduce((h, b) => Math.max(h, b.high), open),
      low: bars.reduce((l, b) => Math.min(l, b.low), open),
      close: round2(market.priceAt(symbol, regularHours(previous).closeMs)),
    };
    if (byKey.size >= CACHE_LIMIT) byKey.delete(byKey.keys().next().value as string);
    byKey.set(key, done);
  }
  // The minute under way moves the extremes too.
  const now = round2(market.priceAt(symbol, until));
  return { ...done, high: Math.max(done.high, now), low: Math.min(done.low, now) };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
