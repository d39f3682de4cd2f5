/**
 * Fill models: how a replay turns order intents into fills against the captured quotes.
 *
 * `next-quote` (the default): a market order fills at the ask (buy) or bid (sell) of the NEXT
 * captured snapshot of that contract after the decision — the price the bot would have met one
 * snapshot later — plus commission. No later snapshot, no fill (reported as unfilled). Limit
 * orders fill at their limit when that next quote crosses it, otherwise stay unfilled.
 */
import type { Contract, OrderIntent, PayloadOf } from "../events/index.js";

export interface CommissionSchedule {
  /** Per option contract, USD (IB's tiered US options rate is about 0.65). */
  optionPerContractUsd: number;
  /** Per share, USD. */
  stockPerShareUsd: number;
  minimumUsd: number;
}

export interface FillModel {
  readonly name: string;
  readonly params: Record<string, unknown>;
  /** The fill price for `intent` against a quote seen after it, or null if that quote does not fill it. */
  fillPrice(intent: OrderIntent, quote: PayloadOf<"QuoteSnapshot">): number | null;
  commission(contract: Contract, quantity: number): number;
}

export const DEFAULT_COMMISSIONS: CommissionSchedule = {
  optionPerContractUsd: 0.65,
  stockPerShareUsd: 0.005,
  minimumUsd: 1,
};

/** The default fill model (see the module comment). */
export function nextQuoteFillModel(commissions: CommissionSchedule = DEFAULT_COMMISSIONS): FillModel {
  return {
    name: "next-quote",
    params: { ...commissions },
    fillPrice(intent, quote) {
      const price = intent.side === "BUY" ? quote.askUsd : quote.bidUsd;
      if (price === null || price <= 0) return null;
      if (intent.orderType === "MKT") return price;
      const limit = intent.limitPriceUsd ?? Number.NaN;
      return intent.side === "BUY" ? (price <= limit ? limit : null) : price >= limit ? limit : null;
    },
    commission(contract, quantity) {
      const raw =
        contract.secType === "OPT"
          ? commissions.optionPerContractUsd * quantity
          : commissions.stockPerShareUsd * quantity;
      return Math.round(Math.max(commissions.minimumUsd, raw) * 100) / 100;
    },
  };
}

/** `mid`: fills at the mid of the next quote (an optimistic bound, for what-ifs). */
export function midFillModel(commissions: CommissionSchedule = DEFAULT_COMMISSIONS): FillModel {
  const base = nextQuoteFillModel(commissions);
  return {
    ...base,
    name: "mid",
    fillPrice(intent, quote) {
      if (quote.bidUsd === null || quote.askUsd === null) return base.fillPrice(intent, quote);
      return Math.round(((quote.bidUsd + quote.askUsd) / 2) * 100) / 100;
    },
  };
}

/** A fill model by name. */
export function fillModelByName(name: string): FillModel | undefined {
  if (name === "next-quote") return nextQuoteFillModel();
  if (name === "mid") return midFillModel();
  return undefined;
}
