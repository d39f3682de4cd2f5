/**
 * Fill models: how a replay turns order intents into fills against the captured quotes.
 *
 * `decision-quote` (the default): an order fills at the quote its decision saw, on the side it
 * crosses (a buy at the ask, a sell at the bid), moved by the slippage measured on the session's
 * own live fills (their price against their decision's quote, the median per symbol and side) —
 * live fills within seconds of the quote it decided on. A limit order fills there only where its
 * limit is marketable; otherwise it rests and may fill on a later quote at its limit. The fill is
 * reported the median live delay after its decision (rules on holding time see it when live did).
 * `next-quote`: a market order fills at the ask (buy) or bid (sell) of the NEXT captured snapshot
 * of that contract after the decision (five minutes later at 300 s cycles). `mid`: the next
 * snapshot's mid (an optimistic bound). No quote to fill at, no fill (reported as unfilled).
 */
import type { Contract, OrderIntent, OrderSide, PayloadOf } from "../events/index.js";
import {
  type DecisionSlippage,
  type FeeSchedule,
  IBKR_PRO_TIERED,
  optionOrderFees,
  stockCommissionUsd,
} from "../projections/index.js";

export interface FillModel {
  readonly name: string;
  readonly params: Record<string, unknown>;
  /** The fill price for `intent` against a quote seen after it, or null if that quote does not fill it. */
  fillPrice(intent: OrderIntent, quote: PayloadOf<"QuoteSnapshot">): number | null;
  /**
   * The fill price at the quote the decision itself saw, or null to wait for a later quote. Absent:
   * the model fills only on later quotes.
   */
  fillAtDecision?(intent: OrderIntent, seen: PayloadOf<"QuoteSnapshot">): number | null;
  /** How long after its decision a fill at the decision's quote is reported, ms (live's own delay). */
  readonly latencyMs?: number;
  /** What the broker would charge for the fill, USD: IBKR's commission and the pass-through fees. */
  commission(contract: Contract, quantity: number, priceUsd: number, side: OrderSide): number;
}

/**
 * The fee schedule a simulated fill is charged by: IBKR Pro Tiered (projections/ibkr-fees.ts), the
 * month's volume taken as the lowest tier (a one-lot bot trades far under 10,000 contracts).
 */
export const DEFAULT_FEES: FeeSchedule = IBKR_PRO_TIERED;

/** A fill's charge by `fees`: each simulated order fills whole, so it is one order's fees. */
function chargeFor(fees: FeeSchedule): FillModel["commission"] {
  return (contract, quantity, priceUsd, side) =>
    contract.secType === "OPT"
      ? optionOrderFees(fees, {
          contracts: quantity,
          premiumUsd: priceUsd,
          side,
          multiplier: contract.multiplier,
        }).totalUsd
      : stockCommissionUsd(fees, quantity);
}

/** The default fill model (see the module comment). */
export function nextQuoteFillModel(fees: FeeSchedule = DEFAULT_FEES): FillModel {
  return {
    name: "next-quote",
    params: { fees: fees.name },
    fillPrice(intent, quote) {
      const price = intent.side === "BUY" ? quote.askUsd : quote.bidUsd;
      if (price === null || price <= 0) return null;
      if (intent.orderType === "MKT") return price;
      const limit = intent.limitPriceUsd ?? Number.NaN;
      return intent.side === "BUY" ? (price <= limit ? limit : null) : price >= limit ? limit : null;
    },
    commission: chargeFor(fees),
  };
}

/** `mid`: fills at the mid of the next quote (an optimistic bound, for what-ifs). */
export function midFillModel(fees: FeeSchedule = DEFAULT_FEES): FillModel {
  const base = nextQuoteFillModel(fees);
  return {
    ...base,
    name: "mid",
    fillPrice(intent, quote) {
      if (quote.bidUsd === null || quote.askUsd === null) return base.fillPrice(intent, quote);
      return Math.round(((quote.bidUsd + quote.askUsd) / 2) * 100) / 100;
    },
  };
}

/** The slippage the decision-quote model applies, USD per unit, adverse positive. */
export interface SlippageTable {
  /** `SYMBOL SIDE` → median USD per unit, with the count and the spread it came from. */
  readonly bySymbolSide: Readonly<
    Record<string, { medianUsd: number; p25Usd: number; p75Usd: number; fills: number }>
  >;
  /** Where a symbol and side has fewer than `MIN_FILLS` fills: the median over all of them, else 0. */
  readonly defaultUsd: number;
  /** The median time from a live decision to its fill, ms (0 without `MIN_FILLS` fills). */
  readonly latencyMs?: number;
}

/** Fewer fills than this for a symbol and side: the median over all sides is used instead. */
const MIN_FILLS = 3;

/** The slippage table from live fills against their decisions' quotes (`decisionSlippage`). */
export function slippageTable(samples: readonly DecisionSlippage[]): SlippageTable {
  const groups = new Map<string, number[]>();
  for (const s of samples) {
    const key = `${s.symbol} ${s.side}`;
    const list = groups.get(key);
    if (list) list.push(s.slipMicros);
    else groups.set(key, [s.slipMicros]);
  }
  const bySymbolSide: Record<string, { medianUsd: number; p25Usd: number; p75Usd: number; fills: number }> =
    {};
  for (const [key, slips] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    if (slips.length < MIN_FILLS) continue;
    bySymbolSide[key] = {
      medianUsd: toCents(quantile(slips, 0.5)),
      p25Usd: toCents(quantile(slips, 0.25)),
      p75Usd: toCents(quantile(slips, 0.75)),
      fills: slips.length,
    };
  }
  const all = samples.map((s) => s.slipMicros);
  const enough = all.length >= MIN_FILLS;
  return {
    bySymbolSide,
    defaultUsd: enough ? toCents(quantile(all, 0.5)) : 0,
    latencyMs: enough
      ? Math.round(
          quantile(
            samples.map((s) => s.latencyMs),
            0.5,
          ),
        )
      : 0,
  };
}

/** The default fill model, calibrated on `slippage` (see the module comment). */
export function decisionQuoteFillModel(
  slippage: SlippageTable = { bySymbolSide: {}, defaultUsd: 0 },
  fees: FeeSchedule = DEFAULT_FEES,
): FillModel {
  const base = nextQuoteFillModel(fees);
  const slip = (intent: OrderIntent) =>
    slippage.bySymbolSide[`${intent.contract.symbol} ${intent.side}`]?.medianUsd ?? slippage.defaultUsd;
  // Never better than the other side of the quote, never below a cent: a slippage is a cost model.
  const at = (intent: OrderIntent, quote: PayloadOf<"QuoteSnapshot">): number | null => {
    const price = intent.side === "BUY" ? quote.askUsd : quote.bidUsd;
    if (price === null || price <= 0) return null;
    const moved = intent.side === "BUY" ? price + slip(intent) : price - slip(intent);
    return Math.max(0.01, Math.round(moved * 100) / 100);
  };
  return {
    name: "decision-quote",
    params: { fees: fees.name, slippage },
    commission: base.commission,
    latencyMs: slippage.latencyMs ?? 0,
    fillAtDecision(intent, seen) {
      const price = at(intent, seen);
      if (price === null || intent.orderType === "MKT") return price;
      const limit = intent.limitPriceUsd ?? Number.NaN;
      // A marketable limit fills at the market, never past its limit; another one rests.
      if (intent.side === "BUY") return price <= limit ? price : null;
      return price >= limit ? price : null;
    },
    fillPrice(intent, quote) {
      if (intent.orderType === "MKT") return at(intent, quote);
      return base.fillPrice(intent, quote);
    },
  };
}

/** The fill models by name, for `--fill-model`. */
export const FILL_MODEL_NAMES = ["decision-quote", "next-quote", "mid"] as const;

/** A fill model by name; `decision-quote` is calibrated on `samples` (the session's live fills). */
export function fillModelByName(
  name: string,
  samples: readonly DecisionSlippage[] = [],
  fees: FeeSchedule = DEFAULT_FEES,
): FillModel | undefined {
  if (name === "decision-quote") return decisionQuoteFillModel(slippageTable(samples), fees);
  if (name === "next-quote") return nextQuoteFillModel(fees);
  if (name === "mid") return midFillModel(fees);
  return undefined;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** µ$ per unit → USD rounded to the cent (option prices tick in cents). */
function toCents(micros: number): number {
  return Math.round(micros / 10_000) / 100;
}
