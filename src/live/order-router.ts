/**
 * Order routing: where an intent is checked, journaled and sent, and where the gateway's answers
 * (statuses, executions, commissions, open orders) come back into the journal.
 *
 * - The intent is journaled (durably) before anything is sent; a refusal is an `OrderRefused`.
 * - Every order carries its decision's id as IB's `orderRef`, so a fill links to its decision
 *   across restarts and client ids.
 * - Executions are journaled exactly once, by `execId`: live ones as they come, and on every
 *   (re)connect the day's executions are asked for again and what the journal lacks is recorded as
 *   `recovered` — fills of an earlier run of the session, or made while the connection was down.
 */
import type { Logger } from "pino";
import {
  contractKey,
  LIVE_STREAM,
  type MarketDataType,
  type OrderIntent,
  type PayloadOf,
  type StoredEvent,
} from "../events/index.js";
import {
  type BookProjection,
  checkExposure,
  isReducing,
  type OrderView,
  type RiskRefusal,
  riskExposure,
} from "../projections/index.js";
import type { LiveConfig } from "./config.js";
import type { ExecutionReport, GatewayClient, OpenOrderReport, OrderEvents } from "./gateway.js";
import type { LiveSession } from "./live-session.js";
import { checkInitialMargin, orderRequest } from "./margin-check.js";

/** Order error codes that mean the order was not accepted (IB's reason is the message). */
const REJECTION_CODES: ReadonlySet<number> = new Set([110, 200, 201, 203]);

/** What we sent, and what links its answers back to the decision. */
interface OrderLink {
  decisionId: string;
  submittedId: string;
  intent: OrderIntent;
  orderId: number;
  clientId: number;
}

/** Where the router sends from: the connection of the moment, and the account the guard allowed. */
export interface RoutingTarget {
  gateway: GatewayClient | null;
  clientId: number;
  account: string;
}

export class OrderRouter implements OrderEvents {
  /** By orderRef (the decision id). */
  private readonly byRef = new Map<string, OrderLink>();
  /** By `clientId:orderId`, for statuses (which carry no orderRef). */
  private readonly byOrderId = new Map<string, OrderLink>();
  private readonly execIds = new Set<string>();
  private readonly commissionIds = new Set<string>();
  private readonly execToLink = new Map<string, OrderLink>();
  /** Commission reports that came before their execution. */
  private readonly earlyCommissions = new Map<string, Parameters<OrderRouter["commission"]>>();
  private readonly foreign = new Set<string>();
  /** `clientId:orderId` of orders already journaled as cancelled or rejected. */
  private readonly settled = new Set<string>();
  private highestOrderId = 0;
  /** New entries are refused while the book and the broker disagree (set by reconciliation). */
  entriesHalted: string | null = null;
  /**
   * The broker's positions by contract key, from the latest `PositionsReported` (set by
   * reconciliation); null until the broker has reported, then the rules check exits against it.
   */
  brokerPositions: ReadonlyMap<string, number> | null = null;

  constructor(
    private readonly config: LiveConfig,
    private readonly session: LiveSession,
    private readonly book: BookProjection,
    private readonly target: () => RoutingTarget,
    private readonly logger: Logger,
    /** The kind of data of a contract's last quote, by contract key (the `delayed-data` rule). */
    private readonly quotedAs: (key: string) => MarketDataType | undefined = () => undefined,
  ) {}

  /** Learn from the session's journaled order events (a restart continues where the last run was). */
  remember(event: StoredEvent): void {
    switch (event.type) {
      case "OrderSubmitted": {
        const link: OrderLink = {
          decisionId: event.correlation ?? event.id,
          submittedId: event.id,
          intent: event.payload.intent,
          orderId: event.payload.orderId,
          clientId: event.payload.clientId,
        };
        this.link(link);
        break;
      }
      case "OrderFilled":
        this.execIds.add(event.payload.execId);
        break;
      case "CommissionReported":
        this.commissionIds.add(event.payload.execId);
        break;
      case "OrderCancelled":
      case "OrderRejected": {
        const link = event.correlation ? this.byRef.get(event.correlation) : undefined;
        if (link) this.settled.add(`${link.clientId}:${link.orderId}`);
        break;
      }
      default:
        break;
    }
  }

  /**
   * Risk checks (and, for an entry with `risk.maxInitialMarginUsd`, the gateway's what-if), then
   * the intent is journaled (durably) before anything is sent.
   */
  async act(intent: OrderIntent, decision: StoredEvent): Promise<void> {
    const base = { causation: decision.id, correlation: decision.id };
    const refusal = this.riskCheck(intent) ?? (await this.marginCheck(intent, decision.id));
    if (refusal) {
      this.session.record([
        {
          ...base,
          type: "OrderRefused",
          version: 1,
          ts: this.session.now(),
          payload: { intent, rule: refusal.rule, detail: refusal.detail },
        },
      ]);
      this.logger.warn({ rule: refusal.rule, detail: refusal.detail }, "order refused by risk");
      return;
    }
    const [intended] = this.session.record([
      {
        ...base,
        type: "OrderIntended",
        version: 1,
        ts: this.session.now(),
        payload: { intent, dryRun: this.config.dryRun },
      },
    ]);
    if (this.config.dryRun) return;
    const { gateway, clientId, account } = this.target();
    if (!gateway?.isConnected) {
      this.session.record([
        {
          ...base,
          causation: intended!.id,
          type: "OrderRefused",
          version: 1,
          ts: this.session.now(),
          payload: { intent, rule: "market-closed", detail: "gateway not connected; order not sent" },
        },
      ]);
      return;
    }
    gateway.reserveOrderIdsAbove(this.highestOrderId);
    const orderId = gateway.allocateOrderId();
    const [submitted] = this.session.record([
      {
        ...base,
        causation: intended!.id,
        type: "OrderSubmitted",
        version: 1,
        ts: this.session.now(),
        payload: { orderId, clientId, intent },
      },
    ]);
    this.link({ decisionId: decision.id, submittedId: submitted!.id, intent, orderId, clientId });
    gateway.sendOrder({ orderId, ...orderRequest(intent, decision.id, account) });
  }

  /** The pre-trade what-if (margin-check.ts), for an entry that is not only reducing. */
  private async marginCheck(intent: OrderIntent, decisionId: string): Promise<RiskRefusal | null> {
    if (this.config.risk.maxInitialMarginUsd === undefined || this.config.dryRun) return null;
    const scope = { stream: LIVE_STREAM, session: this.session.id! };
    if (isReducing(intent, riskExposure(this.book.state, scope, intent).held)) return null;
    const { gateway, account } = this.target();
    if (!gateway?.isConnected) return null;
    return checkInitialMargin(
      gateway,
      orderRequest(intent, `what-if ${decisionId}`, account),
      this.config,
      this.logger,
    );
  }

  /**
   * After a (re)connect: journal every execution of today the journal lacks, then settle orders the
   * journal thinks are working but the gateway no longer holds and never filled.
   */
  async recover(timeoutMs: number): Promise<{ executions: number; settled: number }> {
    const { gateway, account } = this.target();
    if (!gateway) return { executions: 0, settled: 0 };
    const before = this.execIds.size;
    await gateway.executions(account, timeoutMs);
    const open = await gateway.openOrders(timeoutMs);
    for (const report of open) this.openOrder(report);
    const stillOpen = new Set(open.map((o) => o.orderRef).filter((r): r is string => r !== null));
    let settled = 0;
    for (const order of this.workingOrders()) {
      const link = order.correlation ? this.byRef.get(order.correlation) : undefined;
      if (!link || stillOpen.has(link.decisionId)) continue;
      settled += 1;
      this.settled.add(`${link.clientId}:${link.orderId}`);
      this.session.record([
        {
          ts: this.session.now(),
          causation: link.submittedId,
          correlation: link.decisionId,
          type: "OrderCancelled",
          version: 1,
          payload: {
            orderId: link.orderId,
            reason: `not working at the gateway after reconnect and no execution found (order ${link.orderId}, client ${link.clientId}): it never reached the gateway or was cancelled while the bot was away`,
          },
        },
      ]);
    }
    return { executions: this.execIds.size - before, settled };
  }

  /** Poll for fills of working orders that another client id sent (an earlier run of the session). */
  async pollExecutions(timeoutMs: number): Promise<void> {
    const { gateway, account } = this.target();
    if (gateway?.isConnected && this.workingOrders().length > 0) await gateway.executions(account, timeoutMs);
  }

  /** Orders of this session the book says are still working at the gateway. */
  workingOrders(): OrderView[] {
    const orders = this.book.state.orders.get(`${LIVE_STREAM}|${this.session.id}`);
    if (!orders) return [];
    return [...orders.byKey.values()].filter(
      (o) => o.phase === "submitted" || o.phase === "partially-filled",
    );
  }

  // ------------------------------------------------------------------ answers from the gateway

  status(
    orderId: number,
    status: string,
    filled: number,
    remaining: number,
    avg: number,
    permId: number,
    lastFill: number,
  ): void {
    const key = `${this.target().clientId}:${orderId}`;
    const link = this.byOrderId.get(key);
    const base = {
      ts: this.session.now(),
      causation: link?.submittedId ?? null,
      correlation: link?.decisionId ?? null,
    };
    this.recordStatus(base, orderId, status, filled, remaining, avg, permId, lastFill);
    // The bot never cancels its orders: a Cancelled it did not hear a reason for is the gateway's
    // own — a DAY order at its session's close, or a cancel from outside this bot.
    if (link && status === "Cancelled" && !this.settled.has(key)) {
      this.settled.add(key);
      this.session.record([
        {
          ...base,
          type: "OrderCancelled",
          version: 1,
          payload: {
            orderId,
            reason: `cancelled by the gateway with ${filled} of ${filled + remaining} filled: a DAY order ends at its session's close (or it was cancelled outside this bot)`,
          },
        },
      ]);
    }
  }

  private recordStatus(
    base: { ts: number; causation: string | null; correlation: string | null },
    orderId: number,
    status: string,
    filled: number,
    remaining: number,
    avg: number,
    permId: number,
    lastFill: number,
  ): void {
    try {
      this.session.record([
        {
          ...base,
          type: "OrderStatusChanged",
          version: 1,
          payload: {
            orderId,
            status: status as PayloadOf<"OrderStatusChanged">["status"],
            filled,
            remaining,
            avgFillPriceUsd: avg > 0 ? avg : null,
            lastFillPriceUsd: lastFill > 0 ? lastFill : null,
            permId: permId || null,
          },
        },
      ]);
    } catch (error) {
      // Order states are strict: an unknown one is journaled as a notice and logged loudly.
      this.logger.error(
        { orderId, status, err: (error as Error).message },
        "unknown order status from the gateway",
      );
      this.session.record([
        {
          ...base,
          type: "GatewayNotice",
          version: 2,
          payload: {
            code: -1,
            message: `unknown order status "${status}" for order ${orderId}`,
            reqId: orderId,
            severity: "error",
          },
        },
      ]);
    }
  }

  execution(report: ExecutionReport): void {
    if (this.execIds.has(report.execId)) return;
    const link =
      (report.orderRef ? this.byRef.get(report.orderRef) : undefined) ??
      this.byOrderId.get(`${report.clientId}:${report.orderId}`);
    if (!link) {
      if (!this.foreign.has(report.execId)) {
        this.foreign.add(report.execId);
        this.logger.warn(
          {
            execId: report.execId,
            orderRef: report.orderRef,
            clientId: report.clientId,
            account: report.account,
          },
          "execution of an order this bot did not send: not journaled as ours; reconciliation will show the position",
        );
      }
      return;
    }
    this.execIds.add(report.execId);
    this.execToLink.set(report.execId, link);
    this.session.record([
      {
        ts: this.session.now(),
        causation: link.submittedId,
        correlation: link.decisionId,
        type: "OrderFilled",
        version: 1,
        payload: {
          orderId: link.orderId,
          execId: report.execId,
          contract: link.intent.contract,
          side: report.side,
          quantity: report.shares,
          priceUsd: report.priceUsd,
          exchange: report.exchange,
          orderRef: link.decisionId,
          recovered: report.recovered,
        },
      },
    ]);
    if (report.recovered)
      this.logger.warn(
        { execId: report.execId, orderId: link.orderId },
        "recovered a fill the journal did not have",
      );
    const early = this.earlyCommissions.get(report.execId);
    if (early) {
      this.earlyCommissions.delete(report.execId);
      this.commission(...early);
    }
  }

  commission(execId: string, commission: number, currency: string, realized: number | null): void {
    if (this.commissionIds.has(execId)) return;
    const link = this.execToLink.get(execId);
    if (!link) {
      if (!this.execIds.has(execId) && !this.foreign.has(execId))
        this.earlyCommissions.set(execId, [execId, commission, currency, realized]);
      return;
    }
    this.commissionIds.add(execId);
    this.session.record([
      {
        ts: this.session.now(),
        causation: link.submittedId,
        correlation: link.decisionId,
        type: "CommissionReported",
        version: 1,
        payload: {
          execId,
          orderId: link.orderId,
          commissionUsd: commission,
          currency,
          realizedPnlUsd: realized,
        },
      },
    ]);
  }

  openOrder(report: OpenOrderReport): void {
    const link = report.orderRef ? this.byRef.get(report.orderRef) : undefined;
    if (link) this.byOrderId.set(`${report.clientId}:${report.orderId}`, link);
  }

  /**
   * A gateway notice on an order id of ours: 202 cancelled; 201 (margin, permissions), 110 (off
   * the price grid), 200 and 203 (no such contract, not allowed) rejected, with IB's reason. Any
   * other code on an order (399, 10349, 2109…) is a warning: the order goes on, the notice is
   * journaled by whoever called and nothing is settled.
   */
  orderNotice(code: number, orderId: number, message: string): void {
    const key = `${this.target().clientId}:${orderId}`;
    const link = this.byOrderId.get(key);
    if (!link || this.settled.has(key) || !(code === 202 || REJECTION_CODES.has(code))) return;
    this.settled.add(key);
    const base = { ts: this.session.now(), causation: link.submittedId, correlation: link.decisionId };
    if (code === 202)
      this.session.record([
        { ...base, type: "OrderCancelled", version: 1, payload: { orderId, reason: message } },
      ]);
    else
      this.session.record([
        { ...base, type: "OrderRejected", version: 1, payload: { orderId, code, reason: message } },
      ]);
  }

  // ------------------------------------------------------------------ rules

  private link(link: OrderLink): void {
    this.byRef.set(link.decisionId, link);
    this.byOrderId.set(`${link.clientId}:${link.orderId}`, link);
    this.highestOrderId = Math.max(this.highestOrderId, link.orderId);
  }

  /** The shared rules of the core (src/projections/risk.ts), after the reconciliation halt. */
  private riskCheck(intent: OrderIntent): RiskRefusal | null {
    const key = contractKey(intent.contract);
    const book = riskExposure(this.book.state, { stream: LIVE_STREAM, session: this.session.id! }, intent);
    const marketData = this.quotedAs(key);
    const quoted = marketData === undefined ? book : { ...book, marketData };
    const exposure =
      this.brokerPositions === null ? quoted : { ...quoted, broker: this.brokerPositions.get(key) ?? 0 };
    if (this.entriesHalted !== null && !isReducing(intent, exposure.held))
      return { rule: "position-mismatch", detail: `entries halted: ${this.entriesHalted}` };
    return checkExposure(exposure, intent, this.config.risk);
  }
}
