/**
 * SessionFeed: walks journaled events and drives a StrategyRunner at the same decision points
 * live mode used — the one rule both share, so a replay decides exactly where live decided.
 *
 * A symbol's market events of one cycle are complete, and the strategy decides, at the first of:
 * a market event of another symbol, the source's own DecisionMade for that symbol, CycleCompleted,
 * or the next CycleStarted. Nothing is decided at the end of the events, nor in a cycle that
 * failed, nor in one that a later SessionOpened (a restart) shows was cut short by a crash: such a
 * cycle never decided live either.
 *
 * A strategy that threw: live marks the cycle failed and goes on (the market event it threw on
 * ends the cycle: live observes nothing more of it; an order outcome it threw on is lost to the
 * strategy, and the cycle ends in error or carries on with the error counted). Walking recorded
 * outcomes, the feed does the same where the journal shows live did: the throw waits for the
 * cycle's CycleCompleted, and passes only if live's status there was not "ok" (a market event's
 * throw needs "failed"; a cycle cut short by a crash passes too). Anywhere else it is rethrown:
 * the strategy did not do what live's did.
 *
 * The gateway's hours (`TradingHoursReceived`, journaled at session open) reach the runner where
 * they sit, as live's listener hands them over; a session without them decides on 09:30–16:00.
 *
 * Outcomes: with `outcomes: "recorded"` the order events found in the walked events are fed to
 * the strategy where they sit (live's warm-up after a restart, and replay's parity check), and a
 * decision takes the id of the source's DecisionMade it stands for, so the recorded outcomes'
 * `correlation` links to it. With `outcomes: "caller"` the walked order events are skipped (they
 * belong to another run) and the caller feeds its own outcomes (replay's what-if).
 */
import type { PayloadOf, StoredEvent } from "../events/index.js";
import { isOrderOutcome, type MarketEvent } from "./contract.js";
import { isMarketEvent, StrategyFailed, type StrategyRunner, symbolOf } from "./runner.js";

/** The times whose cycles decide, epoch ms (either end open). */
export interface DecisionWindow {
  readonly fromTs?: number;
  readonly toTs?: number;
}

/** True when `ts` is inside `window` (no window: always). */
export function inWindow(window: DecisionWindow | undefined, ts: number): boolean {
  if (!window) return true;
  return (
    (window.fromTs === undefined || ts >= window.fromTs) && (window.toTs === undefined || ts <= window.toTs)
  );
}

export interface SessionFeedOptions {
  outcomes: "recorded" | "caller";
  /**
   * Only cycles whose CycleStarted falls in the window decide; outside it the strategy observes
   * (its indicators warm up) and decides nothing (`replay --from/--to`).
   */
  window?: DecisionWindow;
  /**
   * Market events to add to a symbol's cycle just before it decides (a what-if's modelled quotes
   * of contracts it holds and live did not quote); `atMs` is the decision's time.
   */
  supplement?: (symbol: string, atMs: number) => readonly MarketEvent[];
  /** An id for a decision made at `at` (always used with "caller"; with "recorded" only when the source has no DecisionMade for it). */
  newDecisionId: (at: StoredEvent) => string;
}

export type DecisionListener = (
  decision: PayloadOf<"DecisionMade">,
  at: StoredEvent,
  decisionId: string,
) => void;

/** A throw of the strategy that live's journal may show live saw too (see the module comment). */
interface PendingFailure {
  error: StrategyFailed;
  /** On a market event the rest of the cycle went unobserved live; on an outcome only that one. */
  on: "market" | "outcome";
}

export class SessionFeed {
  private cycle = 0;
  private cycleTs: number | null = null;
  private failure: PendingFailure | null = null;

  constructor(
    private readonly runner: StrategyRunner,
    private readonly onDecision: DecisionListener,
    private readonly options: SessionFeedOptions,
  ) {}

  /** The cycle number of the latest CycleStarted seen. */
  get currentCycle(): number {
    return this.cycle;
  }

  /** The time of the latest CycleStarted seen (null before the first). */
  get currentCycleTs(): number | null {
    return this.cycleTs;
  }

  push(event: StoredEvent): void {
    if (event.type === "SessionOpened") {
      this.runner.context(event);
      // A new run of the session (a restart after a crash, or after a stop): whatever the last run
      // observed and did not decide was never decided live, and its restart dropped it the same way
      // (LiveBot's warm-up); a throw it was waiting to judge was cut short with its cycle.
      this.runner.discardPending();
      this.failure = null;
      return;
    }
    if (this.failure && (event.type === "CycleCompleted" || event.type === "CycleStarted")) this.judge(event);
    // Live's cycle ended at the market event its strategy threw on: nothing after it was observed.
    if (this.failure?.on === "market" && event.type !== "CycleCompleted") return;
    if (isMarketEvent(event)) {
      const waiting = this.runner.waitingSymbol;
      if (waiting !== null && waiting !== symbolOf(event)) this.flush(event);
      this.mirrorFailure("market", () => this.runner.observe(event));
      return;
    }
    if (isOrderOutcome(event)) {
      if (this.options.outcomes === "recorded")
        this.mirrorFailure("outcome", () => this.runner.outcome(event));
      return;
    }
    switch (event.type) {
      case "CycleStarted":
        this.flush(event);
        this.cycle = event.payload.cycle;
        this.cycleTs = event.ts;
        this.runner.context(event);
        return;
      case "CycleCompleted":
        // A failed cycle drops what it observed and did not decide: live discards it the same way.
        if (event.payload.status === "failed") this.runner.discardPending();
        else this.flush(event);
        return;
      case "DecisionMade":
        this.flush(event);
        return;
      case "TradingHoursReceived":
      case "RequestSkipped":
        this.runner.context(event);
        return;
      default:
        return;
    }
  }

  /**
   * Feed one journaled event to the strategy; walking recorded outcomes, a throw waits for the
   * cycle's end (`judge`). A throw in `decide` never waits: where live's decide threw, its cycle
   * failed before anything else was journaled, so the feed never asks for that decision.
   */
  private mirrorFailure(on: PendingFailure["on"], feed: () => void): void {
    try {
      feed();
    } catch (error) {
      if (!(error instanceof StrategyFailed) || this.options.outcomes !== "recorded") throw error;
      this.failure = {
        error: this.failure?.error ?? error,
        on: on === "market" ? "market" : (this.failure?.on ?? "outcome"),
      };
      if (on === "market") this.runner.discardPending();
    }
  }

  /**
   * The cycle a throw happened in ends here: the throw passes if live's cycle shows the same
   * trouble (failed after a market event, in error after an outcome), or was cut short (a crash).
   */
  private judge(end: StoredEvent): void {
    const failure = this.failure!;
    const status = end.type === "CycleCompleted" ? end.payload.status : null;
    const mirrored = status === null || (failure.on === "market" ? status === "failed" : status !== "ok");
    if (!mirrored) throw failure.error;
    this.failure = null;
  }

  private flush(at: StoredEvent): void {
    const waiting = this.runner.waitingSymbol;
    if (waiting === null) return;
    if (!inWindow(this.options.window, this.cycleTs ?? at.ts)) {
      this.runner.discardPending();
      return;
    }
    if (this.options.supplement)
      for (const extra of this.options.supplement(waiting, this.runner.pendingLastTs ?? at.ts))
        this.runner.observe(extra);
    const own =
      this.options.outcomes === "recorded" && at.type === "DecisionMade" && at.payload.symbol === waiting;
    const decisionId = own ? at.id : this.options.newDecisionId(at);
    const decision = this.runner.decide(this.cycle, decisionId);
    if (decision) this.onDecision(decision, at, decisionId);
  }
}
