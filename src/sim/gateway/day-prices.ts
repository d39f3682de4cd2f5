/**
 * The session's open, high, low and the previous close of a stock, as a snapshot's ticks 14, 6,
 * 7 and 9 carry them, and the day's volume and last print (ticks 8 and 4), from the same bars
 * historical requests return (so the two agree).
 */
import { asOption, type BookContract } from "../book/index.js";
import {
  dayMinuteBars,
  lastTradingDay,
  optionDayTrades,
  regularHours,
  type SimMarket,
} from "../market/index.js";

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
function sessionDay(nowMs: number): string {
  const day = lastTradingDay(nowMs);
  return nowMs < regularHours(day).openMs ? lastTradingDay(regularHours(day).openMs - HALF_DAY_MS) : day;
}

/** A stock's open, high and low of the session so far and the previous session's close. */
export function dayPrices(market: SimMarket, symbol: string, nowMs: number): DayPrices {
  const day = sessionDay(nowMs);
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

/** What the day has traded so far: volume (shares or contracts) and an option's last print. */
export interface DayTrades {
  volume: number;
  /** An option's last print (undefined before its first); a stock trades all the time, its quote's last. */
  lastPrint?: number;
}

/**
 * The session's volume so far, as IB's volume tick carries it (a real gateway's is the day's
 * cumulative volume, not a constant): a stock's completed minutes from 04:00 (the consolidated
 * volume counts the extended hours, as a `1 day` TRADES bar without useRTH does), an option's
 * prints in the regular session, and with them its last print (a snapshot's last is the last
 * trade, which on a thinly traded option can be minutes old).
 */
export function dayTrades(market: SimMarket, c: BookContract, nowMs: number): DayTrades {
  const day = sessionDay(nowMs);
  if (c.secType === "OPT")
    return optionDayTrades(market, asOption(c), day, Math.min(nowMs, regularHours(day).closeMs));
  let volume = 0;
  for (const bar of dayMinuteBars(market, c.symbol, day, false))
    if (bar.timeMs + 60_000 <= nowMs) volume += bar.volume;
  return { volume };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
