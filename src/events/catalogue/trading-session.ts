/**
 * The one place that turns an instant into a trading session: the calendar date in
 * America/New_York (STYLE: a trading session is a YYYY-MM-DD computed in one place).
 */
import type { SessionId } from "./catalogue.js";

// Built on first use, and only for instants outside the rule below: loading ICU's time-zone data
// costs ~20 ms of start-up that a command printing a time should not pay.
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
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The Energy Policy Act of 2005 rule, in force since 2007: daylight time from the second Sunday
 * of March at 02:00 EST (07:00 UTC) to the first Sunday of November at 02:00 EDT (06:00 UTC).
 * Arithmetic instead of Intl because it is exact for those years and costs nothing to start; a
 * property test holds it equal to ICU's America/New_York. Other years ask Intl.
 */
const RULE_FIRST_YEAR = 2007;
const RULE_LAST_YEAR = 2099;
const dstSpans = new Map<number, readonly [number, number]>();
function dstSpan(year: number): readonly [number, number] {
  let span = dstSpans.get(year);
  if (!span) {
    const march1 = Date.UTC(year, 2, 1);
    const firstSundayMarch = 1 + ((7 - new Date(march1).getUTCDay()) % 7);
    const nov1 = Date.UTC(year, 10, 1);
    const firstSundayNov = 1 + ((7 - new Date(nov1).getUTCDay()) % 7);
    span = [Date.UTC(year, 2, firstSundayMarch + 7, 7), Date.UTC(year, 10, firstSundayNov, 6)];
    dstSpans.set(year, span);
  }
  return span;
}

/** New York's offset from UTC at an instant, in ms (−5 h or −4 h), or undefined outside the rule's years. */
function ruleOffsetMs(timeMs: number): number | undefined {
  const year = new Date(timeMs).getUTCFullYear();
  if (year < RULE_FIRST_YEAR || year > RULE_LAST_YEAR) return undefined;
  const [start, end] = dstSpan(year);
  return timeMs >= start && timeMs < end ? -4 * HOUR_MS : -5 * HOUR_MS;
}

function partsOfMinute(minuteMs: number): Omit<NewYorkParts, "second"> {
  const offset = ruleOffsetMs(minuteMs);
  if (offset !== undefined) {
    const local = minuteMs + offset;
    const d = new Date(local);
    const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
    const minuteOfDay = Math.floor((local - dayStart) / 60_000);
    return {
      date: `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
      hour: Math.floor(minuteOfDay / 60),
      minute: minuteOfDay % 60,
      weekday: d.getUTCDay(),
    };
  }
  const { second: _, ...parts } = newYorkPartsFromIntl(minuteMs);
  return parts;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * Replay asks for every bar: parts are cached per minute (time-zone offsets only change on whole
 * minutes), seconds derived from the instant.
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
    cached = partsOfMinute(minute * 60_000);
    if (minuteCache.size > 50_000) minuteCache.clear();
    minuteCache.set(minute, cached);
  }
  lastSecond = second;
  lastParts = Object.freeze({ ...cached, second: second - minute * 60 });
  return lastParts;
}

/**
 * Intl's parts for an instant, bypassing the rule: the reference the property test holds the rule to.
 * @internal
 */
export function newYorkPartsFromIntl(timeMs: number): NewYorkParts {
  const minute = Math.floor(timeMs / 60_000);
  const parts = Object.fromEntries(
    newYorkPartsFormat()
      .formatToParts(minute * 60_000)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ""),
    second: Math.floor(timeMs / 1000) - minute * 60,
  };
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
