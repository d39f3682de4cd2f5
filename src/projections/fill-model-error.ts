/**
 * The fill model's error on real fills: for each fill the gateway reported (not a simulated one),
 * the price the `next-quote` fill model would have given on the same quotes — the first snapshot
 * of the contract after the order was intended, at the ask to buy and the bid to sell — next to
 * the real price. docs/sql.md query 12 computes the same in SQL.
 */
import { contractKey, type PayloadOf, type StoredEvent } from "../events/index.js";
import { type Micros, toMicros } from "./money.js";
import { positionKey } from "./positions.js";
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
  // Only the quotes of contracts with a real fill can price one: a simulated run has none at all.
  // Keyed by positionKey, which the book's fold of the same events has just built for each quote's
  // contract object and remembers: building each quote's contract key anew was a tenth of a fold.
  const filled = new Set<string>();
  for (const e of events)
    if (e.type === "OrderFilled" && e.payload.simulated !== true)
      filled.add(positionKey(e.stream, e.payload.contract));
  if (filled.size === 0) return [];
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
      const key = positionKey(e.stream, e.payload.contract);
      if (!filled.has(key)) continue;
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
    const next = quotes.get(positionKey(e.stream, e.payload.contract))?.find((q) => q.seq > from);
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

type FillEvent = Extract<StoredEvent, { type: "OrderFilled" }>;

/** A real fill, with the quote of its contract its decision saw (if any) and when it decided. */
export interface LiveFillAtDecision {
  readonly fill: FillEvent;
  /** Position of the fill in the events walked. */
  readonly index: number;
  readonly seen: PayloadOf<"QuoteSnapshot"> | undefined;
  readonly decidedTs: number | undefined;
}

/**
 * Every real fill of one stream's session events with its decision's quote: the latest quote of
 * the fill's contract among the decision's `saw`. Two passes: the quotes a decision saw are known
 * only once it is read, and a day holds thousands of quotes and a few dozen fills (a what-if reads
 * this for every session).
 */
export function liveFillsAtDecision(events: readonly StoredEvent[]): LiveFillAtDecision[] {
  const fills: { fill: FillEvent; index: number }[] = [];
  const decisions = new Map<string, { saw: readonly string[]; ts: number }>();
  events.forEach((e, index) => {
    if (e.type === "DecisionMade") decisions.set(e.id, { saw: e.payload.saw, ts: e.ts });
    else if (e.type === "OrderFilled" && e.payload.simulated !== true) fills.push({ fill: e, index });
  });
  const decisionOf = (fill: FillEvent) =>
    fill.correlation === null ? undefined : decisions.get(fill.correlation);
  const wanted = new Set(fills.flatMap(({ fill }) => decisionOf(fill)?.saw ?? []));
  const quotes = new Map<string, PayloadOf<"QuoteSnapshot">>();
  for (const e of events) if (e.type === "QuoteSnapshot" && wanted.has(e.id)) quotes.set(e.id, e.payload);
  return fills.map(({ fill, index }) => {
    const decision = decisionOf(fill);
    const key = contractKey(fill.payload.contract);
    let seen: PayloadOf<"QuoteSnapshot"> | undefined;
    for (const id of decision?.saw ?? []) {
      const q = quotes.get(id);
      if (q && contractKey(q.contract) === key) seen = q;
    }
    return { fill, index, seen, decidedTs: decision?.ts };
  });
}

/** Every real fill with its decision's quote, priced (fills whose decision saw no price on their side are left out). */
export function decisionSlippage(events: readonly StoredEvent[]): DecisionSlippage[] {
  const out: DecisionSlippage[] = [];
  for (const { fill: e, seen, decidedTs } of liveFillsAtDecision(events)) {
    const price = e.payload.side === "BUY" ? seen?.askUsd : seen?.bidUsd;
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
      latencyMs: Math.max(0, e.ts - (decidedTs ?? e.ts)),
    });
  }
  return out;
}
