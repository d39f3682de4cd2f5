/**
 * The one place that turns an instant into a trading session: the calendar date in
 * America/New_York (STYLE: a trading session is a YYYY-MM-DD computed in one place).
 */
import type { SessionId } from "./catalogue.js";

// Built on first use: loading the time-zone data costs start-up time that `verify` never needs.
let newYorkFormat: Intl.DateTimeFormat | undefined;
const newYorkPartsFormat = (): Intl.DateTimeFormat =>
  (newYorkFormat ??= new Intl.DateTimeFormat("en-US", {
    timeZone: "America/New_York",
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    weekday: "short",
  }));

/** The trading session (New York calendar date) of an instant: `tradingSessionOf(ms) → "2026-02-04"`. */
export function tradingSessionOf(timeMs: number): SessionId {
  return newYorkParts(timeMs).date;
}

export interface NewYorkParts {
  date: SessionId;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/**
 * Intl is slow (microseconds a call) and replay asks for every bar: parts are cached per minute
 * (time-zone offsets only change on whole minutes), seconds derived from the instant.
 */
const minuteCache = new Map<number, Omit<NewYorkParts, "second">>();

/** The last instant's parts, by whole second: replay asks again and again for the same event time. */
let lastSecond = Number.NaN;
let lastParts: Readonly<NewYorkParts> | undefined;

/** Wall-clock parts of an instant in New York (a shared, frozen object: read it, do not change it). */
export function newYorkParts(timeMs: number): Readonly<NewYorkParts> {
  const second = Math.floor(timeMs / 1000);
  if (second === lastSecond && lastParts) return lastParts;
  const minute = Math.floor(timeMs / 60_000);
  let cached = minuteCache.get(minute);
  if (!cached) {
    const parts = Object.fromEntries(
      newYorkPartsFormat()
        .formatToParts(minute * 60_000)
        .map((p) => [p.type, p.value]),
    );
    cached = {
      date: `${parts.year}-${parts.month}-${parts.day}`,
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      weekday: WEEKDAYS.indexOf(parts.weekday ?? ""),
    };
    if (minuteCache.size > 50_000) minuteCache.clear();
    minuteCache.set(minute, cached);
  }
  lastSecond = second;
  lastParts = Object.freeze({ ...cached, second: second - minute * 60 });
  return lastParts;
}

/** `newYorkTimeToMs` answers by its arguments: strategies ask for the same open and close each cycle. */
const wallClockCache = new Map<string, number>();

/**
 * The epoch ms of a New York wall-clock time: `newYorkTimeToMs("2026-02-04", 9, 30) → 09:30 ET`.
 * Handles EST/EDT by asking Intl for the offset at that instant.
 */
export function newYorkTimeToMs(date: SessionId, hour: number, minute: number, second = 0): number {
  const key = `${date} ${hour} ${minute} ${second}`;
  const known = wallClockCache.get(key);
  if (known !== undefined) return known;
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, m - 1, d, hour, minute, second);
  // Guess with the UTC instant, then correct by the offset New York had then (twice, for DST edges).
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const p = newYorkParts(guess);
    const [py, pm, pd] = p.date.split("-").map(Number) as [number, number, number];
    const shown = Date.UTC(py, pm - 1, pd, p.hour, p.minute, p.second);
    guess += asUtc - shown;
  }
  if (wallClockCache.size > 10_000) wallClockCache.clear();
  wallClockCache.set(key, guess);
  return guess;
}

/** Regular trading hours: 09:30–16:00 New York, Monday to Friday (holidays are the caller's calendar). */
export function isRegularTradingHours(timeMs: number): boolean {
  const p = newYorkParts(timeMs);
  if (p.weekday === 0 || p.weekday === 6) return false;
  const minutes = p.hour * 60 + p.minute;
  return minutes >= 9 * 60 + 30 && minutes < 16 * 60;
}
