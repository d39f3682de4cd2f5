/**
 * The fill model's error on live's own orders: for every real fill of the session, the price the
 * model would have given the same order on the same quotes — at the decision's quote where the
 * model fills there, else at the first quote of the contract after the order was intended — next
 * to the price the broker gave. Every simulated replay prints it: a what-if is only as good as it.
 */
import { contractKey, type EventBody, type OrderIntent, type StoredEvent } from "../events/index.js";
import { liveFillsAtDecision } from "../projections/index.js";
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

type QuoteEvent = StoredEvent<Extract<EventBody, { type: "QuoteSnapshot" }>>;

/** The model's error on the real fills among `events` (one stream's session, in seq order). */
export function modelErrorOnLiveFills(events: readonly StoredEvent[], model: FillModel): ModelError {
  const intents = new Map<number, { intent: OrderIntent; afterIndex: number }>();
  const intendedAt = new Map<string, number>();
  events.forEach((e, index) => {
    if (e.type === "OrderIntended") intendedAt.set(e.id, index);
    else if (e.type === "OrderSubmitted")
      intents.set(e.payload.orderId, {
        intent: e.payload.intent,
        afterIndex: (e.causation === null ? undefined : intendedAt.get(e.causation)) ?? index,
      });
  });
  let priced = 0;
  let total = 0;
  let absolute = 0;
  for (const { fill: e, seen } of liveFillsAtDecision(events)) {
    const order = intents.get(e.payload.orderId);
    if (!order) continue;
    const intent = { ...order.intent, quantity: e.payload.quantity };
    let price = seen && model.fillAtDecision ? model.fillAtDecision(intent, seen) : null;
    if (price === null) {
      const next = nextQuote(events, order.afterIndex, contractKey(e.payload.contract));
      price = next ? model.fillPrice(intent, next.payload) : null;
    }
    if (price === null) continue;
    const units =
      e.payload.quantity * (e.payload.contract.secType === "OPT" ? e.payload.contract.multiplier : 1);
    const error = (e.payload.priceUsd - price) * (e.payload.side === "BUY" ? 1 : -1) * units;
    priced += 1;
    total += error;
    absolute += Math.abs(error);
  }
  const cents = (usd: number) => Math.round(usd * 100) / 100;
  return {
    model: model.name,
    fills: priced,
    totalUsd: cents(total),
    perFillUsd: priced === 0 ? null : cents(total / priced),
    meanAbsUsd: priced === 0 ? null : cents(absolute / priced),
  };
}

/** The first quote of `key` after position `after` in `events`. */
function nextQuote(events: readonly StoredEvent[], after: number, key: string): QuoteEvent | undefined {
  for (let i = after + 1; i < events.length; i++) {
    const e = events[i]!;
    if (e.type === "QuoteSnapshot" && contractKey(e.payload.contract) === key) return e as QuoteEvent;
  }
  return undefined;
}
