import { describe, expect, it } from "vitest";
import {
  CURRENT_VERSIONS,
  contractKey,
  EventSchema,
  newYorkTimeToMs,
  tradingSessionOf,
} from "../src/events/index.js";

describe("event catalogue", () => {
  it("gives every event type a version", () => {
    expect(Object.keys(CURRENT_VERSIONS).length).toBe(EventSchema.options.length);
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
});
