/**
 * LiveBot: the cycle loop that runs beside IB Gateway on the Pi. Everything it sees and does is
 * journaled before anything acts on it (record before you react): a response is appended, then fed
 * to the strategy; an intent is appended (durably), then sent.
 *
 * One cycle, one symbol at a time with a pause between: port check, 1-minute RTH bars, the option
 * chain (once per session), an underlying snapshot, snapshots of ≤ N near-ATM calls and puts, the
 * strategy's decision, risk checks, orders. The bot's clock is the gateway's.
 */
import type { Logger } from "pino";
import {
  type Contract,
  isRegularTradingHours,
  type Journal,
  LIVE_STREAM,
  type NewEvent,
  noticeSeverity,
  type OptionContract,
  type OrderIntent,
  openJournal,
  type PayloadOf,
  type StoredEvent,
  tradingSessionOf,
  ulidIdGen,
} from "../events/index.js";
import { BookProjection, positionKey, toUsd } from "../projections/index.js";
import {
  type AnyStrategy,
  isMarketEvent,
  SessionFeed,
  StrategyRunner,
  strategyRef,
} from "../strategy/index.js";
import { ClientIdAllocator } from "./client-id.js";
import { configHash, enforceInterval, isSimulatorAccounts, type LiveConfig } from "./config.js";
import { GatewayClient, type GatewayNotice, GatewayRequestError, GatewayTimeout } from "./gateway.js";
import { HealthMonitor } from "./health.js";

export interface LiveBotOptions {
  config: LiveConfig;
  journalPath: string;
  strategy: AnyStrategy;
  params: Record<string, unknown>;
  /** Stop cleanly after this many cycles (trials and tests). */
  cycles?: number;
  codeVersion: string;
  logger: Logger;
}

interface OrderLink {
  decisionId: string;
  submittedId: string;
  intent: OrderIntent;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LiveBot {
  private readonly journal: Journal;
  private readonly book = new BookProjection();
  private readonly ids = ulidIdGen();
  private readonly health = new HealthMonitor();
  private readonly clientIds: ClientIdAllocator;
  private readonly runner: StrategyRunner;
  private gateway: GatewayClient | null = null;
  private session: string | null = null;
  private readonly earlyNotices: GatewayNotice[] = [];
  private readonly chains = new Map<string, PayloadOf<"OptionChainReceived">>();
  private readonly orders = new Map<number, OrderLink>();
  private readonly execToOrder = new Map<string, number>();
  private stopping = false;
  /** SessionOpened is journaled: from here on every notice and the close are recorded. */
  private opened = false;
  private wake: (() => void) | null = null;
  private connectivityLost = false;
  private pacingStrikes = 0;
  private pacingUntil = 0;
  private cycleAnchor = { gatewayMs: 0, localMs: 0 };
  private simulator = false;
  private clientId = -1;
  private connectAttempts = 0;

  constructor(private readonly options: LiveBotOptions) {
    this.journal = openJournal(options.journalPath, { projections: [this.book], idGen: this.ids });
    this.clientIds = new ClientIdAllocator(`${options.journalPath}.clientid`);
    this.runner = new StrategyRunner(options.strategy, options.params);
  }

  /** Ask the loop to finish its current step and close the session. */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Run until `cycles` are done or `stop()`; resolves with the number of cycles run. */
  async run(): Promise<number> {
    const { config, logger } = this.options;
    let cyclesRun = 0;
    try {
      await this.connect();
      if (!this.session) throw new Error("no session after connect");
      // Refused before anything is journaled: a config past a limit leaves the journal as it was.
      enforceInterval(config, this.simulator);
      this.opened = true;
      this.record([
        {
          type: "SessionOpened",
          version: 1,
          ts: this.now(),
          payload: {
            mode: config.dryRun
              ? "dry-run"
              : this.simulator || config.gateway.port === 4002
                ? "paper"
                : "live",
            strategy: strategyRef(this.options.strategy),
            params: this.options.params,
            configHash: configHash(config),
            codeVersion: this.options.codeVersion,
            symbols: config.symbols,
            gateway: {
              host: config.gateway.host,
              port: config.gateway.port,
              clientId: this.clientId,
              simulator: this.simulator,
            },
          },
        },
      ]);
      this.recordConnected();
      this.flushEarlyNotices();
      await this.reportAccount();
      let cycle = this.warmUp() + 1;
      const target = this.options.cycles;
      while (!this.stopping && (target === undefined || cyclesRun < target)) {
        const started = performance.now();
        await this.runCycle(cycle);
        cyclesRun += 1;
        cycle += 1;
        if (this.stopping || (target !== undefined && cyclesRun >= target)) break;
        const wait = config.intervalSeconds * 1000 - (performance.now() - started);
        if (wait > 0) await this.sleepInterruptibly(wait);
      }
      this.closeSession(this.stopping ? "signal" : "completed", cyclesRun);
      return cyclesRun;
    } catch (error) {
      logger.error({ err: (error as Error).message }, "live mode stopped on an error");
      if (this.opened) this.closeSession("error", cyclesRun, (error as Error).message);
      throw error;
    } finally {
      this.gateway?.disconnect();
      this.health.stop();
      this.journal.close();
    }
  }

  // ---------------------------------------------------------------- connection

  private newGateway(): GatewayClient {
    const { host, port } = this.options.config.gateway;
    return new GatewayClient(
      host,
      port,
      (notice) => this.onNotice(notice),
      (reason) => this.onDisconnected(reason),
      {
        status: (orderId, status, filled, remaining, avg, permId, lastFill) =>
          this.onOrderStatus(orderId, status, filled, remaining, avg, permId, lastFill),
        execution: (orderId, execId, side, shares, price, exchange) =>
          this.onExecution(orderId, execId, side, shares, price, exchange),
        commission: (execId, commission, currency, realized) =>
          this.onCommission(execId, commission, currency, realized),
      },
    );
  }

  /** Connect with a fresh clientId; on 326 or a refused connection try again with backoff. */
  private async connect(): Promise<void> {
    const { config, logger } = this.options;
    for (let attempt = 0; !this.stopping; attempt++) {
      this.clientId =
        config.gateway.clientId !== undefined && attempt === 0 && this.connectAttempts === 0
          ? config.gateway.clientId
          : this.clientIds.next();
      this.connectAttempts += 1;
      const gateway = this.newGateway();
      try {
        const info = await gateway.connect(this.clientId, config.gateway.connectTimeoutSeconds * 1000);
        this.gateway = gateway;
        this.simulator = isSimulatorAccounts(info.accounts);
        const gatewayMs = await gateway.currentTimeMs(config.requestTimeoutSeconds * 1000);
        this.cycleAnchor = { gatewayMs, localMs: performance.now() };
        this.session ??= tradingSessionOf(gatewayMs);
        if (this.opened) this.flushEarlyNotices();
        logger.info(
          { clientId: this.clientId, accounts: info.accounts.join(","), simulator: this.simulator },
          "connected to the gateway",
        );
        return;
      } catch (error) {
        gateway.disconnect();
        const backoff = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
        logger.warn(
          { clientId: this.clientId, attempt, err: (error as Error).message, retryInMs: Math.round(backoff) },
          "could not connect",
        );
        if (attempt >= 8)
          throw new Error(
            `could not connect to the gateway at ${config.gateway.host}:${config.gateway.port} after ${attempt + 1} attempts: ${(error as Error).message}`,
          );
        await this.sleepInterruptibly(backoff);
      }
    }
  }

  private recordConnected(): void {
    const { config } = this.options;
    this.record([
      {
        type: "GatewayConnected",
        version: 1,
        ts: this.now(),
        payload: {
          host: config.gateway.host,
          port: config.gateway.port,
          clientId: this.clientId,
          accounts: [],
          simulator: this.simulator,
          attempt: this.connectAttempts,
        },
      },
    ]);
  }

  private onDisconnected(reason: string): void {
    this.options.logger.warn({ reason }, "gateway disconnected");
    if (this.opened)
      this.record([
        {
          type: "GatewayDisconnected",
          version: 1,
          ts: this.now(),
          payload: { reason, willReconnect: !this.stopping },
        },
      ]);
  }

  private async ensureConnected(): Promise<void> {
    if (this.gateway?.isConnected) return;
    // A planned reconnect after a drop or a gateway restart, always with a new clientId.
    await this.connect();
    if (this.gateway?.isConnected) this.recordConnected();
  }

  private onNotice(notice: GatewayNotice): void {
    if (notice.code === 1100) this.connectivityLost = true;
    if (notice.code === 1101 || notice.code === 1102) this.connectivityLost = false;
    if (!this.opened) {
      this.earlyNotices.push(notice);
      return;
    }
    this.recordNotice(notice);
  }

  private recordNotice(notice: GatewayNotice): void {
    const severity = noticeSeverity(notice.code);
    this.options.logger[severity === "error" ? "warn" : "info"](
      { code: notice.code, reqId: notice.reqId },
      notice.message,
    );
    const order = this.orders.get(notice.reqId);
    this.record([
      {
        type: "GatewayNotice",
        version: 2,
        ts: this.now(),
        payload: { code: notice.code, message: notice.message, reqId: notice.reqId, severity },
      },
    ]);
    if (order && (notice.code === 202 || notice.code === 10148 || notice.code === 201)) {
      const base = { ts: this.now(), causation: order.submittedId, correlation: order.decisionId };
      if (notice.code === 202)
        this.record([
          {
            ...base,
            type: "OrderCancelled",
            version: 1,
            payload: { orderId: notice.reqId, reason: notice.message },
          },
        ]);
      if (notice.code === 201)
        this.record([
          {
            ...base,
            type: "OrderRejected",
            version: 1,
            payload: { orderId: notice.reqId, code: 201, reason: notice.message },
          },
        ]);
    }
  }

  private flushEarlyNotices(): void {
    for (const notice of this.earlyNotices.splice(0)) this.recordNotice(notice);
  }

  // ---------------------------------------------------------------- the cycle

  /** Re-feed this session's journaled events to the strategy (a restart continues its state); returns the last cycle number. */
  private warmUp(): number {
    let lastCycle = 0;
    const feed = new SessionFeed(this.runner, () => {});
    for (const event of this.journal.read({ stream: LIVE_STREAM, session: this.session! })) {
      feed.push(event);
      if (event.type === "CycleStarted") lastCycle = Math.max(lastCycle, event.payload.cycle);
      if (event.type === "OptionChainReceived") this.chains.set(event.payload.symbol, event.payload);
    }
    // A symbol cut short by a crash never decided live: drop its half-seen events.
    if (this.runner.waitingSymbol !== null) this.runner.discardPending();
    return lastCycle;
  }

  private async runCycle(cycle: number): Promise<void> {
    const { config, logger } = this.options;
    const counts = { requests: 0, errors: 0, timeouts: 0 };
    const localStart = performance.now();
    let status: PayloadOf<"CycleCompleted">["status"] = "ok";
    let detail: string | undefined;
    try {
      await this.ensureConnected();
      const gateway = this.gateway!;
      const sample = await this.health.sample(config.gateway.host, config.gateway.port);
      const gatewayMs = await gateway.currentTimeMs(config.requestTimeoutSeconds * 1000);
      counts.requests += 1;
      this.cycleAnchor = { gatewayMs, localMs: performance.now() };
      this.record([{ type: "HealthSampled", version: 1, ts: this.now(), payload: sample }]);
      this.healthWarnings(sample);
      this.record([
        {
          type: "CycleStarted",
          version: 1,
          ts: this.now(),
          payload: { cycle, symbols: config.symbols, gatewayTimeMs: gatewayMs },
        },
      ]);
      if (!sample.gatewayPortOpen) {
        status = "skipped";
        detail = `gateway port ${config.gateway.port} is not accepting connections`;
      } else if (!isRegularTradingHours(gatewayMs)) {
        status = "skipped";
        detail = "outside regular trading hours (09:30–16:00 New York): waiting, not trading";
      } else if (this.connectivityLost) {
        status = "skipped";
        detail = "gateway reported connectivity lost (1100) and not yet restored";
      } else {
        for (const [i, symbol] of config.symbols.entries()) {
          if (this.stopping) break;
          if (i > 0) await sleep(config.symbolPauseMs);
          await this.runSymbol(cycle, symbol, counts);
        }
        await this.reportPositions(counts);
        if (counts.errors + counts.timeouts > 0) status = "partial";
      }
    } catch (error) {
      status = "failed";
      detail = (error as Error).message;
      counts.errors += 1;
      logger.warn({ cycle, err: detail }, "cycle failed");
      // Anything observed but not decided is dropped with the failed cycle, as replay will.
      if (this.runner.waitingSymbol !== null) this.runner.discardPending();
    }
    if (!this.session) return;
    this.record([
      {
        type: "CycleCompleted",
        version: 1,
        ts: this.now(),
        payload: {
          cycle,
          status,
          durationMs: Math.round(performance.now() - localStart),
          ...counts,
          ...(detail === undefined ? {} : { detail }),
        },
      },
    ]);
    logger.info({ cycle, status, ...counts, ...(detail ? { detail } : {}) }, "cycle completed");
  }

  private async runSymbol(
    cycle: number,
    symbol: string,
    counts: { requests: number; errors: number; timeouts: number },
  ): Promise<void> {
    const { config, logger } = this.options;
    const gateway = this.gateway!;
    const timeout = config.requestTimeoutSeconds * 1000;
    const stock: Contract = { secType: "STK", symbol, exchange: "SMART", currency: "USD" };
    const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
      counts.requests += 1;
      const requestedAtMs = this.now();
      try {
        return await fn();
      } catch (error) {
        if (error instanceof GatewayTimeout) counts.timeouts += 1;
        else counts.errors += 1;
        if (error instanceof GatewayRequestError && (error.code === 162 || error.code === 100))
          this.backOffPacing();
        logger.warn({ symbol, what, requestedAtMs, err: (error as Error).message }, "request failed");
        if (!(error instanceof GatewayTimeout || error instanceof GatewayRequestError)) throw error;
        return null;
      }
    };

    // Bars: 1-minute, RTH only, at most one hour (alpha: longer requests timed out).
    if (performance.now() < this.pacingUntil) {
      logger.info(
        { symbol, resumeInMs: Math.round(this.pacingUntil - performance.now()) },
        "historical requests paused after a pacing violation",
      );
    } else {
      const start = this.now();
      const bars = await attempt("bars", () => gateway.historicalBars(stock, config.historySeconds, timeout));
      if (bars) {
        this.pacingStrikes = 0;
        this.observe(
          this.record([
            {
              type: "BarsReceived",
              version: 1,
              ts: this.now(),
              payload: {
                contract: stock,
                barSize: "1 min",
                whatToShow: "TRADES",
                useRth: true,
                timing: { reqId: bars.reqId, requestedAtMs: start, latencyMs: this.now() - start },
                bars: bars.bars.slice(-1000),
              },
            },
          ]),
        );
      }
    }

    // The chain once per session (it does not change intraday).
    if (!this.chains.has(symbol)) {
      const start = this.now();
      const conId = await attempt("contract details", () => gateway.stockConId(symbol, timeout));
      const chain =
        conId === null
          ? null
          : await attempt("option chain", () => gateway.optionChain(symbol, conId, timeout));
      if (chain && conId !== null) {
        const payload: PayloadOf<"OptionChainReceived"> = {
          symbol,
          underlyingConId: conId,
          exchange: chain.exchange,
          tradingClass: chain.tradingClass,
          multiplier: chain.multiplier,
          expirations: chain.expirations,
          strikes: chain.strikes,
          timing: { reqId: chain.reqId, requestedAtMs: start, latencyMs: this.now() - start },
        };
        this.chains.set(symbol, payload);
        this.observe(this.record([{ type: "OptionChainReceived", version: 1, ts: this.now(), payload }]));
      }
    }

    const underlying = await this.takeSnapshot(stock, counts);
    const spot = underlying?.lastUsd ?? midOf(underlying) ?? null;
    const chain = this.chains.get(symbol);
    if (spot !== null && chain) {
      const options = pickOptions(chain, spot, config.strikes, config.minDaysToExpiry, this.session!);
      // Snapshots only, never streaming (alpha: streaming subscriptions overflowed the gateway's buffer).
      await Promise.all(options.map((contract) => this.takeSnapshot(contract, counts)));
    }

    const decision = this.runner.decide(cycle);
    if (!decision) return;
    const decisionId = this.ids.next(this.now());
    const [stored] = this.record([
      {
        id: decisionId,
        type: "DecisionMade",
        version: 1,
        ts: this.now(),
        correlation: decisionId,
        payload: decision,
      },
    ]);
    logger.info({ cycle, symbol, action: decision.action, reason: decision.reason }, "decision");
    for (const intent of decision.intents) this.act(intent, stored!);
  }

  private async takeSnapshot(
    contract: Contract,
    counts: { requests: number; errors: number; timeouts: number },
  ): Promise<PayloadOf<"QuoteSnapshot"> | null> {
    const timeout = this.options.config.requestTimeoutSeconds * 1000;
    const start = this.now();
    counts.requests += 1;
    try {
      const { reqId, result } = await this.gateway!.snapshot(contract, timeout);
      if (!result.complete) counts.timeouts += 1;
      const payload: PayloadOf<"QuoteSnapshot"> = {
        contract,
        ...result,
        greeks: contract.secType === "OPT" ? result.greeks : null,
        timing: { reqId, requestedAtMs: start, latencyMs: this.now() - start },
      };
      if (!result.complete && result.bidUsd === null && result.askUsd === null && result.lastUsd === null)
        return null;
      this.observe(this.record([{ type: "QuoteSnapshot", version: 1, ts: this.now(), payload }]));
      return payload;
    } catch (error) {
      counts.errors += 1;
      if (!(error instanceof GatewayRequestError || error instanceof GatewayTimeout)) throw error;
      return null;
    }
  }

  private observe(events: StoredEvent[]): void {
    for (const event of events) if (isMarketEvent(event)) this.runner.observe(event);
  }

  // ---------------------------------------------------------------- orders

  /** Risk checks, then the intent is journaled (durably) before anything is sent. */
  private act(intent: OrderIntent, decision: StoredEvent): void {
    const { config, logger } = this.options;
    const base = { causation: decision.id, correlation: decision.id };
    const refusal = this.riskCheck(intent);
    if (refusal) {
      this.record([
        {
          ...base,
          type: "OrderRefused",
          version: 1,
          ts: this.now(),
          payload: { intent, rule: refusal.rule, detail: refusal.detail },
        },
      ]);
      logger.warn({ rule: refusal.rule, detail: refusal.detail }, "order refused by risk");
      return;
    }
    const [intended] = this.record([
      {
        ...base,
        type: "OrderIntended",
        version: 1,
        ts: this.now(),
        payload: { intent, dryRun: config.dryRun },
      },
    ]);
    if (config.dryRun) return;
    const gateway = this.gateway;
    if (!gateway?.isConnected) {
      this.record([
        {
          ...base,
          causation: intended!.id,
          type: "OrderRefused",
          version: 1,
          ts: this.now(),
          payload: { intent, rule: "market-closed", detail: "gateway not connected; order not sent" },
        },
      ]);
      return;
    }
    const orderId = gateway.allocateOrderId();
    const [submitted] = this.record([
      {
        ...base,
        causation: intended!.id,
        type: "OrderSubmitted",
        version: 1,
        ts: this.now(),
        payload: { orderId, clientId: this.clientId, intent },
      },
    ]);
    this.orders.set(orderId, { decisionId: decision.id, submittedId: submitted!.id, intent });
    gateway.sendOrder(
      orderId,
      intent.contract,
      intent.side,
      intent.quantity,
      intent.orderType,
      intent.limitPriceUsd,
    );
  }

  private riskCheck(intent: OrderIntent): { rule: PayloadOf<"OrderRefused">["rule"]; detail: string } | null {
    const { risk } = this.options.config;
    const state = this.book.state;
    const held = state.positions.byKey.get(positionKey(LIVE_STREAM, intent.contract))?.quantity ?? 0;
    const after = held + (intent.side === "BUY" ? intent.quantity : -intent.quantity);
    if (Math.abs(after) > risk.maxPositionPerContract) {
      return {
        rule: "max-position",
        detail: `position would be ${after}, limit ±${risk.maxPositionPerContract}`,
      };
    }
    const open = [...state.orders.values()]
      .flatMap((o) => [...o.byKey.values()])
      .filter(
        (o) => o.stream === LIVE_STREAM && (o.phase === "submitted" || o.phase === "partially-filled"),
      ).length;
    if (open >= risk.maxOpenOrders)
      return { rule: "max-open-orders", detail: `${open} orders open, limit ${risk.maxOpenOrders}` };
    const summary = state.summaries.get(`${LIVE_STREAM}|${this.session}`);
    const opening = Math.abs(after) > Math.abs(held);
    if (opening && summary && -toUsd(summary.netPnlMicros) >= risk.dailyLossLimitUsd) {
      return {
        rule: "daily-loss-limit",
        detail: `session P&L ${toUsd(summary.netPnlMicros)} USD is past the −${risk.dailyLossLimitUsd} limit; only closing orders`,
      };
    }
    return null;
  }

  private onOrderStatus(
    orderId: number,
    status: string,
    filled: number,
    remaining: number,
    avg: number,
    permId: number,
    lastFill: number,
  ): void {
    const link = this.orders.get(orderId);
    const base = {
      ts: this.now(),
      causation: link?.submittedId ?? null,
      correlation: link?.decisionId ?? null,
    };
    try {
      this.record([
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
      this.options.logger.error(
        { orderId, status, err: (error as Error).message },
        "unknown order status from the gateway",
      );
      this.record([
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

  private onExecution(
    orderId: number,
    execId: string,
    side: "BUY" | "SELL",
    shares: number,
    price: number,
    exchange: string,
  ): void {
    const link = this.orders.get(orderId);
    if (!link) {
      this.options.logger.warn({ orderId, execId }, "execution for an order this run did not send");
      return;
    }
    this.execToOrder.set(execId, orderId);
    this.record([
      {
        ts: this.now(),
        causation: link.submittedId,
        correlation: link.decisionId,
        type: "OrderFilled",
        version: 1,
        payload: {
          orderId,
          execId,
          contract: link.intent.contract,
          side,
          quantity: shares,
          priceUsd: price,
          exchange,
        },
      },
    ]);
  }

  private onCommission(execId: string, commission: number, currency: string, realized: number | null): void {
    const orderId = this.execToOrder.get(execId) ?? null;
    const link = orderId === null ? undefined : this.orders.get(orderId);
    this.record([
      {
        ts: this.now(),
        causation: link?.submittedId ?? null,
        correlation: link?.decisionId ?? null,
        type: "CommissionReported",
        version: 1,
        payload: { execId, orderId, commissionUsd: commission, currency, realizedPnlUsd: realized },
      },
    ]);
  }

  // ---------------------------------------------------------------- reports and health

  private async reportPositions(counts: {
    requests: number;
    errors: number;
    timeouts: number;
  }): Promise<void> {
    counts.requests += 1;
    try {
      const reports = await this.gateway!.positions(this.options.config.requestTimeoutSeconds * 1000);
      const all = reports.length ? reports : [{ account: "", positions: [] }];
      this.record(
        all.map((payload) => ({
          type: "PositionsReported" as const,
          version: 1 as const,
          ts: this.now(),
          payload,
        })),
      );
    } catch (error) {
      if (error instanceof GatewayTimeout) counts.timeouts += 1;
      else counts.errors += 1;
    }
  }

  private async reportAccount(): Promise<void> {
    try {
      const reports = await this.gateway!.accountSummary(this.options.config.requestTimeoutSeconds * 1000);
      this.record(
        reports.map((payload) => ({
          type: "AccountReported" as const,
          version: 1 as const,
          ts: this.now(),
          payload,
        })),
      );
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, "account summary failed");
    }
  }

  private healthWarnings(sample: PayloadOf<"HealthSampled">): void {
    const floor = this.options.config.health.freeMemoryFloorMb * 1024 * 1024;
    if (sample.freeMemBytes < floor) {
      this.record([
        {
          type: "HealthWarning",
          version: 1,
          ts: this.now(),
          payload: {
            kind: "low-memory",
            detail: `free memory ${Math.round(sample.freeMemBytes / 1048576)} MB is under the ${this.options.config.health.freeMemoryFloorMb} MB floor (alpha: leave 1 GB+ for the OS)`,
            value: sample.freeMemBytes,
            threshold: floor,
          },
        },
      ]);
    }
    if (!sample.gatewayPortOpen) {
      this.record([
        {
          type: "HealthWarning",
          version: 1,
          ts: this.now(),
          payload: {
            kind: "gateway-port-closed",
            detail: `nothing listens on ${this.options.config.gateway.host}:${this.options.config.gateway.port}`,
            value: 0,
            threshold: 1,
          },
        },
      ]);
    }
  }

  // ---------------------------------------------------------------- plumbing

  /** The gateway's clock: its time at the cycle start plus local monotonic time since. */
  private now(): number {
    return Math.round(this.cycleAnchor.gatewayMs + (performance.now() - this.cycleAnchor.localMs));
  }

  private record(events: NewEvent[]): StoredEvent[] {
    if (events.length === 0) return [];
    return this.journal.append(LIVE_STREAM, this.session!, events);
  }

  private closeSession(reason: PayloadOf<"SessionClosed">["reason"], cycles: number, detail?: string): void {
    this.record([
      {
        type: "SessionClosed",
        version: 1,
        ts: this.now(),
        payload: { reason, cycles, ...(detail === undefined ? {} : { detail }) },
      },
    ]);
    this.options.logger.info({ reason, cycles }, "session closed");
  }

  private async sleepInterruptibly(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  /** Back off historical requests after a pacing violation: exponential, with jitter. */
  private backOffPacing(): void {
    const { pacingBackoffSeconds, maxBackoffSeconds } = this.options.config;
    this.pacingStrikes += 1;
    const base = Math.min(maxBackoffSeconds, pacingBackoffSeconds * 2 ** (this.pacingStrikes - 1)) * 1000;
    this.pacingUntil = performance.now() + base * (0.5 + Math.random() / 2);
  }
}

function midOf(quote: PayloadOf<"QuoteSnapshot"> | null): number | null {
  if (!quote || quote.bidUsd === null || quote.askUsd === null) return null;
  return (quote.bidUsd + quote.askUsd) / 2;
}

/** The nearest expiry at least `minDays` out, and the `strikes` strikes nearest the spot, call and put each. */
export function pickOptions(
  chain: PayloadOf<"OptionChainReceived">,
  spot: number,
  strikes: number,
  minDays: number,
  session: string,
): OptionContract[] {
  const today = Number(session.replaceAll("-", ""));
  const [y, m, d] = session.split("-").map(Number) as [number, number, number];
  const earliest = Number(
    new Date(Date.UTC(y, m - 1, d + minDays)).toISOString().slice(0, 10).replaceAll("-", ""),
  );
  const expiry = chain.expirations.find((e) => Number(e) >= Math.max(today, earliest));
  if (!expiry) return [];
  const nearest = [...chain.strikes]
    .sort((a, b) => Math.abs(a - spot) - Math.abs(b - spot) || a - b)
    .slice(0, strikes)
    .sort((a, b) => a - b);
  return nearest.flatMap((strike) =>
    (["C", "P"] as const).map((right) => ({
      secType: "OPT" as const,
      symbol: chain.symbol,
      expiry,
      strike,
      right,
      multiplier: chain.multiplier,
      exchange: "SMART",
      currency: "USD",
    })),
  );
}
