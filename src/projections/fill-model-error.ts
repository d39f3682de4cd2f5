/**
 * The fill model's error on real fills: for each fill the gateway reported (not a simulated one),
 * the price the `next-quote` fill model would have given on the same quotes — the first snapshot
 * of the contract after the order was intended, at the ask to buy and the bid to sell — next to
 * the real price. docs/sql.md query 12 computes the same in SQL.
 */
import { contractKey, type StoredEvent } from "../events/index.js";
import { type Micros, toMicros } from "./money.js";
import type { RoundTrip } from "./round-trips.js";

/** One real fill against the model. Money per unit, µ$; `errorMicros` > 0: the model was too kind. */
export interface ModelledFill {
  readonly seq: number;
  readonly contractKey: string;
  readonly side: "BUY" | "SELL";
  readonly units: number;
  readonly realMicros: Micros;
  readonly modelMicros: Micros;
  readonly errorMicros: Micros;
}

/** The real fills of one stream's session events with the model's price (fills with no later quote are left out). */
export function modelledFills(events: readonly StoredEvent[]): ModelledFill[] {
  // Order id → the seq of the intent it came from (through OrderSubmitted's causation).
  const intentSeq = new Map<string, number>();
  const orderIntent = new Map<number, number>();
  const quotes = new Map<string, { seq: number; bid: number | null; ask: number | null }[]>();
  for (const e of events) {
    if (e.type === "OrderIntended") intentSeq.set(e.id, e.seq);
    else if (e.type === "OrderSubmitted" && e.causation !== null) {
      const seq = intentSeq.get(e.causation);
      if (seq !== undefined) orderIntent.set(e.payload.orderId, seq);
    } else if (e.type === "QuoteSnapshot") {
      const key = contractKey(e.payload.contract);
      const list = quotes.get(key) ?? [];
      list.push({ seq: e.seq, bid: e.payload.bidUsd, ask: e.payload.askUsd });
      quotes.set(key, list);
    }
  }
  const out: ModelledFill[] = [];
  for (const e of events) {
    if (e.type !== "OrderFilled" || e.payload.simulated === true) continue;
    const from = orderIntent.get(e.payload.orderId);
    if (from === undefined) continue;
    const key = contractKey(e.payload.contract);
    const next = quotes.get(key)?.find((q) => q.seq > from);
    const price = e.payload.side === "BUY" ? next?.ask : next?.bid;
    if (price === undefined || price === null) continue;
    const real = toMicros(e.payload.priceUsd);
    const model = toMicros(price);
    const multiplier = e.payload.contract.secType === "OPT" ? e.payload.contract.multiplier : 1;
    out.push({
      seq: e.seq,
      contractKey: key,
      side: e.payload.side,
      units: e.payload.quantity * multiplier,
      realMicros: real,
      modelMicros: model,
      errorMicros: (real - model) * (e.payload.side === "BUY" ? 1 : -1),
    });
  }
  return out;
}

/** Σ error × units, µ$: money the model did not charge (> 0) or charged too much (< 0). */
export function modelErrorMicros(fills: readonly ModelledFill[]): Micros {
  return fills.reduce((a, f) => a + f.errorMicros * f.units, 0);
}

/** The modelled fills of one round trip (its contract, from its opening to its closing fill). */
export function tripFills(trip: RoundTrip, fills: readonly ModelledFill[]): ModelledFill[] {
  return fills.filter(
    (f) => f.contractKey === trip.contractKey && f.seq >= trip.openedSeq && f.seq <= trip.closedSeq,
  );
}

/**
 * One real fill against the quote its decision saw: the price the strategy looked at (the ask to
 * buy, the bid to sell, of the fill's contract in the decision's `saw`), next to what the broker
 * gave. `slipMicros` > 0: the fill was worse than that quote. The decision-quote fill model is
 * calibrated on these.
 */
export interface DecisionSlippage {
  readonly seq: number;
  readonly symbol: string;
  readonly side: "BUY" | "SELL";
  readonly units: number;
  readonly quoteMicros: Micros;
  readonly realMicros: Micros;
  readonly slipMicros: Micros;
  /** The fill's time after its decision's, ms: when live learned of it. */
  readonly latencyMs: number;
}

/** Every real fill of one stream's session events with its decision's quote (fills whose decision saw no quote of the contract are left out). */
export function decisionSlippage(events: readonly StoredEvent[]): DecisionSlippage[] {
  // Two passes: the quotes a fill's decision saw are known only once the decision is read, and a
  // day holds thousands of quotes and a few dozen fills (a what-if reads this for every session).
  const fills: Extract<StoredEvent, { type: "OrderFilled" }>[] = [];
  const saw = new Map<string, readonly string[]>();
  const decidedAt = new Map<string, number>();
  for (const e of events) {
    if (e.type === "DecisionMade") {
      saw.set(e.id, e.payload.saw);
      decidedAt.set(e.id, e.ts);
    } else if (e.type === "OrderFilled" && e.payload.simulated !== true && e.correlation !== null)
      fills.push(e);
  }
  const wanted = new Set(fills.flatMap((f) => saw.get(f.correlation!) ?? []));
  const quotes = new Map<string, { key: string; bid: number | null; ask: number | null }>();
  for (const e of events)
    if (e.type === "QuoteSnapshot" && wanted.has(e.id))
      quotes.set(e.id, {
        key: contractKey(e.payload.contract),
        bid: e.payload.bidUsd,
        ask: e.payload.askUsd,
      });
  const out: DecisionSlippage[] = [];
  for (const e of fills) {
    const key = contractKey(e.payload.contract);
    let quote: { bid: number | null; ask: number | null } | undefined;
    for (const id of saw.get(e.correlation!) ?? []) {
      const q = quotes.get(id);
      if (q?.key === key) quote = q;
    }
    const price = e.payload.side === "BUY" ? quote?.ask : quote?.bid;
    if (price === undefined || price === null || price <= 0) continue;
    const real = toMicros(e.payload.priceUsd);
    const at = toMicros(price);
    const multiplier = e.payload.contract.secType === "OPT" ? e.payload.contract.multiplier : 1;
    out.push({
      seq: e.seq,
      symbol: e.payload.contract.symbol,
      side: e.payload.side,
      units: e.payload.quantity * multiplier,
      quoteMicros: at,
      realMicros: real,
      slipMicros: (real - at) * (e.payload.side === "BUY" ? 1 : -1),
      latencyMs: Math.max(0, e.ts - (decidedAt.get(e.correlation!) ?? e.ts)),
    });
  }
  return out;
}
