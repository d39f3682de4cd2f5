/**
 * The simulator's NYSE calendar against the exchange's published one (NYSE Group's 2025–2027
 * holiday and early-closing calendar, and the 2025-01-09 closure for President Carter's day of
 * mourning): every weekday close and every 13:00 close, nothing more.
 */
import { describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import { addDays, isEarlyClose, isTradingDay, regularHours } from "../../src/sim/market/index.js";

const CLOSED = [
  ["2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19"],
  ["2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"],
  ["2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03"],
  ["2026-09-07", "2026-11-26", "2026-12-25"],
  ["2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05"],
  ["2027-09-06", "2027-11-25", "2027-12-24"],
].flat();
/** 1:00 p.m. (options 1:15): July 3 2025, the days after Thanksgiving, Christmas Eve 2025 and 2026. */
const EARLY = ["2025-07-03", "2025-11-28", "2025-12-24", "2026-11-27", "2026-12-24", "2027-11-26"];

describe("the NYSE calendar 2025–2027", () => {
  it("closes on exactly the published weekdays and closes early on exactly the published days", () => {
    const closed: string[] = [];
    const early: string[] = [];
    for (let day = "2025-01-01"; day <= "2027-12-31"; day = addDays(day, 1)) {
      const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
      if (weekday !== 0 && weekday !== 6 && !isTradingDay(day)) closed.push(day);
      if (isEarlyClose(day)) early.push(day);
    }
    expect(closed).toEqual(CLOSED);
    expect(early).toEqual(EARLY);
    for (const day of early) {
      expect(isTradingDay(day)).toBe(true);
      expect(regularHours(day).closeMs).toBe(newYorkTimeToMs(day, 13, 0));
    }
  });
});
