/**
 * IBKR Pro's charges on a US option order: IBKR's own commission (per contract, by the month's
 * contract volume and the option's premium, with a per-order minimum) plus the third-party fees it
 * passes through (the Options Regulatory Fee, OCC clearing, the SEC fee on sales, FINRA's Trading
 * Activity Fee on contracts sold, and the exchange's fee). The figures are data (`FeeSchedule`),
 * not code: they change a few times a year, and config/ibkr-fees.yaml holds the same table for a
 * replay to take another one (`replay --fees FILE`).
 *
 * Source of the default figures: IBKR's "Commissions Options" page, United States, IBKR Pro Tiered
 * (interactivebrokers.ca/en/pricing/commissions-options.php, as read 2026-12): ≤ 10,000 contracts a
 * month USD 0.65 at a premium ≥ 0.10, 0.50 at ≥ 0.05 and < 0.10, 0.25 below 0.05; 10,001–50,000
 * 0.50 / 0.25 (below 0.05); 50,001–100,000 0.25; ≥ 100,001 0.15; minimum USD 1.00 per order; ORF
 * USD 0.02685 per contract; SEC fee 0.000008 × the value of sales; FINRA TAF USD 0.00279 per
 * contract sold; OCC clearing USD 0.02 per contract for trades of up to 2,750 contracts, USD 55.00
 * per trade above. Exchange fees vary by venue, side of the liquidity and underlying (a rebate for
 * adding liquidity, a fee for taking it): the table holds one flat figure, 0 by default.
 *
 * Money is computed in integer micro-dollars (see money.ts) and the total rounded to 1/100 cent,
 * as IB itself reports commissions (e.g. 1.0527).
 */
import type { Micros } from "./money.js";

/** One premium band of a volume tier: options whose premium is below `belowPremiumUsd` (null: any). */
export interface PremiumRate {
  readonly belowPremiumUsd: number | null;
  readonly perContractUsd: number;
}

/** A monthly volume tier: up to `upToContracts` contracts in the month (null: no upper bound). */
export interface VolumeTier {
  readonly upToContracts: number | null;
  /** Ascending by `belowPremiumUsd`; the first band the premium is below applies. */
  readonly rates: readonly PremiumRate[];
}

/** Everything one US option order costs beyond its premium, as a table. */
export interface FeeSchedule {
  readonly name: string;
  /** Where the figures come from and when they were read. */
  readonly source: string;
  readonly options: {
    /** Ascending by `upToContracts`, the last one unbounded. */
    readonly tiers: readonly VolumeTier[];
    readonly minimumPerOrderUsd: number;
    /** Options Regulatory Fee, every contract bought or sold. */
    readonly orfPerContractUsd: number;
    /** OCC clearing per contract, for orders of up to `occMaxContracts`; above, `occPerTradeUsd`. */
    readonly occPerContractUsd: number;
    readonly occMaxContracts: number;
    readonly occPerTradeUsd: number;
    /** SEC transaction fee, a fraction of the value of sales (premium × multiplier × contracts). */
    readonly secRateOfSales: number;
    /** FINRA Trading Activity Fee, per contract sold. */
    readonly finraTafPerContractSoldUsd: number;
    /** The exchange's fee per contract (negative: a rebate); venue-dependent, one flat figure here. */
    readonly exchangePerContractUsd: number;
  };
  readonly stocks: { readonly perShareUsd: number; readonly minimumPerOrderUsd: number };
}

/** IBKR Pro Tiered, US options (see the module comment for the source of every figure). */
export const IBKR_PRO_TIERED: FeeSchedule = {
  name: "ibkr-pro-tiered",
  source: "IBKR Commissions Options, United States, IBKR Pro Tiered (read 2026-12)",
  options: {
    tiers: [
      {
        upToContracts: 10_000,
        rates: [
          { belowPremiumUsd: 0.05, perContractUsd: 0.25 },
          { belowPremiumUsd: 0.1, perContractUsd: 0.5 },
          { belowPremiumUsd: null, perContractUsd: 0.65 },
        ],
      },
      {
        upToContracts: 50_000,
        rates: [
          { belowPremiumUsd: 0.05, perContractUsd: 0.25 },
          { belowPremiumUsd: null, perContractUsd: 0.5 },
        ],
      },
      { upToContracts: 100_000, rates: [{ belowPremiumUsd: null, perContractUsd: 0.25 }] },
      { upToContracts: null, rates: [{ belowPremiumUsd: null, perContractUsd: 0.15 }] },
    ],
    minimumPerOrderUsd: 1,
    orfPerContractUsd: 0.02685,
    occPerContractUsd: 0.02,
    occMaxContracts: 2750,
    occPerTradeUsd: 55,
    secRateOfSales: 0.000008,
    finraTafPerContractSoldUsd: 0.00279,
    exchangePerContractUsd: 0,
  },
  stocks: { perShareUsd: 0.005, minimumPerOrderUsd: 1 },
};

/** One option order, as the fee model needs it. */
export interface OptionOrderForFees {
  readonly contracts: number;
  /** The premium per share (the quoted price), USD. */
  readonly premiumUsd: number;
  readonly side: "BUY" | "SELL";
  /** Shares per contract (100 for US equity options). */
  readonly multiplier: number;
  /** Contracts already traded this month, before this order (picks the volume tier). */
  readonly monthContracts?: number;
}

/** What one order costs, by part, USD; `totalUsd` is what IB would report as its commission. */
export interface OrderFees {
  readonly commissionUsd: number;
  readonly orfUsd: number;
  readonly occUsd: number;
  readonly secUsd: number;
  readonly finraTafUsd: number;
  readonly exchangeUsd: number;
  readonly totalUsd: number;
}

const micros = (usd: number): Micros => Math.round(usd * 1_000_000);
/** µ$ → USD at 1/100 cent, the precision IB reports commissions in. */
const usd4 = (m: Micros): number => Math.round(m / 100) / 10_000;

/** IBKR's own commission on an option order: the tier's rate × contracts, at least the minimum. */
export function optionCommissionUsd(schedule: FeeSchedule, order: OptionOrderForFees): number {
  const o = schedule.options;
  const month = order.monthContracts ?? 0;
  const tier = o.tiers.find((t) => t.upToContracts === null || month < t.upToContracts) ?? o.tiers.at(-1);
  const rate = tier?.rates.find((r) => r.belowPremiumUsd === null || order.premiumUsd < r.belowPremiumUsd);
  const raw = micros(rate?.perContractUsd ?? 0) * order.contracts;
  return usd4(Math.max(raw, micros(o.minimumPerOrderUsd)));
}

/** Every charge of an option order by the schedule (see the module comment). */
export function optionOrderFees(schedule: FeeSchedule, order: OptionOrderForFees): OrderFees {
  const o = schedule.options;
  const n = order.contracts;
  const sold = order.side === "SELL" ? n : 0;
  const commission = micros(optionCommissionUsd(schedule, order));
  const orf = micros(o.orfPerContractUsd) * n;
  const occ = n > o.occMaxContracts ? micros(o.occPerTradeUsd) : micros(o.occPerContractUsd) * n;
  const sec = Math.round(o.secRateOfSales * micros(order.premiumUsd) * order.multiplier * sold);
  const taf = micros(o.finraTafPerContractSoldUsd) * sold;
  const exchange = micros(o.exchangePerContractUsd) * n;
  return {
    commissionUsd: usd4(commission),
    orfUsd: usd4(orf),
    occUsd: usd4(occ),
    secUsd: usd4(sec),
    finraTafUsd: usd4(taf),
    exchangeUsd: usd4(exchange),
    totalUsd: usd4(commission + orf + occ + sec + taf + exchange),
  };
}

/** A stock order's commission: per share, at least the minimum. */
export function stockCommissionUsd(schedule: FeeSchedule, shares: number): number {
  const s = schedule.stocks;
  return usd4(Math.max(Math.round(micros(s.perShareUsd) * shares), micros(s.minimumPerOrderUsd)));
}
