/**
 * One live cycle: health and the gateway's clock, fills first, then the broker's positions, then
 * each symbol's market data and the strategy's decision, journaled as `CycleStarted` …
 * `CycleCompleted`. The order matters for money: the execution poll comes before the positions
 * (a fill not journaled yet must not look like a mismatch), and the positions come before the
 * decisions (an exit is checked against what the broker holds now, not last cycle).
 */
import type { Logger } from "pino";
import {
  type DayHours,
  describeDayHours,
  type PayloadOf,
  type StoredEvent,
  tradingSessionOf,
} from "../events/index.js";
import type { BookProjection } from "../projections/index.js";
import { cycleInputs, type InputFreshness, StrategyFailed, type StrategyRunner } from "../strategy/index.js";
import type { LiveConfig } from "./config.js";
import type { GatewayConnection } from "./connection.js";
import { GatewayTimeout } from "./gateway.js";
import { type HealthMonitor, healthWarnings } from "./health.js";
import type { LiveSession } from "./live-session.js";
import type { LocalTime } from "./local-time.js";
import { type CycleCounts, heldOptions, type MarketDataGatherer } from "./market-data.js";
import type { OrderRouter } from "./order-router.js";
import type { BrokerReconciler } from "./reconciler.js";
import type { SessionHours } from "./session-hours.js";

/** What a cycle works with: the bot's rooms, and the bot's own steps it calls back into. */
export interface CycleParts {
  readonly config: LiveConfig;
  readonly logger: Logger;
  readonly session: LiveSession;
  readonly connection: GatewayConnection;
  readonly health: HealthMonitor;
  readonly market: MarketDataGatherer;
  /** The day's hours from the gateway (journaled at session open): when a trading cycle may run. */
  readonly hours: SessionHours;
  readonly reconciler: BrokerReconciler;
  readonly router: OrderRouter;
  readonly runner: StrategyRunner;
  readonly book: BookProjection;
  readonly newDecisionId: (ts: number) => string;
  /** The account orders go to (the guard's choice), whose positions are reconciled. */
  readonly account: () => string;
  /** Reconnect if the connection dropped (journals GatewayConnected and recovers fills). */
  readonly ensureConnected: () => Promise<void>;
  /** Ask for the day's executions and open orders again (after 1101/1102). */
  readonly recover: () => Promise<void>;
  readonly stopping: () => boolean;
  readonly time: LocalTime;
}

/** How a cycle ended, for the loop's bookkeeping. */
export interface CycleOutcome {
  readonly status: PayloadOf<"CycleCompleted">["status"];
  /** The strategy threw or hung in this cycle. */
  readonly strategyFailed: boolean;
  readonly detail?: string;
  /** The gateway's clock said a later New York date than the session's: the time it said. */
  readonly dayEnded?: number;
}

export class LiveCycle {
  /** Set by 1101/1102 (connectivity restored): fills made while it was lost are asked for again. */
  recoveryDue = false;
  /** The freshness each symbol's decision saw this cycle (journaled as the cycle's `inputs`). */
  private readonly decided = new Map<string, InputFreshness>();

  constructor(private readonly parts: CycleParts) {}

  /** Run cycle `cycle` to its `CycleCompleted`; never throws for what a cycle can meet. */
  async run(cycle: number): Promise<CycleOutcome> {
    const { logger, session, runner } = this.parts;
    const counts: CycleCounts = { requests: 0, errors: 0, timeouts: 0 };
    this.decided.clear();
    const localStart = this.parts.time.nowMs();
    let status: PayloadOf<"CycleCompleted">["status"] = "ok";
    let detail: string | undefined;
    let strategyFailed = false;
    try {
      const stepped = await this.steps(cycle, counts);
      // Nothing of a new day goes into this day's session: the loop closes it instead.
      if (stepped.dayEnded !== undefined)
        return { status: "skipped", strategyFailed, dayEnded: stepped.dayEnded };
      ({ status, detail } = stepped);
    } catch (error) {
      status = "failed";
      detail = (error as Error).message;
      strategyFailed = error instanceof StrategyFailed;
      // "no answer within 8000 ms" is a timeout, whatever step it stopped.
      if (error instanceof GatewayTimeout) counts.timeouts += 1;
      else counts.errors += 1;
      logger.warn({ cycle, err: detail }, "cycle failed");
      // Anything observed but not decided is dropped with the failed cycle, as replay will.
      if (runner.waitingSymbol !== null) runner.discardPending();
    }
    session.record([
      {
        type: "CycleCompleted",
        version: 2,
        ts: session.now(),
        payload: {
          cycle,
          status,
          durationMs: Math.round(this.parts.time.nowMs() - localStart),
          ...counts,
          ...(detail === undefined ? {} : { detail }),
          inputs: cycleInputs(this.parts.config.symbols, this.decided),
        },
      },
    ]);
    logger.info({ cycle, status, ...counts, ...(detail ? { detail } : {}) }, "cycle completed");
    return { status, strategyFailed, ...(detail === undefined ? {} : { detail }) };
  }

  private async steps(
    cycle: number,
    counts: CycleCounts,
  ): Promise<{ status: CycleOutcome["status"]; detail?: string; dayEnded?: number }> {
    const { config, session, connection, health } = this.parts;
    await this.parts.ensureConnected();
    const gateway = connection.gateway!;
    const sample = await health.sample(config.gateway.host, config.gateway.port);
    counts.requests += 1;
    const gatewayMs = await gateway.currentTimeMs(config.requestTimeoutSeconds * 1000);
    session.anchorClock(gatewayMs);
    if (session.id !== null && tradingSessionOf(gatewayMs) > session.id)
      return { status: "skipped", dayEnded: gatewayMs };
    session.record([{ type: "HealthSampled", version: 1, ts: session.now(), payload: sample }]);
    session.record(
      healthWarnings(sample, config.health.freeMemoryFloorMb, config.gateway).map((payload) => ({
        type: "HealthWarning" as const,
        version: 1 as const,
        ts: session.now(),
        payload,
      })),
    );
    session.record([
      {
        type: "CycleStarted",
        version: 1,
        ts: session.now(),
        payload: { cycle, symbols: config.symbols, gatewayTimeMs: gatewayMs },
      },
    ]);
    if (!sample.gatewayPortOpen)
      return {
        status: "skipped",
        detail: `gateway port ${config.gateway.port} is not accepting connections`,
      };
    const today = tradingSessionOf(gatewayMs);
    if (!this.parts.hours.openAt(config.symbols, today, gatewayMs))
      return {
        status: "skipped",
        detail: outsideHours(this.parts.hours.day(config.symbols[0]!, today), gatewayMs),
      };
    if (connection.connectivityLost)
      return { status: "skipped", detail: "gateway reported connectivity lost (1100) and not yet restored" };
    const timeoutMs = config.requestTimeoutSeconds * 1000;
    const { router, reconciler, market, book } = this.parts;
    if (this.recoveryDue) {
      this.recoveryDue = false;
      await this.parts.recover();
    } else
      await router.pollExecutions(timeoutMs).catch(() => {
        counts.errors += 1;
      });
    // The broker's positions before any decision: exits are checked against them.
    await reconciler.reconcile(gateway, this.parts.account(), timeoutMs, counts);
    router.entriesHalted = reconciler.haltReason;
    router.brokerPositions = reconciler.brokerPositions;
    for (const [i, symbol] of config.symbols.entries()) {
      if (this.parts.stopping()) break;
      if (i > 0) await this.parts.time.sleep(config.symbolPauseMs);
      await market.gather(gateway, symbol, heldOptions(book.state), counts);
      await this.decide(cycle, symbol);
    }
    return { status: counts.errors + counts.timeouts > 0 ? "partial" : "ok" };
  }

  private async decide(cycle: number, symbol: string): Promise<void> {
    const { session, runner, router, logger } = this.parts;
    // The id first: the strategy knows its decision by it, and its order events carry it.
    const decisionId = this.parts.newDecisionId(session.now());
    const decision = runner.decide(cycle, decisionId);
    if (!decision) return;
    const freshness = runner.lastFreshness(symbol);
    if (freshness) this.decided.set(symbol, freshness);
    const [stored] = session.record([
      {
        id: decisionId,
        type: "DecisionMade",
        version: 1,
        ts: session.now(),
        correlation: decisionId,
        payload: decision,
      },
    ]);
    logger.info({ cycle, symbol, action: decision.action, reason: decision.reason }, "decision");
    for (const intent of decision.intents) await router.act(intent, stored as StoredEvent);
  }
}

/** Why a cycle does not trade now, by the day's hours (the default's words are the ones live always used). */
function outsideHours(hours: DayHours, gatewayMs: number): string {
  if (hours.source === "default")
    return "outside regular trading hours (09:30–16:00 New York): waiting, not trading";
  const said = `${describeDayHours(hours)}, the gateway's liquid hours`;
  if (hours.openMs === null) return `the market is closed today (${said}): not trading`;
  if (gatewayMs < hours.openMs) return `before today's open (${said}): waiting, not trading`;
  return `after today's close (${said}): no trading until the next session`;
}
