/**
 * Fees modelled against fees charged: each filled order of a stream's session priced by a fee
 * schedule (ibkr-fees.ts) beside the commissions the broker reported for its executions
 * (`CommissionReported`, which for IB includes the pass-through fees). A pure fold over the
 * session's events, for the report and `journal day`.
 *
 * ```ts
 * const fees = feeReconciliation(journal.read({ stream: "live", session }), IBKR_PRO_TIERED);
 * fees.totals.differenceUsd; // charged − modelled
 * ```
 */
import { contractKey, type StoredEvent } from "../events/index.js";
import { type FeeSchedule, optionOrderFees, stockCommissionUsd } from "./ibkr-fees.js";
import { type Micros, toMicros } from "./money.js";

/** One filled order: what the model says it costs and what the broker charged. */
export interface OrderFeeRow {
  readonly stream: string;
  readonly session: string;
  readonly orderId: number;
  readonly contract: string;
  readonly side: "BUY" | "SELL";
  readonly contracts: number;
  /** The quantity-weighted fill price, USD per share. */
  readonly avgPriceUsd: number;
  readonly modelledUsd: number;
  /** IBKR's own commission in the modelled figure (the rest is regulatory, clearing, exchange). */
  readonly modelledCommissionUsd: number;
  /** Null when no execution of the order had a commission reported. */
  readonly chargedUsd: number | null;
  /** charged − modelled; null without a charge. */
  readonly differenceUsd: number | null;
}

/** The session's totals over its filled orders. */
export interface FeeTotals {
  readonly orders: number;
  readonly modelledUsd: number;
  /** Over the orders with a reported charge only. */
  readonly chargedUsd: number;
  /** charged − modelled, over the orders with a reported charge. */
  readonly differenceUsd: number;
  /** Filled orders whose executions had no commission reported (not in the difference). */
  readonly unreported: number;
}

export interface FeeReconciliation {
  readonly schedule: string;
  readonly orders: readonly OrderFeeRow[];
  readonly totals: FeeTotals;
}

interface OrderAcc {
  stream: string;
  session: string;
  orderId: number;
  contract: string;
  side: "BUY" | "SELL";
  option: boolean;
  multiplier: number;
  contracts: number;
  notionalMicros: Micros;
  execIds: string[];
}

const cents4 = (m: Micros) => Math.round(m / 100) / 10_000;

/** Price every filled order of `events` (one or more streams' sessions) by `schedule`. */
export function feeReconciliation(events: Iterable<StoredEvent>, schedule: FeeSchedule): FeeReconciliation {
  const orders = new Map<string, OrderAcc>();
  const charged = new Map<string, Micros>();
  for (const event of events) {
    if (event.type === "CommissionReported") {
      const key = `${event.stream}\u0000${event.payload.execId}`;
      charged.set(key, (charged.get(key) ?? 0) + toMicros(event.payload.commissionUsd));
      continue;
    }
    if (event.type !== "OrderFilled") continue;
    const p = event.payload;
    const key = `${event.stream}\u0000${event.session}\u0000${p.orderId}`;
    let acc = orders.get(key);
    if (!acc) {
      acc = {
        stream: event.stream,
        session: event.session,
        orderId: p.orderId,
        contract: contractKey(p.contract),
        side: p.side,
        option: p.contract.secType === "OPT",
        multiplier: p.contract.secType === "OPT" ? p.contract.multiplier : 1,
        contracts: 0,
        notionalMicros: 0,
        execIds: [],
      };
      orders.set(key, acc);
    }
    acc.contracts += p.quantity;
    acc.notionalMicros += toMicros(p.priceUsd) * p.quantity;
    acc.execIds.push(p.execId);
  }
  const rows: OrderFeeRow[] = [];
  let modelled = 0;
  let chargedTotal = 0;
  let modelledReported = 0;
  let unreported = 0;
  for (const acc of orders.values()) {
    const avgPriceUsd = Math.round(acc.notionalMicros / acc.contracts) / 1_000_000;
    const fees = acc.option
      ? optionOrderFees(schedule, {
          contracts: acc.contracts,
          premiumUsd: avgPriceUsd,
          side: acc.side,
          multiplier: acc.multiplier,
        })
      : null;
    const modelledUsd = fees ? fees.totalUsd : stockCommissionUsd(schedule, acc.contracts);
    const reported = acc.execIds.map((id) => charged.get(`${acc.stream}\u0000${id}`));
    const chargedMicros = reported.some((r) => r !== undefined)
      ? reported.reduce<number>((sum, r) => sum + (r ?? 0), 0)
      : null;
    modelled += toMicros(modelledUsd);
    if (chargedMicros === null) unreported++;
    else {
      chargedTotal += chargedMicros;
      modelledReported += toMicros(modelledUsd);
    }
    rows.push({
      stream: acc.stream,
      session: acc.session,
      orderId: acc.orderId,
      contract: acc.contract,
      side: acc.side,
      contracts: acc.contracts,
      avgPriceUsd,
      modelledUsd,
      modelledCommissionUsd: fees ? fees.commissionUsd : modelledUsd,
      chargedUsd: chargedMicros === null ? null : cents4(chargedMicros),
      differenceUsd: chargedMicros === null ? null : cents4(chargedMicros - toMicros(modelledUsd)),
    });
  }
  return {
    schedule: schedule.name,
    orders: rows,
    totals: {
      orders: rows.length,
      modelledUsd: cents4(modelled),
      chargedUsd: cents4(chargedTotal),
      differenceUsd: cents4(chargedTotal - modelledReported),
      unreported,
    },
  };
}
