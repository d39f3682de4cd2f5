/**
 * The simulated broker of a what-if: each intent passes the shared risk rules against the run's
 * own book, is intended and submitted, then fills by the fill model — at the quote its decision
 * saw where the model fills there (decision-quote), else at a later quote of its contract; an
 * order no quote fills stays working and is reported as unfilled. Every outcome is journaled in
 * the run and fed to the strategy (through `outcome`).
 */
import {
  contractKey,
  type EventBody,
  type MarketDataType,
  type NewEvent,
  type OrderIntent,
  type PayloadOf,
  type SeededIdGen,
  type StoredEvent,
} from "../events/index.js";
import { checkRisk, type RiskLimits } from "../projections/index.js";
import type { FillModel } from "./fill-model.js";
import type { RunLog } from "./run-log.js";

type QuoteEvent = StoredEvent<Extract<EventBody, { type: "QuoteSnapshot" }>>;

interface PendingOrder {
  intent: OrderIntent;
  /** `contractKey` of the intent's contract, once (every later quote is held against it). */
  key: string;
  orderId: number;
  decisionId: string;
  intendedId: string;
}

export class SimulatedBroker {
  private readonly pending: PendingOrder[] = [];
  /** This cycle's quotes by event id: what a decision's `saw` names. */
  private readonly cycleQuotes = new Map<string, QuoteEvent>();
  /** The kind of data of each contract's last quote: the shared rules refuse orders on delayed data. */
  private readonly quoted = new Map<string, MarketDataType>();
  /** Fills at a decision's quote, reported when live's would have been (`latencyMs` later). */
  private readonly due: { order: PendingOrder; priceUsd: number; ts: number }[] = [];
  private nextOrderId = 1;
  private execSeq = 0;

  constructor(
    private readonly run: string,
    private readonly log: RunLog,
    private readonly ids: SeededIdGen,
    private readonly model: FillModel,
    private readonly limits: RiskLimits,
    private readonly outcome: (event: NewEvent & { id: string }) => StoredEvent,
  ) {}

  /** A source event passes: quotes fill what rests, and are remembered for the cycle's decisions. */
  observe(event: StoredEvent): void {
    this.report(event.ts);
    if (event.type === "CycleStarted") this.cycleQuotes.clear();
    if (event.type !== "QuoteSnapshot") return;
    const quote = event as QuoteEvent;
    if (quote.payload.marketData !== undefined)
      this.quoted.set(contractKey(quote.payload.contract), quote.payload.marketData);
    // Fills first: a quote fills only orders decided before it arrived.
    if (this.pending.length > 0) this.fillResting(quote);
    this.cycleQuotes.set(quote.id, quote);
  }

  /** A decision's intents: refused, or intended, submitted and filled where the model says. */
  decide(decision: PayloadOf<"DecisionMade">, at: StoredEvent, decisionId: string): void {
    const scope = { stream: this.run, session: this.log.session };
    for (const intent of decision.intents) {
      const base = { ts: at.ts, causation: decisionId, correlation: decisionId };
      const key = contractKey(intent.contract);
      const refusal = checkRisk(this.log.book, scope, intent, this.limits, this.quoted.get(key));
      if (refusal) {
        this.outcome({
          ...base,
          id: this.ids.next(at.ts),
          type: "OrderRefused",
          version: 1,
          payload: { intent, ...refusal },
        });
        continue;
      }
      const intendedId = this.ids.next(at.ts);
      this.outcome({
        ...base,
        id: intendedId,
        type: "OrderIntended",
        version: 1,
        payload: { intent, dryRun: false },
      });
      const orderId = this.nextOrderId++;
      this.outcome({
        ...base,
        causation: intendedId,
        id: this.ids.next(at.ts),
        type: "OrderSubmitted",
        version: 1,
        payload: { orderId, clientId: 0, intent },
      });
      const order = { intent, key, orderId, decisionId, intendedId };
      const seen = this.seenQuote(decision, order.key);
      const price =
        seen && this.model.fillAtDecision ? this.model.fillAtDecision(intent, seen.payload) : null;
      if (price === null) this.pending.push(order);
      else if (!this.model.latencyMs) this.fill(order, price, at.ts);
      else this.due.push({ order, priceUsd: price, ts: at.ts + this.model.latencyMs });
    }
  }

  /** Report the fills due by `ts` (all of them at the end of the session: `report(Infinity)`). */
  report(ts: number): void {
    while (this.due.length > 0 && this.due[0]!.ts <= ts) {
      const { order, priceUsd, ts: at } = this.due.shift()!;
      this.fill(order, priceUsd, at);
    }
  }

  /** The latest quote of the contract among what the decision saw (this cycle's). */
  private seenQuote(decision: PayloadOf<"DecisionMade">, key: string): QuoteEvent | undefined {
    let seen: QuoteEvent | undefined;
    for (const id of decision.saw) {
      const quote = this.cycleQuotes.get(id);
      if (quote && contractKey(quote.payload.contract) === key) seen = quote;
    }
    return seen;
  }

  private fillResting(quote: QuoteEvent): void {
    const key = contractKey(quote.payload.contract);
    for (let i = 0; i < this.pending.length; ) {
      const order = this.pending[i]!;
      const price = order.key === key ? this.model.fillPrice(order.intent, quote.payload) : null;
      if (price === null) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      this.fill(order, price, quote.ts);
    }
  }

  private fill(order: PendingOrder, priceUsd: number, ts: number): void {
    const execId = `sim-${this.run.slice(7, 17)}-${++this.execSeq}`;
    const base = { ts, causation: order.intendedId, correlation: order.decisionId };
    this.outcome({
      ...base,
      id: this.ids.next(ts),
      type: "OrderFilled",
      version: 1,
      payload: {
        orderId: order.orderId,
        execId,
        contract: order.intent.contract,
        side: order.intent.side,
        quantity: order.intent.quantity,
        priceUsd,
        exchange: "REPLAY",
        simulated: true,
      },
    });
    this.outcome({
      ...base,
      id: this.ids.next(ts),
      type: "CommissionReported",
      version: 1,
      payload: {
        execId,
        orderId: order.orderId,
        commissionUsd: this.model.commission(
          order.intent.contract,
          order.intent.quantity,
          priceUsd,
          order.intent.side,
        ),
        currency: "USD",
        realizedPnlUsd: null,
      },
    });
  }
}
