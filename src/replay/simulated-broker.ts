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
import { checkRisk, markOf, type RiskLimits } from "../projections/index.js";
import type { FillModel } from "./fill-model.js";
import type { RunLog } from "./run-log.js";

type QuoteEvent = StoredEvent<Extract<EventBody, { type: "QuoteSnapshot" }>>;

interface PendingOrder {
  intent: OrderIntent;
  /** `contractKey` of the intent's contract, once (every later quote is held against it). */
  key: string;
  orderId: number;
  /** The decision behind it; null for the run's own close at the session's end. */
  decisionId: string | null;
  intendedId: string;
}

export class SimulatedBroker {
  private readonly pending: PendingOrder[] = [];
  /** This cycle's quotes by event id: what a decision's `saw` names. */
  private readonly cycleQuotes = new Map<string, QuoteEvent>();
  /** The kind of data of each contract's last quote: the shared rules refuse orders on delayed data. */
  private readonly quoted = new Map<string, MarketDataType>();
  /** Fills at a decision's quote, reported when live's would have been (`latencyMs` later). */
  private readonly due: { order: PendingOrder; priceUsd: number; ts: number; modelled: boolean }[] = [];
  /** Contracts quoted this cycle (source or modelled), by contract key. */
  private readonly quotedNow = new Set<string>();
  /** Each contract's latest quote: a position still open at the end closes at its mark. */
  private readonly lastQuote = new Map<string, QuoteEvent>();
  /** Fills made at modelled quotes, and positions closed at the end of the session. */
  readonly counts = { modelledFills: 0, closedAtEnd: 0 };
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
    if (event.type === "CycleStarted") {
      this.cycleQuotes.clear();
      this.quotedNow.clear();
    }
    if (event.type !== "QuoteSnapshot") return;
    const quote = event as QuoteEvent;
    const quotedKey = contractKey(quote.payload.contract);
    this.quotedNow.add(quotedKey);
    this.lastQuote.set(quotedKey, quote);
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
      const order = this.send(intent, key, decisionId, at.ts);
      const seen = this.seenQuote(decision, order.key);
      const price =
        seen && this.model.fillAtDecision ? this.model.fillAtDecision(intent, seen.payload) : null;
      const modelled = seen?.payload.modelled === true;
      if (price === null) this.pending.push(order);
      else if (!this.model.latencyMs) this.fill(order, price, at.ts, modelled);
      else this.due.push({ order, priceUsd: price, ts: at.ts + this.model.latencyMs, modelled });
    }
  }

  /** True when the contract was quoted this cycle (by live, or by the model already). */
  quotedThisCycle(key: string): boolean {
    return this.quotedNow.has(key);
  }

  /** The contracts of a symbol that orders rest on, waiting for a quote to fill them. */
  restingContracts(symbol: string): OrderIntent["contract"][] {
    return this.pending.filter((o) => o.intent.contract.symbol === symbol).map((o) => o.intent.contract);
  }

  /**
   * Close what the run still holds when the session ends, at each contract's last mark (its last
   * quote's mid; `modelMark` where it never had one), as a market order with purpose
   * `session-end`: a run's P&L is then all realized, as complete as live's marked book.
   */
  closeAtEnd(
    open: readonly { contract: OrderIntent["contract"]; quantity: number }[],
    ts: number,
    modelMark: (contract: OrderIntent["contract"]) => QuoteEvent["payload"] | null,
  ): void {
    for (const { contract, quantity } of open) {
      const key = contractKey(contract);
      const last = this.lastQuote.get(key)?.payload ?? modelMark(contract);
      const micros = last ? markOf(last.bidUsd, last.askUsd, last.lastUsd) : null;
      const mark = micros === null ? null : micros / 1_000_000;
      if (mark === null) continue;
      const intent: OrderIntent = {
        contract,
        side: quantity > 0 ? "SELL" : "BUY",
        quantity: Math.abs(quantity),
        orderType: "MKT",
        tif: "DAY",
        purpose: "session-end",
      };
      // No decision asked for it: the run closes what it holds, so nothing correlates it.
      const order = this.send(intent, key, null, ts);
      this.fill(order, mark, ts, last?.modelled === true);
      this.counts.closedAtEnd += 1;
    }
  }

  /** An intent past the risk rules: intended and submitted in the run, an order waiting for its fill. */
  private send(intent: OrderIntent, key: string, decisionId: string | null, ts: number): PendingOrder {
    const base = { ts, causation: decisionId, correlation: decisionId };
    const intendedId = this.ids.next(ts);
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
      id: this.ids.next(ts),
      type: "OrderSubmitted",
      version: 1,
      payload: { orderId, clientId: 0, intent },
    });
    return { intent, key, orderId, decisionId, intendedId };
  }

  /** Report the fills due by `ts` (all of them at the end of the session: `report(Infinity)`). */
  report(ts: number): void {
    while (this.due.length > 0 && this.due[0]!.ts <= ts) {
      const { order, priceUsd, ts: at, modelled } = this.due.shift()!;
      this.fill(order, priceUsd, at, modelled);
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
      this.fill(order, price, quote.ts, quote.payload.modelled === true);
    }
  }

  private fill(order: PendingOrder, priceUsd: number, ts: number, modelled: boolean): void {
    if (modelled) this.counts.modelledFills += 1;
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
        ...(modelled ? { modelled: true } : {}),
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
