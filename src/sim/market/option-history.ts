/**
 * Historical bars of a listed option, as HMDS serves them for a live one: priced minute by minute
 * from the underlying's own bars with the Black–Scholes model and smile the snapshots use, so a
 * bar closing at an instant closes where a snapshot then is. Options trade in the regular session
 * only (useRTH 0 adds nothing), and only from the day their expiry was listed to the expiry.
 *
 * - MIDPOINT, BID, ASK: the snapshot's quote rule (`optionSides`) at the bar's open and close and at
 *   the underlying's high and low inside it; BID_ASK as IB's (open the average bid, high the highest
 *   ask, low the lowest bid, close the average ask); volume, WAP and count −1.
 * - TRADES: thin prints (most minutes have none) at the model price on the tick, as a snapshot's
 *   last; a bar without a print is flat at the last print with volume and count 0, as IB sends one.
 *   The prints are placed to the second, so bars of any size fold from the same prints.
 */
import { newYorkTimeToMs } from "../../events/index.js";
import { addDays, isTradingDay, regularHours } from "./calendar.js";
import {
  aggregate,
  type BarStep,
  bucketFolder,
  type HistoryBar,
  type WhatToShow,
  walkWindow,
} from "./history.js";
import {
  hash32,
  mulberry32,
  optionSides,
  optionTick,
  type SimBar,
  type SimMarket,
  type SimOption,
} from "./market.js";

/** The day's prints of one option: times (ms), prices and sizes, oldest first. */
interface DayPrints {
  readonly timeMs: Float64Array;
  readonly priceUsd: Float64Array;
  readonly size: Uint16Array;
}

const PRINT_CACHE_LIMIT = 256;
const prints = new WeakMap<SimMarket, Map<string, DayPrints>>();

const isoOf = (yyyymmdd: string) => `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
/** Half-cent grid: a midpoint of two cent prices, without the float's tail. */
const halfCent = (x: number) => Math.round(x * 200) / 200;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * The first trading day the chain lists `expiry` (YYYYMMDD): the head of the option's history.
 * Listing only grows as the expiry nears (dailies ten days out, weeklies eight Fridays, monthlies a
 * year, LEAPS two Januaries), so the first day is found by bisection over the three years before.
 *
 * @example optionListingDay(market, "20260220") // → "2025-03-03" (a monthly, listed from twelve months out)
 */
export function optionListingDay(market: SimMarket, expiry: string): string {
  let byExpiry = listingDays.get(market);
  if (!byExpiry) {
    byExpiry = new Map();
    listingDays.set(market, byExpiry);
  }
  let day = byExpiry.get(expiry);
  if (day === undefined) {
    day = findListingDay(market, expiry);
    byExpiry.set(expiry, day);
  }
  return day;
}

/** Snapshots ask for it with every option quote: the bisection is done once per market and expiry. */
const listingDays = new WeakMap<SimMarket, Map<string, string>>();

function findListingDay(market: SimMarket, expiry: string): string {
  const listedOn = (day: string) => market.expirations(newYorkTimeToMs(day, 12, 0)).includes(expiry);
  const last = isoOf(expiry);
  let lo = addDays(last, -3 * 366);
  let hi = last;
  if (listedOn(lo)) return firstTradingDayFrom(lo);
  // Invariant: not listed on lo, listed on hi (an expiry is listed on its own day).
  while (daysApart(lo, hi) > 1) {
    const mid = addDays(lo, Math.floor(daysApart(lo, hi) / 2));
    if (listedOn(mid)) hi = mid;
    else lo = mid;
  }
  return firstTradingDayFrom(hi);
}

function firstTradingDayFrom(date: string): string {
  let day = date;
  while (!isTradingDay(day)) day = addDays(day, 1);
  return day;
}

const daysApart = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

/** The option's prints on `day`: an opening print at 09:30:00, then none to three a minute. */
function dayPrints(market: SimMarket, option: SimOption, day: string): DayPrints {
  const key = `${option.symbol}|${option.expiry}|${option.strike}|${option.right}|${day}`;
  let byKey = prints.get(market);
  if (!byKey) {
    byKey = new Map();
    prints.set(market, byKey);
  }
  const hit = byKey.get(key);
  if (hit) return hit;
  const random = mulberry32(hash32(`${market.seed}|${key}|prints`));
  const { openMs, closeMs } = regularHours(day);
  const times: number[] = [];
  const sizes: number[] = [];
  for (let minuteMs = openMs; minuteMs < closeMs; minuteMs += 60_000) {
    const r = random();
    // Most option minutes print nothing: 55 % none, then one, two or three prints.
    let n = r < 0.55 ? 0 : r < 0.8 ? 1 : r < 0.93 ? 2 : 3;
    const seconds: number[] = [];
    if (minuteMs === openMs) {
      seconds.push(0);
      n = Math.max(0, n - 1);
    }
    for (let i = 0; i < n; i++) seconds.push(Math.floor(random() * 60));
    seconds.sort((a, b) => a - b);
    for (const s of seconds) {
      times.push(minuteMs + s * 1000);
      // Mostly a few contracts; now and then a block.
      sizes.push(random() < 0.05 ? 20 + Math.floor(random() * 80) : 1 + Math.floor(random() ** 2 * 10));
    }
  }
  const model = market.optionPricer(option);
  const hours = { openMs, closeMs };
  const out: DayPrints = {
    timeMs: Float64Array.from(times),
    priceUsd: Float64Array.from(times, (t) =>
      Math.max(0.01, optionTick(model(t, market.priceOnDay(option.symbol, day, hours, t)).price)),
    ),
    size: Uint16Array.from(sizes),
  };
  if (byKey.size >= PRINT_CACHE_LIMIT) byKey.delete(byKey.keys().next().value as string);
  byKey.set(key, out);
  return out;
}

/**
 * What an option has traded on `day` in the minutes completed by `untilMs`: the prints' volume and
 * the last one's price (the regular session's `1 day` TRADES bar over those minutes, read straight
 * off the day's prints instead of folding a bar per minute).
 */
export function optionDayTrades(
  market: SimMarket,
  option: SimOption,
  day: string,
  untilMs: number,
): { volume: number; lastPrint?: number } {
  if (day < optionListingDay(market, option.expiry) || day > isoOf(option.expiry)) return { volume: 0 };
  const prints = dayPrints(market, option, day);
  const { openMs } = regularHours(day);
  const completed = openMs + Math.floor((untilMs - openMs) / 60_000) * 60_000;
  const to = lowerBound(prints.timeMs, completed);
  let volume = 0;
  for (let i = 0; i < to; i++) volume += prints.size[i]!;
  return to === 0 ? { volume: 0 } : { volume, lastPrint: prints.priceUsd[to - 1]! };
}

/** The first index of `times` at or after `t` (binary search). */
function lowerBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The TRADES bar of [`startMs`, `startMs + spanMs`): its prints, or flat at the last one. */
function tradesBar(day: DayPrints, startMs: number, spanMs: number): SimBar {
  const from = lowerBound(day.timeMs, startMs);
  const to = lowerBound(day.timeMs, startMs + spanMs);
  if (from === to) {
    // The day opens with a print, so a later bar without one has one before it.
    const last = day.priceUsd[Math.max(0, from - 1)]!;
    return {
      timeMs: startMs,
      open: last,
      high: last,
      low: last,
      close: last,
      volume: 0,
      wap: last,
      count: 0,
    };
  }
  let high = day.priceUsd[from]!;
  let low = high;
  let volume = 0;
  let pv = 0;
  for (let i = from; i < to; i++) {
    const p = day.priceUsd[i]!;
    if (p > high) high = p;
    if (p < low) low = p;
    volume += day.size[i]!;
    pv += p * day.size[i]!;
  }
  return {
    timeMs: startMs,
    open: day.priceUsd[from]!,
    high,
    low,
    close: day.priceUsd[to - 1]!,
    volume,
    wap: Math.round((pv / volume) * 1000) / 1000,
    count: to - from,
  };
}

/**
 * A quote bar of the option over one bar of the underlying: the quote at its open and close, and
 * at the underlying's high and low (mid-bar), which bound the option's price inside the bar.
 */
function quoteBar(
  price: (timeMs: number, spot?: number) => number,
  under: SimBar,
  spanMs: number,
  what: Exclude<WhatToShow, "TRADES">,
): SimBar {
  const endMs = under.timeMs + spanMs;
  const midMs = under.timeMs + spanMs / 2;
  const open = optionSides(price(under.timeMs));
  const close = optionSides(price(endMs));
  const up = optionSides(price(midMs, under.high));
  const down = optionSides(price(midMs, under.low));
  const quotes = [open, close, up, down];
  const side =
    what === "BID"
      ? (q: { bid: number; ask: number }) => q.bid
      : what === "ASK"
        ? (q: { bid: number; ask: number }) => q.ask
        : (q: { bid: number; ask: number }) => halfCent((q.bid + q.ask) / 2);
  const none = { volume: -1, wap: -1, count: -1 };
  if (what === "BID_ASK")
    return {
      timeMs: under.timeMs,
      open: halfCent((open.bid + close.bid) / 2),
      high: Math.max(...quotes.map((q) => q.ask)),
      low: Math.min(...quotes.map((q) => q.bid)),
      close: halfCent((open.ask + close.ask) / 2),
      ...none,
    };
  const values = quotes.map(side);
  return {
    timeMs: under.timeMs,
    open: side(open),
    high: Math.max(...values),
    low: Math.min(...values),
    close: side(close),
    ...none,
  };
}

/**
 * TRADES folds its prints: the bars with volume (a flat bar only carries the last print forward),
 * or, when none has any, the flat price.
 */
function foldTrades(group: readonly SimBar[], daily: boolean): HistoryBar {
  const traded = group.filter((b) => b.volume > 0);
  if (traded.length === 0 || traded.length === group.length) return aggregate(group, daily, false);
  return { ...aggregate(traded, daily, false), timeMs: group[0]!.timeMs };
}

/** BID_ASK folds its averages as averages: the bucket's mean bid and mean ask. */
function foldBidAsk(group: readonly SimBar[], daily: boolean): HistoryBar {
  const bar = aggregate(group, daily, true);
  const mean = (pick: (b: SimBar) => number) => round4(group.reduce((s, b) => s + pick(b), 0) / group.length);
  return { ...bar, open: mean((b) => b.open), close: mean((b) => b.close) };
}

/**
 * Bars of a listed option over [`startMs`, `endMs`), aggregated to `step`, oldest first: the
 * regular-session minutes of the days from its listing to its expiry (see the module comment).
 *
 * @example optionHistoryBars(market, { symbol: "SPY", expiry: "20260220", strike: 690, right: "C" },
 *   { startMs, endMs }, { unit: "s", seconds: 60 }, "MIDPOINT") // → one bar a minute, 09:30 on
 */
export function optionHistoryBars(
  market: SimMarket,
  option: SimOption,
  window: { startMs: number; endMs: number },
  step: BarStep,
  what: WhatToShow,
): HistoryBar[] {
  const daily = step.unit !== "s";
  const listed = optionListingDay(market, option.expiry);
  const expiry = isoOf(option.expiry);
  const servedDay = (day: string) => day >= listed && day <= expiry;
  const folder = bucketFolder((group) =>
    what === "BID_ASK"
      ? foldBidAsk(group, daily)
      : what === "TRADES"
        ? foldTrades(group, daily)
        : aggregate(group, daily, true),
  );
  const model = market.optionPricer(option);
  // The model on the underlying's price then (the snapshots' `priceAt`), or on a given spot.
  let day = "";
  let hours = { openMs: 0, closeMs: 0 };
  const price = (timeMs: number, spot?: number) =>
    model(timeMs, spot ?? market.priceOnDay(option.symbol, day, hours, timeMs)).price;
  // Options trade in the regular session only: the underlying's extended hours are never read.
  walkWindow(
    market,
    option.symbol,
    window,
    step,
    true,
    (under, spanMs, key, barDay) => {
      if (barDay !== day) {
        day = barDay;
        hours = regularHours(day);
      }
      folder.add(
        what === "TRADES"
          ? tradesBar(dayPrints(market, option, day), under.timeMs, spanMs)
          : quoteBar(price, under, spanMs, what),
        key,
      );
    },
    servedDay,
  );
  return folder.done();
}
