/**
 * A snapshot's ticks into our quote: real-time, frozen and delayed tick ids (held against
 * `@stoqey/ib`'s TickType enum, which numbers them as IB's API does), the market data type from
 * MARKET_DATA_TYPE or, without one, from the ids, and which gateway codes end a request.
 */
// The enum itself: the package index exports TickType as a type only.
import { TickType } from "@stoqey/ib/dist/api/market/tickType.js";
import { describe, expect, it } from "vitest";
import { endsNoRequest, MARKET_DATA_TYPES, SnapshotTicks } from "../../src/live/index.js";

const greeks = { iv: 0.16, delta: 0.5, optPrice: 3.2, gamma: 0.05, vega: 0.3, theta: -0.4, und: 690 };

describe("snapshot tick types", () => {
  it("uses IB's tick ids: delayed bid 66, ask 67, last 68, sizes 69–71, delayed model option 83", () => {
    expect([TickType.BID, TickType.ASK, TickType.LAST, TickType.MODEL_OPTION]).toEqual([1, 2, 4, 13]);
    expect([TickType.DELAYED_BID, TickType.DELAYED_ASK, TickType.DELAYED_LAST]).toEqual([66, 67, 68]);
    expect([TickType.DELAYED_BID_SIZE, TickType.DELAYED_ASK_SIZE, TickType.DELAYED_LAST_SIZE]).toEqual([
      69, 70, 71,
    ]);
    expect([
      TickType.DELAYED_BID_OPTION,
      TickType.DELAYED_ASK_OPTION,
      TickType.DELAYED_LAST_OPTION,
      TickType.DELAYED_MODEL_OPTION,
    ]).toEqual([80, 81, 82, 83]);
    expect(MARKET_DATA_TYPES).toEqual({ 1: "live", 2: "frozen", 3: "delayed", 4: "delayed-frozen" });
  });

  it("prices a delayed quote from the delayed ids and marks it delayed", () => {
    const ticks = new SnapshotTicks();
    ticks.dataType(3);
    ticks.price(TickType.DELAYED_BID, 2.94);
    ticks.price(TickType.DELAYED_ASK, 3.01);
    ticks.price(TickType.DELAYED_LAST, 2.97);
    ticks.size(TickType.DELAYED_BID_SIZE, 50);
    ticks.size(TickType.DELAYED_ASK_SIZE, 60);
    ticks.size(TickType.DELAYED_LAST_SIZE, 5);
    ticks.option(TickType.DELAYED_BID_OPTION, { ...greeks, optPrice: 2.94 });
    ticks.option(TickType.DELAYED_MODEL_OPTION, greeks);
    expect(ticks.result).toMatchObject({
      bidUsd: 2.94,
      askUsd: 3.01,
      lastUsd: 2.97,
      bidSize: 50,
      askSize: 60,
      lastSize: 5,
      marketData: "delayed",
      greeks: { impliedVol: 0.16, optPriceUsd: 3.2, undPriceUsd: 690 },
    });
  });

  it("takes the type from MARKET_DATA_TYPE: frozen data comes on the real-time ids", () => {
    const frozen = new SnapshotTicks();
    frozen.dataType(2);
    frozen.price(TickType.BID, 690.1);
    frozen.option(TickType.MODEL_OPTION, greeks);
    expect(frozen.result).toMatchObject({ bidUsd: 690.1, marketData: "frozen" });
    const delayedFrozen = new SnapshotTicks();
    delayedFrozen.dataType(4);
    delayedFrozen.price(TickType.DELAYED_ASK, 690.2);
    expect(delayedFrozen.result).toMatchObject({ askUsd: 690.2, marketData: "delayed-frozen" });
  });

  it("without MARKET_DATA_TYPE: delayed ids say delayed, real-time ids say nothing (the caller knows what it asked)", () => {
    const delayed = new SnapshotTicks();
    delayed.size(TickType.DELAYED_VOLUME, 120_000);
    expect(delayed.result.marketData).toBe("delayed");
    const live = new SnapshotTicks();
    live.price(TickType.LAST, 690);
    live.size(TickType.VOLUME, 120_000);
    expect(live.result).toMatchObject({ lastUsd: 690, marketData: null });
    const unknown = new SnapshotTicks();
    unknown.dataType(9);
    expect(unknown.result.marketData).toBeNull();
  });

  it("keeps only the model's option computation and ignores ids it does not read", () => {
    const ticks = new SnapshotTicks();
    ticks.option(TickType.BID_OPTION, greeks);
    ticks.option(TickType.DELAYED_LAST_OPTION, greeks);
    ticks.price(TickType.HIGH, 700);
    ticks.price(TickType.DELAYED_HIGH, 700);
    expect(ticks.result).toMatchObject({ greeks: null, bidUsd: null, askUsd: null, lastUsd: null });
  });

  it("10167 and 10090 are warnings that let the data follow; 354 and 10168 end the request", () => {
    expect([10167, 10090, 2104].map(endsNoRequest)).toEqual([true, true, true]);
    expect([354, 10168, 10089, 200, 162].map(endsNoRequest)).toEqual([false, false, false, false, false]);
  });
});
