/**
 * LiveBot: the cycle loop that runs beside IB Gateway on the Pi. It wires the rooms of live mode
 * together — connection supervision (connection.ts), the cycle's market data (market-data.ts),
 * order routing and fill recovery (order-router.ts), reconciliation with the broker
 * (reconciler.ts) — and owns the session's life: lock, guard, integrity, open, cycles, close.
 *
 * Everything it sees and does is journaled before anything acts on it (record before you react):
 * a response is appended, then fed to the strategy; an intent is appended (durably), then sent.
 */
import type { Logger } from "pino";
import {
  acquireWriterLock,
  isRegularTradingHours,
  type Journal,
  LIVE_STREAM,
  noticeSeverity,
  openJournal,
  type PayloadOf,
  type StoredEvent,
  tradingSessionOf,
  ulidIdGen,
  type WriterLock,
} from "../events/index.js";
import { BookProjection } from "../projections/index.js";
import {
  type AnyStrategy,
  isMarketEvent,
  isOrderOutcome,
  SessionFeed,
  StrategyRunner,
  strategyRef,
} from "../strategy/index.js";
import { guardAccounts, guardPort, type TradingMode, tradingMode } from "./account-guard.js";
import { ClientIdAllocator } from "./client-id.js";
import { configHash, enforceInterval, type LiveConfig } from "./config.js";
import { ConnectAborted, GatewayConnection } from "./connection.js";
import type { GatewayNotice } from "./gateway.js";
import { HealthMonitor, healthWarnings } from "./health.js";
import { LiveSession } from "./live-session.js";
import { type LiveSummary, summarize } from "./live-summary.js";
import { type CycleCounts, heldOptions, MarketDataGatherer } from "./market-data.js";
import { OrderRouter } from "./order-router.js";
import { BrokerReconciler } from "./reconciler.js";
import { WireCapture } from "./wire-capture.js";

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

/** The live journal is broken: live refuses to append to it. */
export class JournalIntegrityError extends Error {
  readonly code = "JOURNAL_BROKEN";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LiveBot {
  private readonly book = new BookProjection();
  private readonly ids = ulidIdGen();
  private readonly health = new HealthMonitor();
  private readonly runner: StrategyRunner;
  private readonly connection: GatewayConnection;
  private router!: OrderRouter;
  private readonly mode: TradingMode;
  private journal: Journal | null = null;
  private session: LiveSession | null = null;
  private market: MarketDataGatherer | null = null;
  private reconciler: BrokerReconciler | null = null;
  private account = "";
  private readonly earlyNotices: GatewayNotice[] = [];
  private stopping = false;
  /** SessionOpened is journaled: from here on every notice and the close are recorded. */
  private opened = false;
  private wake: (() => void) | null = null;
  private cyclesRun = 0;
  /** Set by 1101/1102 (connectivity restored): fills made while it was lost are asked for again. */
  private recoveryDue = false;
  /** The wire tap, when `capture` is on. */
  private readonly capture: WireCapture | null;

  constructor(private readonly options: LiveBotOptions) {
    const { config, logger } = options;
    this.mode = tradingMode(config.dryRun, config.liveAccount);
    this.runner = new StrategyRunner(options.strategy, options.params);
    this.capture = config.capture ? new WireCapture(logger) : null;
    this.connection = new GatewayConnection(
      config,
      new ClientIdAllocator(`${options.journalPath}.clientid`),
      logger,
      {
        notice: (notice) => this.onNotice(notice),
        disconnected: (reason) => this.onDisconnected(reason),
        orders: {
          status: (...args) => this.router.status(...args),
          execution: (report) => this.router.execution(report),
          commission: (...args) => this.router.commission(...args),
          openOrder: (report) => this.router.openOrder(report),
        },
      },
      (ms) => this.sleepInterruptibly(ms),
      () => this.stopping,
    );
  }

  /** Ask the loop to finish its current step and close the session. */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Run until `cycles` are done or `stop()`; resolves with what the session did. */
  async run(): Promise<LiveSummary> {
    const { config, logger, journalPath } = this.options;
    // Refused before anything is opened or sent: paper mode never talks to a live-trading port.
    guardPort(this.mode, config.gateway.port);
    let lock: WriterLock | null = null;
    try {
      // One writer per journal (readers are never blocked); a SIGKILLed holder leaves no lock.
      lock = acquireWriterLock(journalPath, `journal live (${this.mode})`, new Date().toISOString());
      this.journal = openJournal(journalPath, { projections: [this.book], idGen: this.ids });
      this.session = new LiveSession(this.journal);
      this.wireSession(this.session);
      await this.capture?.start(this.connection, config.gateway);
      const gatewayMs = await this.connection.connect();
      this.live.anchorClock(gatewayMs);
      this.live.id ??= tradingSessionOf(gatewayMs);
      // Refused before anything is journaled: a wrong account or a config past a limit leaves
      // the journal as it was and sends nothing.
      this.account = guardAccounts(this.mode, this.connection.accounts, config.liveAccount);
      enforceInterval(config, this.connection.simulator);
      this.checkIntegrity();
      this.opened = true;
      this.openSession();
      this.capture?.open(this.live);
      this.recordConnected();
      this.flushEarlyNotices();
      let cycle = this.warmUp() + 1;
      await this.recover();
      await this.reportAccount();
      const target = this.options.cycles;
      while (!this.stopping && (target === undefined || this.cyclesRun < target)) {
        const started = performance.now();
        await this.runCycle(cycle);
        this.cyclesRun += 1;
        cycle += 1;
        this.capture?.flush();
        if (this.stopping || (target !== undefined && this.cyclesRun >= target)) break;
        const wait = config.intervalSeconds * 1000 - (performance.now() - started);
        if (wait > 0) await this.sleepInterruptibly(wait);
      }
      const detail = await this.settleWorkingOrders();
      this.closeSession(this.stopping ? "signal" : "completed", detail);
      return summarize(this.book.state, this.live.id!, this.cyclesRun);
    } catch (error) {
      if (!(error instanceof ConnectAborted))
        logger.error({ err: (error as Error).message }, "live mode stopped on an error");
      if (this.opened) this.closeSession("error", (error as Error).message);
      throw error;
    } finally {
      this.connection.disconnect();
      this.health.stop();
      await this.capture?.close();
      this.journal?.close();
      lock?.release();
    }
  }

  private get live(): LiveSession {
    if (!this.session) throw new Error("the journal is not open yet");
    return this.session;
  }

  private wireSession(session: LiveSession): void {
    const { config, logger } = this.options;
    this.market = new MarketDataGatherer(config, session, logger);
    this.reconciler = new BrokerReconciler(session, this.book, config.symbols, logger);
    this.router = new OrderRouter(
      config,
      session,
      this.book,
      () => ({ gateway: this.connection.gateway, clientId: this.connection.clientId, account: this.account }),
      logger,
    );
    // The strategy sees what was journaled: market events, and the outcomes of its own orders.
    session.onRecorded((events) => {
      for (const event of events) {
        if (isMarketEvent(event)) this.runner.observe(event);
        else if (isOrderOutcome(event)) this.runner.outcome(event);
      }
    });
  }

  // ---------------------------------------------------------------- session life

  /**
   * Refuse to append to a journal whose hash chain or rows are broken. Only what came after the
   * last verified point is checked (its own row's hash must be unchanged), so a restart on a
   * year-long journal costs what its new events cost.
   */
  private checkIntegrity(): void {
    const report = this.journal!.verifySince();
    if (!report.ok)
      throw new JournalIntegrityError(
        `${this.options.journalPath} is broken at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} — live refuses to append to it. Run \`journal verify\`, restore a backup, or start a new journal file.`,
      );
  }

  private openSession(): void {
    const { config } = this.options;
    this.live.record([
      {
        type: "SessionOpened",
        version: 1,
        ts: this.live.now(),
        payload: {
          mode: this.mode,
          strategy: strategyRef(this.options.strategy),
          params: this.options.params,
          configHash: configHash(config),
          codeVersion: this.options.codeVersion,
          symbols: config.symbols,
          gateway: {
            host: config.gateway.host,
            port: config.gateway.port,
            clientId: this.connection.clientId,
            simulator: this.connection.simulator,
          },
          accounts: this.connection.accounts,
          risk: config.risk,
        },
      },
    ]);
  }

  /** Re-feed this session's journaled events (a restart continues its state); returns the last cycle number. */
  private warmUp(): number {
    let lastCycle = 0;
    // The journaled outcomes are fed where they sit; a decision takes its journaled id.
    const feed = new SessionFeed(this.runner, () => {}, {
      outcomes: "recorded",
      newDecisionId: (at) => `unjournaled-${at.id}`,
    });
    for (const event of this.journal!.read({ stream: LIVE_STREAM, session: this.live.id! })) {
      feed.push(event);
      this.router.remember(event);
      if (event.type === "CycleStarted") lastCycle = Math.max(lastCycle, event.payload.cycle);
      if (event.type === "OptionChainReceived") this.market!.rememberChain(event.payload);
    }
    // A symbol cut short by a crash never decided live: drop its half-seen events.
    if (this.runner.waitingSymbol !== null) this.runner.discardPending();
    return lastCycle;
  }

  /** After every connect: journal the fills the journal lacks and settle orders that vanished. */
  private async recover(): Promise<void> {
    if (this.mode === "dry-run") return;
    try {
      const { executions, settled } = await this.router.recover(
        this.options.config.requestTimeoutSeconds * 1000,
      );
      if (executions + settled > 0)
        this.options.logger.warn({ executions, settled }, "recovered what the journal missed while away");
    } catch (error) {
      this.options.logger.error(
        { err: (error as Error).message },
        "could not ask the gateway for executions and open orders; reconciliation will show any difference",
      );
    }
  }

  /** A session does not close while its orders work, unless `closeTimeoutSeconds` passes. */
  private async settleWorkingOrders(): Promise<string | undefined> {
    if (this.mode === "dry-run" || this.router.workingOrders().length === 0) return undefined;
    const { closeTimeoutSeconds, requestTimeoutSeconds } = this.options.config;
    const deadline = performance.now() + closeTimeoutSeconds * 1000;
    this.options.logger.info(
      { working: this.router.workingOrders().length, closeTimeoutSeconds },
      "waiting for working orders before closing the session",
    );
    while (this.router.workingOrders().length > 0 && performance.now() < deadline) {
      try {
        if (!this.connection.isConnected) {
          this.live.anchorClock(await this.connection.connect());
          this.recordConnected();
          await this.recover();
        } else await this.router.pollExecutions(requestTimeoutSeconds * 1000);
      } catch (error) {
        this.options.logger.warn({ err: (error as Error).message }, "while waiting for working orders");
      }
      await sleep(Math.min(1000, Math.max(0, deadline - performance.now())));
    }
    const left = this.router.workingOrders();
    if (left.length === 0) return undefined;
    return `closed after ${closeTimeoutSeconds} s with ${left.length} order(s) still working at the gateway: ${left
      .map((o) => `#${o.orderId} ${o.intent.side} ${o.intent.quantity} ${o.contractKey}`)
      .join("; ")}`;
  }

  private closeSession(reason: PayloadOf<"SessionClosed">["reason"], detail?: string): void {
    this.live.record([
      {
        type: "SessionClosed",
        version: 1,
        ts: this.live.now(),
        payload: { reason, cycles: this.cyclesRun, ...(detail === undefined ? {} : { detail }) },
      },
    ]);
    this.options.logger.info(
      { reason, cycles: this.cyclesRun, ...(detail ? { detail } : {}) },
      "session closed",
    );
  }

  // ---------------------------------------------------------------- connection events

  private async ensureConnected(): Promise<void> {
    if (this.connection.isConnected) return;
    // A planned reconnect after a drop or a gateway restart, always with a new clientId.
    this.live.anchorClock(await this.connection.connect());
    if (!this.connection.isConnected) return;
    this.recordConnected();
    await this.recover();
  }

  private recordConnected(): void {
    const { config } = this.options;
    this.live.record([
      {
        type: "GatewayConnected",
        version: 1,
        ts: this.live.now(),
        payload: {
          host: config.gateway.host,
          port: config.gateway.port,
          clientId: this.connection.clientId,
          serverVersion: this.connection.serverVersion,
          accounts: this.connection.accounts,
          simulator: this.connection.simulator,
          attempt: this.connection.attempts,
        },
      },
    ]);
  }

  private onDisconnected(reason: string): void {
    this.options.logger.warn({ reason }, "gateway disconnected");
    if (this.opened)
      this.live.record([
        {
          type: "GatewayDisconnected",
          version: 1,
          ts: this.live.now(),
          payload: { reason, willReconnect: !this.stopping },
        },
      ]);
  }

  private onNotice(notice: GatewayNotice): void {
    if (notice.code === 1101 || notice.code === 1102) this.recoveryDue = true;
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
    this.live.record([
      {
        type: "GatewayNotice",
        version: 2,
        ts: this.live.now(),
        payload: { code: notice.code, message: notice.message, reqId: notice.reqId, severity },
      },
    ]);
    this.router.orderNotice(notice.code, notice.reqId, notice.message);
  }

  private flushEarlyNotices(): void {
    for (const notice of this.earlyNotices.splice(0)) this.recordNotice(notice);
  }

  // ---------------------------------------------------------------- the cycle

  private async runCycle(cycle: number): Promise<void> {
    const { config, logger } = this.options;
    const counts: CycleCounts = { requests: 0, errors: 0, timeouts: 0 };
    const localStart = performance.now();
    let status: PayloadOf<"CycleCompleted">["status"] = "ok";
    let detail: string | undefined;
    try {
      await this.ensureConnected();
      const gateway = this.connection.gateway!;
      const sample = await this.health.sample(config.gateway.host, config.gateway.port);
      const gatewayMs = await gateway.currentTimeMs(config.requestTimeoutSeconds * 1000);
      counts.requests += 1;
      this.live.anchorClock(gatewayMs);
      this.live.record([{ type: "HealthSampled", version: 1, ts: this.live.now(), payload: sample }]);
      this.healthWarnings(sample);
      this.live.record([
        {
          type: "CycleStarted",
          version: 1,
          ts: this.live.now(),
          payload: { cycle, symbols: config.symbols, gatewayTimeMs: gatewayMs },
        },
      ]);
      if (!sample.gatewayPortOpen) {
        status = "skipped";
        detail = `gateway port ${config.gateway.port} is not accepting connections`;
      } else if (!isRegularTradingHours(gatewayMs)) {
        status = "skipped";
        detail = "outside regular trading hours (09:30–16:00 New York): waiting, not trading";
      } else if (this.connection.connectivityLost) {
        status = "skipped";
        detail = "gateway reported connectivity lost (1100) and not yet restored";
      } else {
        if (this.recoveryDue) {
          this.recoveryDue = false;
          await this.recover();
        } else
          await this.router.pollExecutions(config.requestTimeoutSeconds * 1000).catch(() => {
            counts.errors += 1;
          });
        for (const [i, symbol] of config.symbols.entries()) {
          if (this.stopping) break;
          if (i > 0) await sleep(config.symbolPauseMs);
          await this.market!.gather(gateway, symbol, heldOptions(this.book.state), counts);
          this.decide(cycle, symbol);
        }
        await this.reconciler!.reconcile(gateway, this.account, config.requestTimeoutSeconds * 1000, counts);
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
    this.live.record([
      {
        type: "CycleCompleted",
        version: 1,
        ts: this.live.now(),
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

  private decide(cycle: number, symbol: string): void {
    // The id first: the strategy knows its decision by it, and its order events carry it.
    const decisionId = this.ids.next(this.live.now());
    const decision = this.runner.decide(cycle, decisionId);
    if (!decision) return;
    const [stored] = this.live.record([
      {
        id: decisionId,
        type: "DecisionMade",
        version: 1,
        ts: this.live.now(),
        correlation: decisionId,
        payload: decision,
      },
    ]);
    this.options.logger.info({ cycle, symbol, action: decision.action, reason: decision.reason }, "decision");
    this.router.entriesHalted = this.reconciler!.haltReason;
    for (const intent of decision.intents) this.router.act(intent, stored as StoredEvent);
  }

  private async reportAccount(): Promise<void> {
    try {
      const reports = await this.connection.gateway!.accountSummary(
        this.options.config.requestTimeoutSeconds * 1000,
      );
      this.live.record(
        reports.map((payload) => ({
          type: "AccountReported" as const,
          version: 1 as const,
          ts: this.live.now(),
          payload,
        })),
      );
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, "account summary failed");
    }
  }

  private healthWarnings(sample: PayloadOf<"HealthSampled">): void {
    const { health, gateway } = this.options.config;
    this.live.record(
      healthWarnings(sample, health.freeMemoryFloorMb, gateway).map((payload) => ({
        type: "HealthWarning" as const,
        version: 1 as const,
        ts: this.live.now(),
        payload,
      })),
    );
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
}
