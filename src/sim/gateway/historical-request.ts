/**
 * A historical data request read as IB reads it: the duration is a window of time ending at
 * `endDateTime` (not a count of bars), the bar size one of IB's legal settings, and the pair
 * held to IB's step sizes. What IB refuses comes back as the error IB sends (321 for a setting
 * it cannot parse, 162 from HMDS for a combination it will not serve).
 */
import { newYorkParts, newYorkTimeToMs } from "../../events/index.js";
import type { BarStep, WhatToShow } from "../market/index.js";
import { addDays, isTradingDay, regularHours } from "../market/index.js";

/** A request the simulator can answer: the window, the step, and what to show. */
export interface HistoryQuery {
  readonly startMs: number;
  readonly endMs: number;
  readonly step: BarStep;
  /** The step in seconds (a day counts 86,400), for IB's step-size table and pacing. */
  readonly stepSeconds: number;
  readonly rth: boolean;
  readonly what: WhatToShow;
}

/** A refusal, as the gateway words it on the request id. */
export interface HistoryRefusal {
  readonly code: 321 | 162;
  readonly text: string;
}

const HMDS = "Historical Market Data Service error message:";
const LEGAL_BAR_SIZES =
  "1 secs, 5 secs, 10 secs, 15 secs, 30 secs, 1 min, 2 mins, 3 mins, 5 mins, 10 mins, 15 mins, 20 mins, 30 mins, 1 hour, 2 hours, 3 hours, 4 hours, 8 hours, 1 day, 1W, 1M";

/** IB's bar size settings (its error message lists the same ones), by the text a client sends. */
const INTRADAY: ReadonlyArray<readonly [string, number]> = [
  ["1 secs", 1],
  ["5 secs", 5],
  ["10 secs", 10],
  ["15 secs", 15],
  ["30 secs", 30],
  ["1 min", 60],
  ["2 mins", 120],
  ["3 mins", 180],
  ["5 mins", 300],
  ["10 mins", 600],
  ["15 mins", 900],
  ["20 mins", 1200],
  ["30 mins", 1800],
  ["1 hour", 3600],
  ["2 hours", 7200],
  ["3 hours", 10_800],
  ["4 hours", 14_400],
  ["8 hours", 28_800],
];
type BarSize = { step: BarStep; seconds: number };
const BAR_SIZES: ReadonlyMap<string, BarSize> = new Map<string, BarSize>([
  ...INTRADAY.map(([name, seconds]): [string, BarSize] => [name, { step: { unit: "s", seconds }, seconds }]),
  ["1 day", { step: { unit: "day" }, seconds: 86_400 }],
  ["1 week", { step: { unit: "week" }, seconds: 604_800 }],
  ["1W", { step: { unit: "week" }, seconds: 604_800 }],
  ["1 month", { step: { unit: "month" }, seconds: 2_592_000 }],
  ["1M", { step: { unit: "month" }, seconds: 2_592_000 }],
]);

/**
 * IB's step sizes (TWS API "historical limitations"): up to each duration, the smallest bar it
 * serves. A smaller bar would be too many bars: HMDS refuses it.
 */
const STEP_SIZES: ReadonlyArray<readonly [maxDurationSeconds: number, minBarSeconds: number]> = [
  [1800, 1],
  [3600, 5],
  [14_400, 10],
  [28_800, 30],
  [86_400, 60],
  [172_800, 120],
  [604_800, 180],
  [2_678_400, 1800],
  [Number.POSITIVE_INFINITY, 86_400],
];

type Duration = { unit: "S" | "D" | "W" | "M" | "Y"; n: number };

function parseDuration(text: string): Duration | null {
  const m = /^(\d+) ([SDWMY])$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return n > 0 ? { n, unit: m[2] as Duration["unit"] } : null;
}

/** A duration's nominal length for IB's step-size table (a month is 31 days, a year 365). */
function nominalSeconds(d: Duration): number {
  const unit = { S: 1, D: 86_400, W: 604_800, M: 2_678_400, Y: 31_536_000 }[d.unit];
  return d.n * unit;
}

/** The date `n` months before a YYYY-MM-DD (clamped to the month's last day). */
function monthsBefore(date: string, n: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 - n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last)))
    .toISOString()
    .slice(0, 10);
}

/**
 * The window's start: `n S` is n seconds; `n D` is n trading days (the end's day counts, from its
 * session's start); weeks, months and years are calendar spans back from the end.
 */
function windowStart(endMs: number, d: Duration, rth: boolean): number {
  if (d.unit === "S") return endMs - d.n * 1000;
  const end = newYorkParts(endMs);
  if (d.unit === "D") {
    let day = end.date;
    while (!isTradingDay(day)) day = addDays(day, -1);
    for (let i = 1; i < d.n; i++) {
      day = addDays(day, -1);
      while (!isTradingDay(day)) day = addDays(day, -1);
    }
    return rth ? regularHours(day).openMs : newYorkTimeToMs(day, 4, 0);
  }
  const back =
    d.unit === "W" ? addDays(end.date, -7 * d.n) : monthsBefore(end.date, d.unit === "M" ? d.n : 12 * d.n);
  return newYorkTimeToMs(back, end.hour, end.minute, end.second);
}

/**
 * `endDateTime` as IB accepts it: empty (now), `yyyyMMdd HH:mm:ss` in the gateway's zone (New
 * York here), the same with a zone (`US/Eastern`, `America/New_York`, `UTC`, `GMT`), or
 * `yyyyMMdd-HH:mm:ss` in UTC. Null when it is none of these.
 */
export function parseEndDateTime(text: string, nowMs: number): number | null {
  const t = text.trim();
  if (t === "") return nowMs;
  const utc = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})$/.exec(t);
  if (utc) {
    const [, y, mo, d, h, mi, s] = utc.map(Number) as number[];
    return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  }
  const local = /^(\d{4})(\d{2})(\d{2}) {1,2}(\d{2}):(\d{2}):(\d{2})(?: (\S+))?$/.exec(t);
  if (!local) return null;
  const [, y, mo, d, h, mi, s, zone] = local as unknown as string[];
  if (zone === "UTC" || zone === "GMT")
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (zone !== undefined && zone !== "US/Eastern" && zone !== "America/New_York" && zone !== "EST5EDT")
    return null;
  return newYorkTimeToMs(`${y}-${mo}-${d}`, Number(h), Number(mi), Number(s));
}

const WHAT_TO_SHOW: ReadonlySet<string> = new Set(["TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK"]);

/**
 * The volatilities HMDS computes for an underlying, not for an option: an option asking for one
 * gets 162 naming IB's volatility source, as a real gateway words it ("No historical market data
 * for SPY/OPT@IBVOL OptionImpliedVol 3600", ib_insync issue #458; the historical one by analogy).
 */
const UNDERLYING_ONLY: ReadonlyMap<string, string> = new Map([
  ["OPTION_IMPLIED_VOLATILITY", "OptionImpliedVol"],
  ["HISTORICAL_VOLATILITY", "HistoricalVol"],
]);

/**
 * Reads a request's settings against IB's rules for the contract (a stock by default), or says
 * how IB refuses it.
 *
 * @example readHistoryQuery({ endDateTime: "", durationStr: "3600 S", barSizeSetting: "1 min",
 *   useRTH: 1, whatToShow: "TRADES" }, now) // → a window of the last hour, 1-minute steps
 */
export function readHistoryQuery(
  request: {
    endDateTime: string;
    durationStr: string;
    barSizeSetting: string;
    useRTH: number;
    whatToShow: string;
  },
  nowMs: number,
  contract: { symbol: string; secType: string } = { symbol: "", secType: "STK" },
): HistoryQuery | HistoryRefusal {
  const bar = BAR_SIZES.get(request.barSizeSetting.trim());
  if (!bar)
    return {
      code: 321,
      text: `Error validating request.-'bK' : cause - Historical data bar size setting is invalid. Legal ones are: ${LEGAL_BAR_SIZES}`,
    };
  const duration = parseDuration(request.durationStr);
  if (!duration)
    return {
      code: 321,
      text: `Error validating request.-'bK' : cause - Historical data duration format is invalid: "${request.durationStr}" (say "<n> S", D, W, M or Y)`,
    };
  if (duration.unit === "S" && duration.n > 86_400)
    return { code: 162, text: `${HMDS}Time length exceed max.` };
  const end = parseEndDateTime(request.endDateTime, nowMs);
  if (end === null)
    return {
      code: 321,
      text: `Error validating request.-'bK' : cause - End date/time format is invalid: "${request.endDateTime}" (say yyyyMMdd HH:mm:ss US/Eastern or yyyyMMdd-HH:mm:ss)`,
    };
  const what = request.whatToShow.trim().toUpperCase();
  const volatility = contract.secType === "OPT" ? UNDERLYING_ONLY.get(what) : undefined;
  if (volatility)
    return {
      code: 162,
      text: `${HMDS}No historical market data for ${contract.symbol}/OPT@IBVOL ${volatility} ${bar.seconds}`,
    };
  if (!WHAT_TO_SHOW.has(what))
    return {
      code: 321,
      text: `Error validating request.-'bK' : cause - Historical data query: invalid whatToShow "${request.whatToShow}" for this contract (TRADES, MIDPOINT, BID, ASK, BID_ASK)`,
    };
  const durationSeconds = nominalSeconds(duration);
  const minBar = STEP_SIZES.find(([max]) => durationSeconds <= max)![1];
  if (bar.seconds < minBar) return { code: 162, text: `${HMDS}Time length exceed max.` };
  const rth = request.useRTH !== 0;
  // A window reaching past now ends now: HMDS has no bars from the future.
  const endMs = Math.min(end, nowMs);
  let startMs = windowStart(endMs, duration, rth);
  // Day, week and month bars are whole days: a window opening mid-day starts with the next day.
  // An `n D` window opens at its first day's session (09:30, or 04:00 without useRTH), which is
  // that whole day: `1 D` of `1 day` is today's bar so far, as IB answers it.
  if (bar.step.unit !== "s" && duration.unit !== "D") {
    const first = newYorkParts(startMs);
    if (first.hour * 3600 + first.minute * 60 + first.second > 0)
      startMs = newYorkTimeToMs(addDays(first.date, 1), 0, 0);
  }
  return {
    startMs,
    endMs,
    step: bar.step,
    stepSeconds: bar.seconds,
    rth,
    what: what as WhatToShow,
  };
}

/** True when `readHistoryQuery` refused the request. */
export function isRefusal(q: HistoryQuery | HistoryRefusal): q is HistoryRefusal {
  return "code" in q;
}
