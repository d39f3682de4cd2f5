/**
 * The NYSE calendar the simulated market trades on: weekdays less the exchange holidays, with the
 * early closes (13:00 New York) the exchange publishes: the day after Thanksgiving, Christmas Eve
 * when it is a weekday and not itself the holiday, July 3 when July 4 is a weekday.
 */
import { newYorkParts, newYorkTimeToMs } from "../../events/index.js";

/**
 * NYSE full-day closes, 2025–2027, as NYSE Group published them (Nov 2024), and 2025-01-09, the
 * national day of mourning for President Carter the exchange closed for (announced Dec 30, 2024).
 */
const HOLIDAYS = new Set([
  "2025-01-01",
  "2025-01-09",
  "2025-01-20",
  "2025-02-17",
  "2025-04-18",
  "2025-05-26",
  "2025-06-19",
  "2025-07-04",
  "2025-09-01",
  "2025-11-27",
  "2025-12-25",
  "2026-01-01",
  "2026-01-19",
  "2026-02-16",
  "2026-04-03",
  "2026-05-25",
  "2026-06-19",
  "2026-07-03",
  "2026-09-07",
  "2026-11-26",
  "2026-12-25",
  "2027-01-01",
  "2027-01-18",
  "2027-02-15",
  "2027-03-26",
  "2027-05-31",
  "2027-06-18",
  "2027-07-05",
  "2027-09-06",
  "2027-11-25",
  "2027-12-24",
]);

/** NYSE early closes (13:00; equity options 13:15), 2025–2027. */
const EARLY_CLOSES = new Set([
  "2025-07-03",
  "2025-11-28",
  "2025-12-24",
  "2026-11-27",
  "2026-12-24",
  "2027-11-26",
]);

/** True on a trading day the exchange closes at 13:00. */
export function isEarlyClose(date: string): boolean {
  return EARLY_CLOSES.has(date);
}

/** True for a day the exchange opens. */
export function isTradingDay(date: string): boolean {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !HOLIDAYS.has(date);
}

/** The date `n` calendar days after `date`. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The next `count` trading days from `date` (inclusive). */
export function tradingDaysFrom(date: string, count: number): string[] {
  const out: string[] = [];
  for (let day = date; out.length < count; day = addDays(day, 1)) if (isTradingDay(day)) out.push(day);
  return out;
}

/** The most recent trading day at or before `timeMs`, as a New York date. */
export function lastTradingDay(timeMs: number): string {
  let day = newYorkParts(timeMs).date;
  while (!isTradingDay(day)) day = addDays(day, -1);
  return day;
}

/** 09:30 and 16:00 New York on `date` (13:00 on an early close), in epoch ms. */
export function regularHours(date: string): { openMs: number; closeMs: number } {
  return {
    openMs: newYorkTimeToMs(date, 9, 30),
    closeMs: isEarlyClose(date) ? newYorkTimeToMs(date, 13, 0) : newYorkTimeToMs(date, 16, 0),
  };
}
