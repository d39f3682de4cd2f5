/**
 * The IBKR Pro fee model against IBKR's own published figures: every tiered example on its US
 * options commissions page (commission only, before third-party fees), then the pass-through fees
 * of the same table computed by hand.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  IBKR_PRO_TIERED,
  optionCommissionUsd,
  optionOrderFees,
  stockCommissionUsd,
} from "../../src/projections/index.js";

/** IBKR's "Tiered Examples", US options: [month's volume before the order, contracts, premium, USD]. */
const IBKR_EXAMPLES: readonly [string, number, number, number, number][] = [
  ["≤ 10,000", 0, 1, 2, 1.0],
  ["≤ 10,000", 0, 2, 5, 1.3],
  ["≤ 10,000", 0, 3, 0.075, 1.5],
  ["≤ 10,000", 0, 5, 0.03, 1.25],
  ["10,001 - 50,000", 10_000, 1, 2, 1.0],
  ["10,001 - 50,000", 10_000, 2, 5, 1.0],
  ["10,001 - 50,000", 10_000, 3, 0.075, 1.5],
  ["10,001 - 50,000", 10_000, 5, 0.03, 1.25],
  ["50,001 - 100,000", 50_000, 1, 2, 1.0],
  ["50,001 - 100,000", 50_000, 2, 5, 1.0],
  ["50,001 - 100,000", 50_000, 5, 2, 1.25],
  ["≥ 100,001", 100_000, 1, 2, 1.0],
  ["≥ 100,001", 100_000, 5, 5, 1.0],
  ["≥ 100,001", 100_000, 7, 2, 1.05],
];

describe("IBKR Pro tiered US option commissions", () => {
  for (const [tier, month, contracts, premiumUsd, usd] of IBKR_EXAMPLES)
    it(`${tier} a month: ${contracts} contract(s) at USD ${premiumUsd} premium = USD ${usd.toFixed(2)}`, () => {
      const order = { contracts, premiumUsd, side: "BUY" as const, multiplier: 100, monthContracts: month };
      expect(optionCommissionUsd(IBKR_PRO_TIERED, order)).toBe(usd);
    });

  it("charges the premium band's rate at the band's edges (0.05 and 0.10 belong to the band above)", () => {
    const at = (premiumUsd: number, contracts = 10) =>
      optionCommissionUsd(IBKR_PRO_TIERED, { contracts, premiumUsd, side: "BUY", multiplier: 100 });
    expect([at(0.049), at(0.05), at(0.099), at(0.1)]).toEqual([2.5, 5, 5, 6.5]);
  });

  it("adds ORF and OCC on every contract, SEC and FINRA TAF on sales only", () => {
    const o = IBKR_PRO_TIERED.options;
    const buy = optionOrderFees(IBKR_PRO_TIERED, {
      contracts: 2,
      premiumUsd: 1.5,
      side: "BUY",
      multiplier: 100,
    });
    expect(buy).toEqual({
      commissionUsd: 1.3,
      orfUsd: Math.round(2 * o.orfPerContractUsd * 1e4) / 1e4,
      occUsd: 2 * o.occPerContractUsd,
      secUsd: 0,
      finraTafUsd: 0,
      exchangeUsd: 0,
      totalUsd: Math.round((1.3 + 2 * o.orfPerContractUsd + 2 * o.occPerContractUsd) * 1e4) / 1e4,
    });
    const sell = optionOrderFees(IBKR_PRO_TIERED, {
      contracts: 2,
      premiumUsd: 1.5,
      side: "SELL",
      multiplier: 100,
    });
    // 2 contracts × 100 shares × 1.50 = 300 USD of sales.
    expect(sell.secUsd).toBe(Math.round(300 * o.secRateOfSales * 1e4) / 1e4);
    expect(sell.finraTafUsd).toBe(Math.round(2 * o.finraTafPerContractSoldUsd * 1e4) / 1e4);
    expect(sell.totalUsd).toBeGreaterThan(buy.totalUsd);
  });

  it("caps OCC clearing at its per-trade figure above 2,750 contracts", () => {
    const big = optionOrderFees(IBKR_PRO_TIERED, {
      contracts: 3000,
      premiumUsd: 1,
      side: "BUY",
      multiplier: 100,
    });
    expect(big.occUsd).toBe(IBKR_PRO_TIERED.options.occPerTradeUsd);
    const edge = optionOrderFees(IBKR_PRO_TIERED, {
      contracts: 2750,
      premiumUsd: 1,
      side: "BUY",
      multiplier: 100,
    });
    expect(edge.occUsd).toBe(55);
  });

  it("never charges below the per-order minimum, and the parts add up to the total", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }).map((c) => c / 100),
        fc.constantFrom("BUY" as const, "SELL" as const),
        fc.integer({ min: 0, max: 200_000 }),
        (contracts, premiumUsd, side, monthContracts) => {
          const f = optionOrderFees(IBKR_PRO_TIERED, {
            contracts,
            premiumUsd,
            side,
            multiplier: 100,
            monthContracts,
          });
          expect(f.commissionUsd).toBeGreaterThanOrEqual(IBKR_PRO_TIERED.options.minimumPerOrderUsd);
          const parts = f.commissionUsd + f.orfUsd + f.occUsd + f.secUsd + f.finraTafUsd + f.exchangeUsd;
          expect(Math.abs(parts - f.totalUsd)).toBeLessThanOrEqual(0.0003);
        },
      ),
    );
  });

  it("charges stocks per share with the same minimum", () => {
    expect(stockCommissionUsd(IBKR_PRO_TIERED, 100)).toBe(1);
    expect(stockCommissionUsd(IBKR_PRO_TIERED, 1000)).toBe(5);
  });
});
