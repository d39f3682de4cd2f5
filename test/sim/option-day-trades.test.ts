/**
 * A snapshot's volume and last print of an option come straight off the day's prints
 * (optionDayTrades); they must stay what the regular session's `1 day` TRADES bar over the
 * completed minutes says, so a snapshot and a historical request agree.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { optionDayTrades, optionHistoryBars, regularHours, SimMarket } from "../../src/sim/market/index.js";

const market = new SimMarket(42);

describe("an option's day so far", () => {
  it("equals the day's TRADES bar over the completed minutes, at any moment (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("2026-02-04", "2026-02-05", "2026-11-27"),
        fc.constantFrom("20260205", "20260206", "20260220", "20261218"),
        fc.constantFrom(["QQQ", 515], ["QQQ", 521], ["SPY", 690], ["SPY", 701]),
        fc.constantFrom("C", "P"),
        fc.double({ min: -0.05, max: 1.05, noNaN: true }),
        (day, expiry, [symbol, strike], right, at) => {
          const option = {
            symbol: symbol as string,
            expiry,
            strike: strike as number,
            right: right as "C" | "P",
          };
          const { openMs, closeMs } = regularHours(day);
          const untilMs = Math.min(closeMs, Math.round(openMs + at * (closeMs - openMs)));
          const window = { startMs: openMs, endMs: untilMs };
          const [bar] =
            untilMs > openMs ? optionHistoryBars(market, option, window, { unit: "day" }, "TRADES") : [];
          const fromBar =
            bar && bar.volume > 0 ? { volume: bar.volume, lastPrint: bar.close } : { volume: 0 };
          expect(optionDayTrades(market, option, day, untilMs)).toEqual(fromBar);
        },
      ),
      { numRuns: 300 },
    );
  });
});
