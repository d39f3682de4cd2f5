/**
 * Historical bars as IB's HMDS builds them from the simulated market: 1-minute trade bars for the
 * regular session and for the extended hours the stocks trade (04:00–09:30 and 16:00–20:00 New
 * York, 13:00–17:00 after an early close, as contract details' tradingHours say), cut to a window
 * and aggregated to the requested bar size, for TRADES, MIDPOINT, BID, ASK or BID_ASK.
 */
import { newYorkParts, newYorkTimeToMs } from "../../events/index.js";
import { addDays, isTradingDay, regularHours } from "./calendar.js";
import { hash32, mulberry32, type SimBar, type SimMarket } from "./market.js";

/** What the bars show: trades, or the quote's midpoint, bid, ask, or both sides. */
export type WhatToShow = "TRADES" | "MIDPOINT" | "BID" | "ASK" | "BID_ASK";

/** A bar size: seconds for intraday sizes, or a calendar unit for day, week and month bars. */
export type BarStep = { unit: "s"; seconds: number } | { unit: "day" | "week" | "month" };

/** One bar as HMDS answers it; `volume`, `wap` and `count` are −1 where the data has none (quotes). */
export interface HistoryBar extends SimBar {
  /** Daily and longer bars carry a date (`yyyyMMdd`) instead of a time. */
  readonly daily: boolean;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
/** Pre-market opens at 04:00, the after-hours session lasts four hours past the close. */
const PRE_OPEN_MINUTE = 4 * 60;
const AFTER_HOURS_MINUTES = 240;
/** Extended-hours prints are thin: a few thousand shares a minute, not tens of thousands. */
const THIN_VOLUME = 500;

const cache = new WeakMap<SimMarket, Map<string, readonly SimBar[]>>();

function cached(market: SimMarket, key: string, build: () => SimBar[]): readonly SimBar[] {
  let map = cache.get(market);
  if (!map) {
    map = new Map();
    cache.set(market, map);
  }
  const hit = map.get(key);
  if (hit) return hit;
  const bars = build();
  if (map.size > 128) map.delete(map.keys().next().value as string);
  map.set(key, bars);
  return bars;
}

/** A minute path from `from` to `to` over `n` minutes (a Brownian bridge), or a free walk when `to` is null. */
function extendedPath(
  random: () => number,
  from: number,
  to: number | null,
  n: number,
  vol: number,
): number[] {
  const walk = [from];
  for (let i = 1; i <= n; i++) {
    const u = Math.max(random(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    walk.push(walk[i - 1]! * Math.exp(vol * z));
  }
  if (to === null) return walk;
  // Bend the walk so it lands on `to`: the pre-market ends where the regular session opens.
  const miss = Math.log(to / walk[n]!);
  return walk.map((p, i) => p * Math.exp((miss * i) / n));
}

function minuteBarsOf(path: readonly number[], startMs: number, random: () => number): SimBar[] {
  const out: SimBar[] = [];
  for (let m = 0; m + 1 < path.length; m++) {
    const o = path[m]!;
    const c = path[m + 1]!;
    const volume = THIN_VOLUME + Math.floor(random() * 4_500);
    out.push({
      timeMs: startMs + m * 60_000,
      open: round2(o),
      high: round2(Math.max(o, c) + Math.abs(c - o) * 0.3 + o * 0.0001),
      low: round2(Math.min(o, c) - Math.abs(c - o) * 0.3 - o * 0.0001),
      close: round2(c),
      volume,
      wap: round2((o + c) / 2),
      count: Math.max(1, Math.floor(volume / 100)),
    });
  }
  return out;
}

function previousTradingDay(date: string): string {
  let day = addDays(date, -1);
  while (!isTradingDay(day)) day = addDays(day, -1);
  return day;
}

/**
 * The day's 1-minute trade bars, oldest first: the regular session only (`rth`), or 04:00 to the
 * end of the after-hours session. A closed day has none.
 */
export function dayMinuteBars(
  market: SimMarket,
  symbol: string,
  date: string,
  rth: boolean,
): readonly SimBar[] {
  const regular = market.rthBars(symbol, date);
  if (rth || regular.length === 0) return regular;
  return cached(market, `${symbol}|${date}|all`, () => {
    const spec = market.spec(symbol)!;
    const minuteVol = spec.pathVol / Math.sqrt(252 * 390) / 2;
    const { openMs, closeMs } = regularHours(date);
    const path = market.dayPath(symbol, date);
    const random = mulberry32(hash32(`${market.seed}|${symbol}|${date}|extended`));
    const yesterday = market.dayPath(symbol, previousTradingDay(date));
    const preStartMs = newYorkTimeToMs(date, PRE_OPEN_MINUTE / 60, 0);
    const preMinutes = Math.round((openMs - preStartMs) / 60_000);
    const pre = extendedPath(random, yesterday[yesterday.length - 1]!, path[0]!, preMinutes, minuteVol);
    const closeMinute = Math.round((closeMs - openMs) / 60_000);
    const post = extendedPath(random, path[closeMinute]!, null, AFTER_HOURS_MINUTES, minuteVol);
    return [...minuteBarsOf(pre, preStartMs, random), ...regular, ...minuteBarsOf(post, closeMs, random)];
  });
}

/** Trading days from `fromMs` to `toMs` (New York dates), oldest first. */
function daysBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  const last = newYorkParts(Math.max(fromMs, toMs - 1)).date;
  for (let day = newYorkParts(fromMs).date; day <= last; day = addDays(day, 1))
    if (isTradingDay(day)) out.push(day);
  return out;
}

/** The quote side a bar shows: the sim quotes one cent either side of the trade path. */
function quoteBar(bar: SimBar, what: WhatToShow): SimBar {
  const shift = what === "BID" ? -0.01 : what === "ASK" ? 0.01 : 0;
  const shifted = (x: number) => round2(x + shift);
  if (what === "BID_ASK")
    // IB's BID_ASK bar: open = time-average bid, high = max ask, low = min bid, close = time-average ask.
    return {
      ...bar,
      open: round2(bar.wap - 0.01),
      high: round2(bar.high + 0.01),
      low: round2(bar.low - 0.01),
      close: round2(bar.wap + 0.01),
      volume: -1,
      wap: -1,
      count: -1,
    };
  return {
    ...bar,
    open: shifted(bar.open),
    high: shifted(bar.high),
    low: shifted(bar.low),
    close: shifted(bar.close),
    volume: -1,
    wap: -1,
    count: -1,
  };
}

/**
 * Splits a minute bar into `n` bars of 60/n seconds: prices along the minute's line, the minute's
 * high reached a third of the way in and its low at two thirds, volume and count shared out, so
 * the parts aggregate back to the minute.
 */
function splitMinute(bar: SimBar, n: number): SimBar[] {
  const out: SimBar[] = [];
  const at = (i: number) => round2(bar.open + ((bar.close - bar.open) * i) / n);
  for (let i = 0; i < n; i++) {
    const open = at(i);
    const close = i === n - 1 ? bar.close : at(i + 1);
    let high = Math.max(open, close);
    let low = Math.min(open, close);
    if (i === Math.floor(n / 3)) high = bar.high;
    if (i === Math.floor((2 * n) / 3)) low = bar.low;
    const share = (total: number) => Math.floor(total / n) + (i === n - 1 ? total % n : 0);
    out.push({
      timeMs: bar.timeMs + (i * 60_000) / n,
      open,
      high,
      low,
      close,
      volume: share(bar.volume),
      wap: round2((open + close) / 2),
      count: share(bar.count),
    });
  }
  return out;
}

/**
 * The key of the bar a minute of `date` falls in: clock-aligned in New York for intraday steps
 * (hours from midnight; arithmetic on the day's midnight, no calendar per bar), the day, its
 * Monday's date or its month for longer steps.
 */
function bucketKeyOf(date: string, step: BarStep): (timeMs: number) => string | number {
  if (step.unit === "s") {
    const midnightMs = newYorkTimeToMs(date, 0, 0);
    const stepMs = step.seconds * 1000;
    return (timeMs) => timeMs - ((timeMs - midnightMs) % stepMs);
  }
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  const key =
    step.unit === "day"
      ? date
      : step.unit === "month"
        ? date.slice(0, 7)
        : addDays(date, -((weekday + 6) % 7));
  return () => key;
}

/** Folds bars of one bucket: open first, high max, low min, close last, volume summed, WAP volume-weighted. */
export function aggregate(bars: readonly SimBar[], daily: boolean, quotes: boolean): HistoryBar {
  const first = bars[0]!;
  let high = first.high;
  let low = first.low;
  let volume = 0;
  let count = 0;
  let pv = 0;
  for (const b of bars) {
    if (b.high > high) high = b.high;
    if (b.low < low) low = b.low;
    volume += b.volume;
    count += b.count;
    pv += b.wap * b.volume;
  }
  return {
    timeMs: first.timeMs,
    open: first.open,
    high,
    low,
    close: bars[bars.length - 1]!.close,
    volume: quotes ? -1 : volume,
    // HMDS sends the average to more places than the prices (three, as real captures show).
    wap: quotes ? -1 : volume > 0 ? Math.round((pv / volume) * 1000) / 1000 : first.wap,
    count: quotes ? -1 : count,
    daily,
  };
}

/** One bar of the underlying inside a window, at the request's grain, with its bucket and day. */
export type WindowVisit = (bar: SimBar, spanMs: number, key: string | number, day: string) => void;

/**
 * Visits the bars of `symbol` over [`startMs`, `endMs`), oldest first: every minute that ends
 * inside the window (the one a window opens in counts, so "3600 S" asked at 10:30:00.2 is 60 bars
 * from 09:30; a minute still forming is not served), split into parts under a minute, each with
 * the key of the `step` bucket it folds into. `servedDay` skips the days a series has no data.
 */
export function walkWindow(
  market: SimMarket,
  symbol: string,
  window: { startMs: number; endMs: number },
  step: BarStep,
  rth: boolean,
  visit: WindowVisit,
  servedDay: (day: string) => boolean = () => true,
): void {
  // Bars under a minute: split each minute, then group as usual (a minute never spans two buckets).
  const split = step.unit === "s" && step.seconds < 60 ? 60 / step.seconds : 1;
  for (const day of daysBetween(window.startMs, window.endMs)) {
    if (!servedDay(day)) continue;
    const keyOf = bucketKeyOf(day, step);
    const bars = dayMinuteBars(market, symbol, day, rth);
    // A day's minutes are contiguous: index straight to the window's first one.
    const first = bars[0]?.timeMs ?? 0;
    for (let i = Math.max(0, Math.floor((window.startMs - first) / 60_000) - 1); i < bars.length; i++) {
      const bar = bars[i]!;
      if (bar.timeMs + 60_000 > window.endMs) break;
      if (bar.timeMs + 60_000 <= window.startMs) continue;
      if (split === 1) visit(bar, 60_000, keyOf(bar.timeMs), day);
      else for (const part of splitMinute(bar, split)) visit(part, 60_000 / split, keyOf(part.timeMs), day);
    }
  }
}

/** Bars grouped by consecutive bucket keys, each group folded by `fold` when the key changes. */
export function bucketFolder(fold: (bars: readonly SimBar[]) => HistoryBar): {
  add: (bar: SimBar, key: string | number) => void;
  done: () => HistoryBar[];
} {
  const out: HistoryBar[] = [];
  let group: SimBar[] = [];
  let key: string | number | undefined;
  return {
    add(bar, k) {
      if (k !== key && group.length) {
        out.push(fold(group));
        group = [];
      }
      key = k;
      group.push(bar);
    },
    done() {
      if (group.length) out.push(fold(group));
      group = [];
      return out;
    },
  };
}

/**
 * Bars of `symbol` over [`startMs`, `endMs`), aggregated to `step`, oldest first (the window's
 * minutes as `walkWindow` reads them).
 */
export function historyBars(
  market: SimMarket,
  symbol: string,
  window: { startMs: number; endMs: number },
  step: BarStep,
  rth: boolean,
  what: WhatToShow,
): HistoryBar[] {
  const daily = step.unit !== "s";
  const folder = bucketFolder((group) => aggregate(group, daily, false));
  walkWindow(market, symbol, window, step, rth, (bar, _span, key) => folder.add(bar, key));
  const out = folder.done();
  return what !== "TRADES" ? out.map((b) => ({ ...quoteBar(b, what), daily: b.daily })) : out;
}
