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

/** Before the open, the session is the previous one (IB shows it until the new one opens). */
export function dayPrices(market: SimMarket, symbol: string, nowMs: number): DayPrices {
  let day = lastTradingDay(nowMs);
  if (nowMs < regularHours(day).openMs) day = lastTradingDay(regularHours(day).openMs - HALF_DAY_MS);
  const { openMs, closeMs } = regularHours(day);
  const previous = lastTradingDay(openMs - HALF_DAY_MS);
  const close = Math.round(market.priceAt(symbol, regularHours(previous).closeMs) * 100) / 100;
  const until = Math.min(nowMs, closeMs);
  const minutes = Math.floor((until - openMs) / 60_000);
  const bars = minutes > 0 ? market.bars(symbol, until, minutes) : [];
  const now = Math.round(market.priceAt(symbol, until) * 100) / 100;
  const open = bars[0]?.open ?? Math.round(market.priceAt(symbol, openMs) * 100) / 100;
  let high = Math.max(open, now);
  let low = Math.min(open, now);
  for (const bar of bars) {
    high = Math.max(high, bar.high);
    low = Math.min(low, bar.low);
  }
  return { open, high, low, close };
}
