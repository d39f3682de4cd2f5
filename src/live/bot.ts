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
  type Journal,
  LIVE_STREAM,
  type NewEvent,
  noticeSeverity,
  openJournal,
  type PayloadOf,
  tradingSessionOf,
  ulidIdGen,
  type WriterLock,
} from "../events/index.js";
import { BookProjection } from "../projections/index.js";
import {
  type AnyStrategy,
  deadlineGuard,
  isMarketEvent,
  isOrderOutcome,
  SessionFeed,
  StrategyRunner,
} from "../strategy/index.js";
import { guardAccounts, guardPort, type TradingMode, tradingMode } from "./account-guard.js";
import { ClientIdAllocator } from "./client-id.js";
import { enforceInterval, type LiveConfig, type ModeSources } from "./config.js";
import { ConnectAborted, GatewayConnection } from "./connection.js";
import { LiveCycle } from "./cycle.js";
import type { GatewayNotice } from "./gateway.js";
import { HealthMonitor } from "./health.js";
import { dayOver, refuseBrokenJournal } from "./journal-checks.js";
import { LiveAlerts } from "./live-alerts.js";
import { LiveSession } from "./live-session.js";
import { type LiveSummary, summarize } from "./live-summary.js";
import { type LocalTime, MACHINE_TIME } from "./local-time.js";
import { MarketDataGatherer } from "./market-data.js";
import { MarketDataChoice } from "./market-data-type.js";
import { OrderRouter } from "./order-router.js";
import { BrokerReconciler } from "./reconciler.js";
import { MarketClosedToday, SessionHours } from "./session-hours.js";
import { gatewayConnected, gatewayNotice, sessionClosed, sessionOpened } from "./session-records.js";
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
  /** Where the mode's settings came from (`resolveLiveConfig`), journaled in SessionOpened. */
  modeSources?: ModeSources;
  /** The bot's local clock, sleeps and jitter (default the machine's; a recording's is virtual). */
  localTime?: LocalTime;
  /**
   * The journal's writer lock when the caller holds it (LiveService keeps it from one day's bot to
   * the next, so no other writer slips in at midnight); otherwise the bot takes and frees its own.
   */
  lock?: WriterLock;
}

/** After SIGTERM, working orders are waited for this long at most: a stop must take seconds. */
const SIGNAL_SETTLE_MS = 5000;

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
  private choice: MarketDataChoice | null = null;
  private readonly hours: SessionHours;
  private reconciler: BrokerReconciler | null = null;
  private cycle: LiveCycle | null = null;
  private account = "";
  private readonly earlyNotices: GatewayNotice[] = [];
  private stopping = false;
  /** A second stop(): close now, without waiting for working orders. */
  private urgent = false;
  /** SessionOpened is journaled: from here on every notice and the close are recorded. */
  private opened = false;
  /** SessionClosed is journaled: nothing more is (the client's own goodbye notices are only logged). */
  private closed = false;
  private wake: (() => void) | null = null;
  private cyclesRun = 0;
  /** The wire tap, when `capture` is on. */
  private readonly capture: WireCapture | null;
  /** Webhooks told of starts, stops, fills, refusals, mismatches and the gateway's absences. */
  private readonly alerts: LiveAlerts;
  private readonly time: LocalTime;

  constructor(private readonly options: LiveBotOptions) {
    const { config, logger } = options;
    this.time = options.localTime ?? MACHINE_TIME;
    this.mode = tradingMode(config.dryRun, config.liveAccount);
    // Every strategy call has a deadline: a hang fails its cycle instead of freezing the bot.
    this.runner = new StrategyRunner(options.strategy, options.params, {
      guard: deadlineGuard(config.strategy.deadlineMs),
    });
    this.capture = config.capture ? new WireCapture(logger) : null;
    this.alerts = new LiveAlerts(config.alerts, config.gateway, logger);
    this.hours = new SessionHours(logger);
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
      () => this.time.random(),
    );
  }

  /** Ask the loop to finish its current step and close the session; a second call closes at once. */
  stop(): void {
    if (this.stopping) this.urgent = true;
    this.stopping = true;
    this.wake?.();
  }

  /** Run until `cycles` are done or `stop()`; resolves with what the session did. */
  async run(): Promise<LiveSummary> {
    const { config, logger, journalPath } = this.options;
    // Refused before anything is opened or sent: paper mode never talks to a live-trading port.
    guardPort(this.mode, config.gateway.port);
    let ownLock: WriterLock | null = null;
    try {
      // One writer per journal (readers are never blocked); a SIGKILLed holder leaves no lock.
      if (!this.options.lock)
        ownLock = acquireWriterLock(journalPath, `journal live (${this.mode})`, new Date().toISOString());
      this.journal = openJournal(journalPath, { projections: [this.book], idGen: this.ids });
      this.session = new LiveSession(this.journal, this.time);
      this.wireSession(this.session);
      await this.capture?.start(this.connection, config.gateway);
      const hours = await this.connectForTheDay();
      this.opened = true;
      this.openSession();
      this.capture?.open(this.live);
      this.recordConnected();
      this.flushEarlyNotices();
      // Stamped as journaled: they were asked for before the session they belong to opened.
      this.live.record(hours.map((event) => ({ ...event, ts: this.live.now() })));
      let cycle = this.warmUp() + 1;
      await this.recover();
      await this.reportAccount();
      const target = this.options.cycles;
      let failedInARow = 0;
      let gaveUp: string | undefined;
      let dayEnded: string | undefined;
      while (!this.stopping && (target === undefined || this.cyclesRun < target)) {
        // A session is one New York date: past midnight the day's session closes and the caller
        // opens the next day's with a fresh strategy (a restart on the new day would do the same).
        dayEnded = dayOver(this.live.id!, this.live.now());
        if (dayEnded) break;
        const started = this.time.nowMs();
        const outcome = await this.cycle!.run(cycle);
        // The local clock drifted from the gateway's: its clock said the new day first.
        if (outcome.dayEnded !== undefined) {
          dayEnded = dayOver(this.live.id!, outcome.dayEnded);
          break;
        }
        this.cyclesRun += 1;
        cycle += 1;
        this.capture?.flush();
        failedInARow = outcome.strategyFailed ? failedInARow + 1 : 0;
        if (failedInARow >= config.strategy.maxFailedCycles) {
          gaveUp = `the strategy failed in ${failedInARow} cycles in a row (strategy.maxFailedCycles): ${outcome.detail}`;
          logger.error({ failedInARow }, gaveUp);
          break;
        }
        if (this.stopping || (target !== undefined && this.cyclesRun >= target)) break;
        const wait = config.intervalSeconds * 1000 - (this.time.nowMs() - started);
        if (wait > 0) await this.sleepInterruptibly(wait);
      }
      const working = await this.settleWorkingOrders();
      const detail = [gaveUp, dayEnded, working].filter((d) => d !== undefined).join("; ");
      const reason = gaveUp ? "error" : this.stopping ? "signal" : "completed";
      const goesOn = dayEnded !== undefined && !gaveUp && !this.stopping;
      await this.closeSession(reason, detail === "" ? undefined : detail, goesOn);
      return { ...summarize(this.book.state, this.live.id!, this.cyclesRun), dayEnded: goesOn };
    } catch (error) {
      if (!(error instanceof ConnectAborted || error instanceof MarketClosedToday))
        logger.error({ err: (error as Error).message }, "live mode stopped on an error");
      // A stop while reconnecting ends in ConnectAborted: the session was stopped, not broken.
      if (this.opened && error instanceof ConnectAborted) {
        await this.closeSession("signal", error.message);
        return summarize(this.book.state, this.live.id!, this.cyclesRun);
      }
      if (this.opened) await this.closeSession("error", (error as Error).message);
      throw error;
    } finally {
      this.alerts.abandon();
      this.connection.disconnect();
      this.health.stop();
      await this.capture?.close();
      this.journal?.close();
      ownLock?.release();
    }
  }

  /**
   * Connect, check, and learn the day's hours, which decide whether there is a session at all
   * (they are journaled right after it opens). On a day no symbol trades, a trial (`cycles`) stops
   * (MarketClosedToday); a bot left running disconnects and waits for the next session, so an
   * unattended Pi opens it by itself (systemd restarts only a failed bot, not a clean exit).
   */
  private async connectForTheDay(): Promise<NewEvent[]> {
    const { config, logger } = this.options;
    for (;;) {
      const gatewayMs = await this.connection.connect();
      this.live.anchorClock(gatewayMs);
      this.live.id = tradingSessionOf(gatewayMs);
      // Refused before anything is journaled: a wrong account or a config past a limit leaves
      // the journal as it was and sends nothing.
      this.account = guardAccounts(this.mode, this.connection.accounts, config.liveAccount);
      enforceInterval(config, this.connection.simulator);
      refuseBrokenJournal(this.journal!, this.options.journalPath);
      const hours = await this.hours.fetch(
        this.connection.gateway!,
        config.symbols,
        config.requestTimeoutSeconds * 1000,
        config.symbolPauseMs,
        () => this.live.now(),
        (ms) => this.time.sleep(ms),
      );
      const today = this.live.id;
      if (!this.hours.closedOn(config.symbols, today)) return hours;
      const closed = this.hours.closedToday(config.symbols, today);
      const waitMs = this.options.cycles === undefined ? closed.waitMs(this.live.now()) : null;
      if (waitMs === null) throw closed;
      const message = `${closed.message.split(" — ")[0]}; waiting ${Math.round(waitMs / 60_000)} min for it (SIGTERM stops)`;
      logger.info({ next: closed.next?.session, waitMs }, message);
      process.stderr.write(`${message}\n`);
      this.connection.disconnect();
      // A day that opened no session journals none of its notices.
      this.earlyNotices.length = 0;
      await this.sleepInterruptibly(waitMs);
      if (this.stopping)
        throw new ConnectAborted(`stopped while waiting for the next session (${closed.next?.session})`);
    }
  }

  private get live(): LiveSession {
    if (!this.session) throw new Error("the journal is not open yet");
    return this.session;
  }

  private wireSession(session: LiveSession): void {
    const { config, logger } = this.options;
    this.choice = new MarketDataChoice(config.marketData, session, logger);
    this.alerts.attach(session);
    this.market = new MarketDataGatherer(config, session, logger, this.choice, this.time);
    this.reconciler = new BrokerReconciler(session, this.book, config.symbols, logger);
    this.router = new OrderRouter(
      config,
      session,
      this.book,
      () => ({ gateway: this.connection.gateway, clientId: this.connection.clientId, account: this.account }),
      logger,
      (key) => this.market?.marketDataOf(key),
    );
    this.cycle = new LiveCycle({
      config,
      logger,
      session,
      connection: this.connection,
      health: this.health,
      market: this.market,
      hours: this.hours,
      reconciler: this.reconciler,
      router: this.router,
      runner: this.runner,
      book: this.book,
      newDecisionId: (ts) => this.ids.next(ts),
      account: () => this.account,
      ensureConnected: () => this.ensureConnected(),
      recover: () => this.recover(),
      stopping: () => this.stopping,
      time: this.time,
    });
    // The strategy sees what was journaled: market events, and the outcomes of its own orders.
    session.onRecorded((events) => {
      for (const event of events) {
        if (isMarketEvent(event)) this.runner.observe(event);
        else if (isOrderOutcome(event)) this.runner.outcome(event);
        else this.runner.context(event);
      }
    });
  }

  // ---------------------------------------------------------------- session life

  private openSession(): void {
    const { config, strategy, params, codeVersion } = this.options;
    const modeSources = this.options.modeSources ?? { dryRun: "LiveBot options" };
    const run = { config, mode: this.mode, modeSources, strategy, params, codeVersion };
    this.live.record([sessionOpened(run, this.connection, this.live.now())]);
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
      // A cycle that failed before it started has only its CycleCompleted: its number is taken too.
      if (event.type === "CycleStarted" || event.type === "CycleCompleted")
        lastCycle = Math.max(lastCycle, event.payload.cycle);
      if (event.type === "OptionChainReceived") this.market!.rememberChain(event.payload);
      if (event.type === "TradingHoursReceived") this.hours.remember(event.payload);
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
    if (this.urgent) return this.stillWorking("a second stop signal");
    const waitMs = Math.min(closeTimeoutSeconds * 1000, this.stopping ? SIGNAL_SETTLE_MS : Infinity);
    const deadline = this.time.nowMs() + waitMs;
    this.options.logger.info(
      { working: this.router.workingOrders().length, closeTimeoutSeconds },
      "waiting for working orders before closing the session",
    );
    while (this.router.workingOrders().length > 0 && this.time.nowMs() < deadline && !this.urgent) {
      try {
        if (!this.connection.isConnected) {
          this.live.anchorClock(await this.connection.connect());
          this.recordConnected();
          await this.recover();
        } else await this.router.pollExecutions(requestTimeoutSeconds * 1000);
      } catch (error) {
        this.options.logger.warn({ err: (error as Error).message }, "while waiting for working orders");
      }
      await this.time.sleep(Math.min(1000, Math.max(0, deadline - this.time.nowMs())));
    }
    return this.stillWorking(`${Math.round(waitMs / 1000)} s`);
  }

  /** The close's detail when orders still work at the gateway (the next start recovers their fills). */
  private stillWorking(after: string): string | undefined {
    const left = this.router.workingOrders();
    if (left.length === 0) return undefined;
    return `closed after ${after} with ${left.length} order(s) still working at the gateway: ${left
      .map((o) => `#${o.orderId} ${o.intent.side} ${o.intent.quantity} ${o.contractKey}`)
      .join("; ")}`;
  }

  private async closeSession(
    reason: PayloadOf<"SessionClosed">["reason"],
    detail?: string,
    dayEnded = false,
  ): Promise<void> {
    // The stop alert and what still waits go out (or are journaled as not sent) before the close.
    await this.alerts.beforeClose({ reason, cycles: this.cyclesRun, detail, dayEnded }, this.urgent);
    this.live.record([sessionClosed(reason, this.cyclesRun, this.live.now(), detail)]);
    this.closed = true;
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
    this.live.record([gatewayConnected(this.options.config, this.connection, this.live.now())]);
    // IB keeps the market data type per connection: a delayed choice is asked for again.
    if (this.connection.gateway) this.choice?.connected(this.connection.gateway);
  }

  private onDisconnected(reason: string): void {
    this.options.logger.warn({ reason }, "gateway disconnected");
    if (this.opened && !this.closed)
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
    if ((notice.code === 1101 || notice.code === 1102) && this.cycle) this.cycle.recoveryDue = true;
    if (!this.opened) {
      this.earlyNotices.push(notice);
      return;
    }
    if (this.closed) {
      this.options.logger.info({ code: notice.code }, `after the session closed: ${notice.message}`);
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
    this.live.record([gatewayNotice(notice, this.live.now())]);
    this.router.orderNotice(notice.code, notice.reqId, notice.message);
    this.choice?.noticed(notice, this.connection.gateway);
  }

  private flushEarlyNotices(): void {
    for (const notice of this.earlyNotices.splice(0)) this.recordNotice(notice);
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

  /** A sleep that stop() cuts short. */
  private async sleepInterruptibly(ms: number): Promise<void> {
    const woken = new AbortController();
    this.wake = () => woken.abort();
    try {
      await this.time.sleep(ms, woken.signal);
    } finally {
      this.wake = null;
    }
  }
}
