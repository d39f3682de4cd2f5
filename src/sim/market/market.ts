/**
 * The seeded market: an intraday path per symbol and day, 1-minute bars, quotes, an option chain,
 * and option prices and greeks from Black–Scholes with a volatility smile. Everything is a pure
 * function of (seed, symbol, time): the same seed and clock give the same answers, byte for byte.
 */
import { newYorkParts, newYorkTimeToMs } from "../../events/index.js";
import { blackScholes, type OptionModel } from "./black-scholes.js";
import { addDays, isTradingDay, regularHours, tradingDaysFrom } from "./calendar.js";

export interface SymbolSpec {
  conId: number;
  basePriceUsd: number;
  /** At-the-money implied volatility. */
  atmVol: number;
  /** Annualised volatility of the simulated path. */
  pathVol: number;
  longName: string;
}

/** The simulated universe; conIds are the real ones, so logs look familiar. */
export const SYMBOLS: Readonly<Record<string, SymbolSpec>> = {
  SPY: { conId: 756733, basePriceUsd: 690, atmVol: 0.16, pathVol: 0.15, longName: "SPDR S&P 500 ETF TRUST" },
  QQQ: {
    conId: 320227571,
    basePriceUsd: 520,
    atmVol: 0.2,
    pathVol: 0.19,
    longName: "INVESCO QQQ TRUST SERIES 1",
  },
  IWM: {
    conId: 9579970,
    basePriceUsd: 230,
    atmVol: 0.22,
    pathVol: 0.21,
    longName: "ISHARES RUSSELL 2000 ETF",
  },
};

export const RISK_FREE_RATE = 0.04;
const MINUTES = 390;
const YEAR_MS = 365 * 86_400_000;

/** A 32-bit hash of a string (FNV-1a), to key the PRNG by seed, symbol and day. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, seedable; the only randomness of the simulator. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export interface SimBar {
  timeMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  count: number;
}

export interface SimQuote {
  bid: number;
  ask: number;
  last: number;
  bidSize: number;
  askSize: number;
  lastSize: number;
}

export interface SimOption {
  symbol: string;
  expiry: string;
  strike: number;
  right: "C" | "P";
}

/** The seeded market. Day paths are cached (390 points per symbol and day). */
export class SimMarket {
  private readonly paths = new Map<string, Float64Array>();
  private readonly expiryLists = new Map<string, ReadonlySet<string>>();
  private readonly strikeLists = new Map<string, readonly number[]>();
  private readonly rthBarLists = new Map<string, readonly SimBar[]>();

  constructor(readonly seed: number) {}

  spec(symbol: string): SymbolSpec | undefined {
    return SYMBOLS[symbol];
  }

  /** The day's path: price at each minute boundary 0..390 (09:30 … 16:00). */
  dayPath(symbol: string, date: string): Float64Array {
    const key = `${symbol}|${date}`;
    const cached = this.paths.get(key);
    if (cached) return cached;
    const spec = SYMBOLS[symbol];
    if (!spec) throw new Error(`unknown symbol ${symbol}`);
    const random = mulberry32(hash32(`${this.seed}|${symbol}|${date}`));
    // Each day opens within ±3 % of the base (a pure function of the date, not of yesterday).
    const open = spec.basePriceUsd * (1 + (random() - 0.5) * 0.06);
    const minuteVol = spec.pathVol / Math.sqrt(252 * MINUTES);
    // A gentle intraday trend so that trend-following strategies have something to find.
    const drift = ((random() - 0.5) * 0.004) / MINUTES;
    const path = new Float64Array(MINUTES + 1);
    path[0] = open;
    for (let m = 1; m <= MINUTES; m++)
      path[m] = path[m - 1]! * Math.exp(drift + minuteVol * gaussian(random));
    this.paths.set(key, path);
    if (this.paths.size > 64) this.paths.delete(this.paths.keys().next().value as string);
    return path;
  }

  /** The underlying's price at an instant (clamped to the session; linear inside a minute). */
  priceAt(symbol: string, timeMs: number): number {
    const date = newYorkParts(timeMs).date;
    const day = isTradingDay(date) ? date : lastTradingDayBefore(date);
    return this.priceOnDay(symbol, day, regularHours(day), timeMs);
  }

  /**
   * `priceAt` on a trading day whose hours the caller has: the same price without the calendar
   * lookups (an option's bars ask for several prices a minute).
   */
  priceOnDay(
    symbol: string,
    day: string,
    hours: { openMs: number; closeMs: number },
    timeMs: number,
  ): number {
    const { openMs, closeMs } = hours;
    const path = this.dayPath(symbol, day);
    const t = Math.min(Math.max(timeMs, openMs), closeMs);
    const minutes = (t - openMs) / 60_000;
    const m = Math.min(Math.floor(minutes), MINUTES - 1);
    const frac = minutes - m;
    return path[m]! + (path[m + 1]! - path[m]!) * frac;
  }

  /** 1-minute RTH bars ending at `endMs` (only completed minutes), at most `count`, oldest first. */
  bars(symbol: string, endMs: number, count: number): SimBar[] {
    const out: SimBar[] = [];
    let date = newYorkParts(endMs).date;
    let end = endMs;
    for (let guard = 0; out.length < count && guard < 10; guard++) {
      if (isTradingDay(date)) {
        const day = this.rthBars(symbol, date);
        const { openMs } = regularHours(date);
        const last = Math.min(Math.floor((end - openMs) / 60_000), day.length) - 1;
        for (let m = last; m >= 0 && out.length < count; m--) out.push(day[m]!);
      }
      date = previousDay(date);
      end = Number.POSITIVE_INFINITY;
    }
    return out.reverse();
  }

  /** The day's 1-minute RTH trade bars, 09:30 … 15:59 (12:59 on an early close); [] on a closed day. */
  rthBars(symbol: string, date: string): readonly SimBar[] {
    const key = `${symbol}|${date}`;
    const cached = this.rthBarLists.get(key);
    if (cached) return cached;
    const out: SimBar[] = [];
    if (isTradingDay(date)) {
      const { openMs, closeMs } = regularHours(date);
      const path = this.dayPath(symbol, date);
      const minutes = Math.min(Math.floor((closeMs - openMs) / 60_000), MINUTES);
      const random = mulberry32(hash32(`${this.seed}|${symbol}|${date}|volume`));
      const volumes = Array.from({ length: MINUTES }, () => 20_000 + Math.floor(random() * 80_000));
      for (let m = 0; m < minutes; m++) {
        const o = path[m]!;
        const c = path[m + 1]!;
        const wiggle = Math.abs(c - o) * 0.3 + o * 0.0002;
        out.push({
          timeMs: openMs + m * 60_000,
          open: round2(o),
          high: round2(Math.max(o, c) + wiggle),
          low: round2(Math.min(o, c) - wiggle),
          close: round2(c),
          volume: volumes[m]!,
          wap: round2((o + c) / 2),
          count: Math.floor(volumes[m]! / 50),
        });
      }
    }
    if (this.rthBarLists.size > 64) this.rthBarLists.delete(this.rthBarLists.keys().next().value as string);
    this.rthBarLists.set(key, out);
    return out;
  }

  /** A stock quote: one-cent spread around the path. */
  stockQuote(symbol: string, timeMs: number): SimQuote {
    const p = this.priceAt(symbol, timeMs);
    const bid = round2(p - 0.01);
    return { bid, ask: round2(bid + 0.02), last: round2(p), bidSize: 300, askSize: 400, lastSize: 100 };
  }

  /**
   * Expirations (YYYYMMDD) as SPY's chain lists them: a daily for each of the next ten trading days,
   * the Fridays of the next eight weeks, the third Fridays of the next twelve months, and January's
   * of the next two years (LEAPS). An expiry on a holiday moves to the trading day before it.
   */
  expirations(timeMs: number): string[] {
    return [...this.expirySet(newYorkParts(timeMs).date)];
  }

  /**
   * The strikes listed for one expiry, as SPY's are: $1 within ±10 % of the day's open up to 45
   * days out; $1 within ±3 % and $5 within ±25 % to a year; $5 within ±40 % beyond (LEAPS). An
   * expiry that is not listed has none.
   */
  strikesFor(symbol: string, expiry: string, timeMs: number): readonly number[] {
    const date = newYorkParts(timeMs).date;
    const key = `${symbol}|${date}|${expiry}`;
    const cached = this.strikeLists.get(key);
    if (cached) return cached;
    let strikes: number[] = [];
    if (this.expirySet(date).has(expiry)) {
      const open = this.dayPath(symbol, isTradingDay(date) ? date : lastTradingDayBefore(date))[0]!;
      const days = (dateUtc(expiry) - dateUtc(date.replaceAll("-", ""))) / 86_400_000;
      const grid = (from: number, to: number, step: number) => {
        const out: number[] = [];
        for (let k = Math.ceil((open * from) / step) * step; k <= open * to; k += step) out.push(k);
        return out;
      };
      if (days <= 45) strikes = grid(0.9, 1.1, 1);
      else if (days <= 366) strikes = [...new Set([...grid(0.75, 1.25, 5), ...grid(0.97, 1.03, 1)])];
      else strikes = grid(0.6, 1.4, 5);
      strikes.sort((a, b) => a - b);
    }
    if (this.strikeLists.size > 512) this.strikeLists.clear();
    this.strikeLists.set(key, strikes);
    return strikes;
  }

  /** True when the chain lists `strike` for `expiry` (a request for another gets error 200). */
  isListed(symbol: string, expiry: string, strike: number, timeMs: number): boolean {
    return this.strikesFor(symbol, expiry, timeMs).includes(strike);
  }

  /** Every strike of every expiry: what option parameters (SECURITY_DEFINITION_OPTION_PARAMETER) list, as IB's do. */
  strikes(symbol: string, timeMs: number): number[] {
    const all = new Set<number>();
    for (const expiry of this.expirations(timeMs))
      for (const k of this.strikesFor(symbol, expiry, timeMs)) all.add(k);
    return [...all].sort((a, b) => a - b);
  }

  private expirySet(date: string): ReadonlySet<string> {
    let set = this.expiryLists.get(date);
    if (set) return set;
    const days = new Set(tradingDaysFrom(date, 10));
    const onOrBefore = (day: string) => {
      let d = day;
      while (!isTradingDay(d)) d = addDays(d, -1);
      return d;
    };
    for (let d = date, n = 0; n < 8; d = addDays(d, 1)) {
      if (weekdayOf(d) !== 5) continue;
      days.add(onOrBefore(d));
      n += 1;
    }
    const [y, m] = date.split("-").map(Number) as [number, number];
    for (let i = 0; i < 12; i++) days.add(onOrBefore(thirdFriday(y, m - 1 + i)));
    for (const year of [y + 1, y + 2]) days.add(onOrBefore(thirdFriday(year, 0)));
    set = new Set(
      [...days]
        .filter((d) => d >= date)
        .sort()
        .map((d) => d.replaceAll("-", "")),
    );
    if (this.expiryLists.size > 64) this.expiryLists.clear();
    this.expiryLists.set(date, set);
    return set;
  }

  /** Implied volatility with a smile: higher away from the money, puts richer (skew). */
  impliedVol(symbol: string, strike: number, spot: number): number {
    const spec = SYMBOLS[symbol]!;
    const m = Math.log(strike / spot);
    return Math.max(0.05, spec.atmVol + 1.5 * m * m - 0.25 * m);
  }

  /**
   * Model price and greeks of an option at an instant, on the underlying's price then (or on
   * `spot`, for a bar's high or low the path touched inside a minute).
   */
  optionModel(
    option: SimOption,
    timeMs: number,
    spot = this.priceAt(option.symbol, timeMs),
  ): OptionModel & { impliedVol: number; underlying: number; years: number } {
    return this.optionPricer(option)(timeMs, spot);
  }

  /** `optionModel` of one option as a function of time and spot, its expiry read once (for bars). */
  optionPricer(
    option: SimOption,
  ): (
    timeMs: number,
    spot: number,
  ) => OptionModel & { impliedVol: number; underlying: number; years: number } {
    const expiryDate = `${option.expiry.slice(0, 4)}-${option.expiry.slice(4, 6)}-${option.expiry.slice(6, 8)}`;
    const expiryMs = newYorkTimeToMs(expiryDate, 16, 0);
    return (timeMs, spot) => {
      const years = Math.max((expiryMs - timeMs) / YEAR_MS, 1 / (365 * 24 * 60));
      const vol = this.impliedVol(option.symbol, option.strike, spot);
      // Fields named, not spread: bars price hundreds of thousands of these.
      const { price, delta, gamma, vega, theta } = blackScholes(
        option.right,
        spot,
        option.strike,
        years,
        RISK_FREE_RATE,
        vol,
      );
      return { price, delta, gamma, vega, theta, impliedVol: vol, underlying: spot, years };
    };
  }

  /** An option quote around the model price, spread wider for pricier options. */
  optionQuote(option: SimOption, timeMs: number): SimQuote {
    const model = this.optionModel(option, timeMs);
    const { bid, ask } = optionSides(model.price);
    return { bid, ask, last: optionTick(model.price), bidSize: 50, askSize: 60, lastSize: 5 };
  }

  /** A deterministic conId for an option contract. */
  optionConId(option: SimOption): number {
    return (
      500_000_000 +
      (hash32(`${option.symbol}|${option.expiry}|${option.strike}|${option.right}`) % 400_000_000)
    );
  }
}

/**
 * The bid and ask around an option's model price: a half-spread of 1 % of the price (at least a
 * cent), bid down and ask up to the cent (the options' market rule is penny-wide throughout).
 */
export function optionSides(priceUsd: number): { bid: number; ask: number } {
  const half = Math.max(0.01, Math.round(priceUsd * 0.01 * 100) / 100);
  return {
    bid: Math.max(0, Math.floor((priceUsd - half) * 100) / 100),
    ask: Math.max(0.01, Math.ceil((priceUsd + half) * 100) / 100),
  };
}

/** An option's model price on its tick (a cent), as its last trade prints. */
export const optionTick = (priceUsd: number) => round2(priceUsd);

/** Midnight UTC of a YYYYMMDD date, for day counts. */
const dateUtc = (yyyymmdd: string) =>
  Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8)));

/** 0 Sunday … 6 Saturday. */
const weekdayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

/** The third Friday of a month (`month` from 0, past 11 rolls into the next years), YYYY-MM-DD. */
function thirdFriday(year: number, month: number): string {
  const first = new Date(Date.UTC(year, month, 1));
  const day = 1 + ((5 - first.getUTCDay() + 7) % 7) + 14;
  return new Date(Date.UTC(year, month, day)).toISOString().slice(0, 10);
}

function previousDay(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

function lastTradingDayBefore(date: string): string {
  let day = date;
  while (!isTradingDay(day)) day = previousDay(day);
  return day;
}
