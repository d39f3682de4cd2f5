/**
 * The fill model's error on live's own orders: for every real fill of the session, the price the
 * model would have given the same order on the same quotes — at the decision's quote where the
 * model fills there, else at the first quote of the contract after the order was intended — next
 * to the price the broker gave. Every simulated replay prints it: a what-if is only as good as it.
 */
import {
  contractKey,
  type EventBody,
  type OrderIntent,
  type PayloadOf,
  type StoredEvent,
} from "../events/index.js";
import type { FillModel } from "./fill-model.js";

/** The model against live's fills, USD (adverse positive: the model was too kind by that much). */
export interface ModelError {
  readonly model: string;
  /** Live fills the model could price (a fill with no quote to price it at is left out). */
  readonly fills: number;
  /** Σ (real − model) × units, signed per side: what the model did not charge. */
  readonly totalUsd: number;
  /** `totalUsd` per fill. */
  readonly perFillUsd: number | null;
  /** Mean |real − model| × units per fill: the spread the total nets out. */
  readonly meanAbsUsd: number | null;
}

type Quote = PayloadOf<"QuoteSnapshot">;
type QuoteEvent = StoredEvent<Extract<EventBody, { type: "QuoteSnapshot" }>>;

/** The model's error on the real fills among `events` (one stream's session, in seq order). */
export function modelErrorOnLiveFills(events: readonly StoredEvent[], model: FillModel): ModelError {
  const quotesById = new Map<string, QuoteEvent>();
  const quotesByKey = new Map<string, QuoteEvent[]>();
  const saw = new Map<string, readonly string[]>();
  const intents = new Map<number, { intent: OrderIntent; afterSeq: number }>();
  const intendedSeq = new Map<string, number>();
  for (const e of events) {
    if (e.type === "QuoteSnapshot") {
      const q = e as QuoteEvent;
      quotesById.set(e.id, q);
      const key = contractKey(q.payload.contract);
      quotesByKey.set(key, [...(quotesByKey.get(key) ?? []), q]);
    } else if (e.type === "DecisionMade") saw.set(e.id, e.payload.saw);
    else if (e.type === "OrderIntended") intendedSeq.set(e.id, e.seq);
    else if (e.type === "OrderSubmitted")
      intents.set(e.payload.orderId, {
        intent: e.payload.intent,
        afterSeq: (e.causation === null ? undefined : intendedSeq.get(e.causation)) ?? e.seq,
      });
  }
  let fills = 0;
  let total = 0;
  let absolute = 0;
  for (const e of events) {
    if (e.type !== "OrderFilled" || e.payload.simulated === true) continue;
    const order = intents.get(e.payload.orderId);
    if (!order) continue;
    const key = contractKey(e.payload.contract);
    let seen: Quote | undefined;
    for (const id of e.correlation === null ? [] : (saw.get(e.correlation) ?? [])) {
      const q = quotesById.get(id);
      if (q && contractKey(q.payload.contract) === key) seen = q.payload;
    }
    const intent = { ...order.intent, quantity: e.payload.quantity };
    let price = seen && model.fillAtDecision ? model.fillAtDecision(intent, seen) : null;
    if (price === null) {
      const next = quotesByKey.get(key)?.find((q) => q.seq > order.afterSeq);
      price = next ? model.fillPrice(intent, next.payload) : null;
    }
    if (price === null) continue;
    const units =
      e.payload.quantity * (e.payload.contract.secType === "OPT" ? e.payload.contract.multiplier : 1);
    const error = (e.payload.priceUsd - price) * (e.payload.side === "BUY" ? 1 : -1) * units;
    fills += 1;
    total += error;
    absolute += Math.abs(error);
  }
  const cents = (usd: number) => Math.round(usd * 100) / 100;
  return {
    model: model.name,
    fills,
    totalUsd: cents(total),
    perFillUsd: fills === 0 ? null : cents(total / fills),
    meanAbsUsd: fills === 0 ? null : cents(absolute / fills),
  };
}
