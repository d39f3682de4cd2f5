/**
 * IB's trading and liquid hours read into instants: both formats, closed days, early closes, other
 * time zones, and what is skipped rather than trusted.
 */
import { describe, expect, it } from "vitest";
import {
  dayHoursOf,
  defaultDayHours,
  describeDayHours,
  earlyCloseMinutes,
  isWithinHours,
  newYorkTimeToMs,
  parseHours,
} from "../../src/events/index.js";

const NY = "US/Eastern";
/** The gateway's liquid hours for SPY on the Friday after Thanksgiving 2026. */
const THANKSGIVING_WEEK =
  "20261127:0930-20261127:1300;20261128:CLOSED;20261129:CLOSED;20261130:0930-20261130:1600";

describe("the gateway's hours", () => {
  it("reads the current format: a 13:00 close, closed days, a regular day", () => {
    const parsed = parseHours(THANKSGIVING_WEEK, NY);
    expect(parsed.problems).toEqual([]);
    expect(parsed.spans).toEqual([
      {
        session: "2026-11-27",
        openMs: newYorkTimeToMs("2026-11-27", 9, 30),
        closeMs: newYorkTimeToMs("2026-11-27", 13, 0),
      },
      {
        session: "2026-11-30",
        openMs: newYorkTimeToMs("2026-11-30", 9, 30),
        closeMs: newYorkTimeToMs("2026-11-30", 16, 0),
      },
    ]);
    expect([...parsed.closed]).toEqual(["2026-11-28", "2026-11-29"]);
  });

  it("gives a day's session, closed days, and nothing for a day the text does not cover", () => {
    const hours = { liquidHours: THANKSGIVING_WEEK, timeZoneId: NY };
    const friday = dayHoursOf(hours, "2026-11-27")!;
    expect(friday.closeMs).toBe(newYorkTimeToMs("2026-11-27", 13, 0));
    expect(friday.source).toBe("gateway");
    expect(describeDayHours(friday)).toBe("09:30–13:00 New York");
    expect(earlyCloseMinutes(friday)).toBe(180);
    expect(isWithinHours(friday, newYorkTimeToMs("2026-11-27", 12, 59))).toBe(true);
    expect(isWithinHours(friday, newYorkTimeToMs("2026-11-27", 13, 0))).toBe(false);
    expect(dayHoursOf(hours, "2026-11-28")).toEqual({
      session: "2026-11-28",
      openMs: null,
      closeMs: null,
      source: "gateway",
    });
    expect(earlyCloseMinutes(dayHoursOf(hours, "2026-11-30")!)).toBe(0);
    expect(dayHoursOf(hours, "2026-12-01")).toBeUndefined();
  });

  it("reads the older format: one date, several ranges, a range past midnight", () => {
    const parsed = parseHours("20090507:0700-1830,1830-2330;20090508:CLOSED;20090510:1700-0815", NY);
    expect(parsed.problems).toEqual([]);
    expect(parsed.spans.map((s) => [s.session, s.openMs, s.closeMs])).toEqual([
      ["2009-05-07", newYorkTimeToMs("2009-05-07", 7, 0), newYorkTimeToMs("2009-05-07", 18, 30)],
      ["2009-05-07", newYorkTimeToMs("2009-05-07", 18, 30), newYorkTimeToMs("2009-05-07", 23, 30)],
      ["2009-05-10", newYorkTimeToMs("2009-05-10", 17, 0), newYorkTimeToMs("2009-05-11", 8, 15)],
    ]);
    const day = dayHoursOf({ liquidHours: "20090507:0700-1830,1830-2330", timeZoneId: NY }, "2009-05-07")!;
    expect([day.openMs, day.closeMs]).toEqual([
      newYorkTimeToMs("2009-05-07", 7, 0),
      newYorkTimeToMs("2009-05-07", 23, 30),
    ]);
  });

  it("reads a session that runs into the next day in the current format", () => {
    const [span] = parseHours("20260301:1700-20260302:1600", "US/Central").spans;
    // 17:00 Chicago is 23:00 UTC in winter; 16:00 the next day is 22:00 UTC.
    expect(span).toEqual({
      session: "2026-03-01",
      openMs: Date.UTC(2026, 2, 1, 23, 0),
      closeMs: Date.UTC(2026, 2, 2, 22, 0),
    });
  });

  it("converts other time zones across their own daylight-saving change", () => {
    const [winter, summer] = parseHours(
      "20260327:0800-20260327:1630;20260330:0800-20260330:1630",
      "Europe/London",
    ).spans;
    expect(winter!.openMs).toBe(Date.UTC(2026, 2, 27, 8, 0));
    expect(summer!.openMs).toBe(Date.UTC(2026, 2, 30, 7, 0));
  });

  it("skips what it cannot read and says so, instead of failing a cycle", () => {
    const parsed = parseHours("20261127:0930-20261127:1300;garbage;;20261128:HALF", "Mars/Olympus");
    expect(parsed.spans).toHaveLength(1);
    expect(parsed.spans[0]!.openMs).toBe(newYorkTimeToMs("2026-11-27", 9, 30));
    expect(parsed.problems).toEqual([
      'unknown time zone "Mars/Olympus": read as US/Eastern',
      'unreadable hours entry "garbage"',
      'unreadable hours entry "20261128:HALF"',
    ]);
  });

  it("defaults a session recorded without hours to 09:30–16:00 on weekdays, closed on weekends", () => {
    const wednesday = defaultDayHours("2026-02-04");
    expect(wednesday).toEqual({
      session: "2026-02-04",
      openMs: newYorkTimeToMs("2026-02-04", 9, 30),
      closeMs: newYorkTimeToMs("2026-02-04", 16, 0),
      source: "default",
    });
    expect(earlyCloseMinutes(wednesday)).toBe(0);
    expect(defaultDayHours("2026-02-07").openMs).toBeNull();
    expect(describeDayHours(defaultDayHours("2026-02-07"))).toBe("closed on 2026-02-07");
  });
});
