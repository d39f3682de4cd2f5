import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CURRENT_VERSIONS,
  catalogueSchemas,
  contractKey,
  newYorkParts,
  newYorkPartsFromIntl,
  newYorkTimeToMs,
  tradingSessionOf,
} from "../src/events/index.js";

describe("event catalogue", () => {
  it("gives every event type a version: the zod-free table is the schemas' own version literals", () => {
    const fromSchemas = Object.fromEntries(
      catalogueSchemas().EventSchema.options.map((o) => [o.shape.type.value, o.shape.version.value]),
    );
    expect(CURRENT_VERSIONS).toEqual(fromSchemas);
    expect(CURRENT_VERSIONS.GatewayNotice).toBe(2);
  });

  it("keys option contracts by symbol, expiry, right and strike", () => {
    expect(
      contractKey({
        secType: "OPT",
        symbol: "SPY",
        expiry: "20260206",
        strike: 690,
        right: "C",
        multiplier: 100,
        exchange: "SMART",
        currency: "USD",
      }),
    ).toBe("SPY 20260206 C 690");
  });
});

describe("trading session", () => {
  it("is the New York date, not the UTC date", () => {
    // 2026-02-05 02:00 UTC is still 2026-02-04 21:00 in New York (EST).
    expect(tradingSessionOf(Date.UTC(2026, 1, 5, 2, 0))).toBe("2026-02-04");
  });

  it("turns New York wall time into an instant across EST and EDT", () => {
    expect(new Date(newYorkTimeToMs("2026-02-04", 9, 30)).toISOString()).toBe("2026-02-04T14:30:00.000Z");
    expect(new Date(newYorkTimeToMs("2026-07-01", 9, 30)).toISOString()).toBe("2026-07-01T13:30:00.000Z");
  });

  it("property: the DST rule gives ICU's America/New_York parts for any instant, 2007–2099 and before", () => {
    // Instants near each year's two changes, where an off-by-one-hour rule would show, and anywhere.
    const nearChange = fc
      .tuple(
        fc.integer({ min: 2007, max: 2099 }),
        fc.boolean(),
        fc.integer({ min: -3 * 3600, max: 3 * 3600 }),
      )
      .map(([year, spring, seconds]) => {
        const first = (month: number) => 1 + ((7 - new Date(Date.UTC(year, month, 1)).getUTCDay()) % 7);
        const change = spring ? Date.UTC(year, 2, first(2) + 7, 7) : Date.UTC(year, 10, first(10), 6);
        return change + seconds * 1000;
      });
    const anywhere = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 11, 31) });
    fc.assert(
      fc.property(fc.oneof(nearChange, anywhere), (ms) => {
        expect({ ...newYorkParts(ms) }).toEqual(newYorkPartsFromIntl(ms));
      }),
      { numRuns: 3000 },
    );
  });
});
