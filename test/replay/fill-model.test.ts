/** The decision-quote fill model: where it fills, how it is calibrated, what it never does. */
import { describe, expect, it } from "vitest";
import type { Contract, OrderIntent, PayloadOf } from "../../src/events/index.js";
import type { DecisionSlippage } from "../../src/projections/index.js";
import { decisionQuoteFillModel, slippageTable } from "../../src/replay/index.js";

const call: Contract = {
  secType: "OPT",
  symbol: "SPY",
  expiry: "20260206",
  strike: 690,
  right: "C",
  multiplier: 100,
  exchange: "SMART",
  currency: "USD",
};
const intent = (
  side: "BUY" | "SELL",
  orderType: "MKT" | "LMT" = "MKT",
  limitPriceUsd?: number,
): OrderIntent => ({
  contract: call,
  side,
  quantity: 1,
  orderType,
  tif: "DAY",
  purpose: side === "BUY" ? "entry" : "exit",
  ...(limitPriceUsd === undefined ? {} : { limitPriceUsd }),
});
const quote = (bidUsd: number | null, askUsd: number | null): PayloadOf<"QuoteSnapshot"> => ({
  contract: call,
  bidUsd,
  askUsd,
  lastUsd: null,
  bidSize: 1,
  askSize: 1,
  lastSize: null,
  greeks: null,
  timing: { reqId: 1, requestedAtMs: 0, latencyMs: 1 },
  complete: true,
});
const sample = (side: "BUY" | "SELL", slipUsd: number): DecisionSlippage => ({
  seq: 1,
  symbol: "SPY",
  side,
  units: 100,
  quoteMicros: 2_000_000,
  realMicros: 2_000_000 + slipUsd * 1e6 * (side === "BUY" ? 1 : -1),
  slipMicros: Math.round(slipUsd * 1e6),
  latencyMs: 1000,
});

describe("slippageTable", () => {
  it("the median per symbol and side, with its spread, from three fills on; else the median of all; else 0", () => {
    const table = slippageTable([
      sample("BUY", 0.01),
      sample("BUY", 0.05),
      sample("BUY", 0.03),
      sample("SELL", 0.2),
    ]);
    expect(table.bySymbolSide["SPY BUY"]).toEqual({ medianUsd: 0.03, p25Usd: 0.02, p75Usd: 0.04, fills: 3 });
    expect(table.bySymbolSide["SPY SELL"]).toBeUndefined();
    expect(table.defaultUsd).toBe(0.04);
    expect(table.latencyMs).toBe(1000);
    expect(slippageTable([]).defaultUsd).toBe(0);
  });
});

describe("decisionQuoteFillModel", () => {
  const model = decisionQuoteFillModel({ bySymbolSide: {}, defaultUsd: 0.02 });

  it("a market order fills at the decision's quote on the side it crosses, moved by the slippage", () => {
    expect(model.fillAtDecision!(intent("BUY"), quote(2.4, 2.5))).toBe(2.52);
    expect(model.fillAtDecision!(intent("SELL"), quote(2.4, 2.5))).toBe(2.38);
  });

  it("no price on that side, no fill there (the order waits for a later quote)", () => {
    expect(model.fillAtDecision!(intent("BUY"), quote(2.4, null))).toBeNull();
    expect(model.fillAtDecision!(intent("SELL"), quote(null, 2.5))).toBeNull();
  });

  it("a limit order fills at the market where its limit is marketable, never past it; otherwise it rests and fills at its limit later", () => {
    expect(model.fillAtDecision!(intent("BUY", "LMT", 2.6), quote(2.4, 2.5))).toBe(2.52);
    expect(model.fillAtDecision!(intent("BUY", "LMT", 2.45), quote(2.4, 2.5))).toBeNull();
    expect(model.fillPrice(intent("BUY", "LMT", 2.45), quote(2.3, 2.44))).toBe(2.45);
    expect(model.fillAtDecision!(intent("SELL", "LMT", 2.45), quote(2.4, 2.5))).toBeNull();
  });

  it("never fills under a cent, whatever the slippage", () => {
    const steep = decisionQuoteFillModel({ bySymbolSide: {}, defaultUsd: 1 });
    expect(steep.fillAtDecision!(intent("SELL"), quote(0.05, 0.1))).toBe(0.01);
  });
});
