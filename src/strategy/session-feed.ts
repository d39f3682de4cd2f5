/**
 * SessionFeed: walks journaled events and drives a StrategyRunner at the same decision points
 * live mode used — the one rule both share, so a replay decides exactly where live decided.
 *
 * A symbol's market events of one cycle are complete, and the strategy decides, at the first of:
 * a market event of another symbol, the source's own DecisionMade for that symbol, CycleCompleted,
 * or the next CycleStarted. Nothing is decided at the end of the events, nor in a cycle that
 * failed: a cycle cut short by a crash or an error never decided live either.
 *
 * Outcomes: with `outcomes: "recorded"` the order events found in the walked events are fed to
 * the strategy where they sit (live's warm-up after a restart, and replay's parity check), and a
 * decision takes the id of the source's DecisionMade it stands for, so the recorded outcomes'
 * `correlation` links to it. With `outcomes: "caller"` the walked order events are skipped (they
 * belong to another run) and the caller feeds its own outcomes (replay's what-if).
 */
import type { PayloadOf, StoredEvent } from "../events/index.js";
import { isOrderOutcome } from "./contract.js";
import { isMarketEvent, type StrategyRunner, symbolOf } from "./runner.js";

export interface SessionFeedOptions {
  outcomes: "recorded" | "caller";
  /** An id for a decision made at `at` (always used with "caller"; with "recorded" only when the source has no DecisionMade for it). */
  newDecisionId: (at: StoredEvent) => string;
}

export type DecisionListener = (
  decision: PayloadOf<"DecisionMade">,
  at: StoredEvent,
  decisionId: string,
) => void;

export class SessionFeed {
  private cycle = 0;

  constructor(
    private readonly runner: StrategyRunner,
    private readonly onDecision: DecisionListener,
    private readonly options: SessionFeedOptions,
  ) {}

  /** The cycle number of the latest CycleStarted seen. */
  get currentCycle(): number {
    return this.cycle;
  }

  push(event: StoredEvent): void {
    if (isMarketEvent(event)) {
      const waiting = this.runner.waitingSymbol;
      if (waiting !== null && waiting !== symbolOf(event)) this.flush(event);
      this.runner.observe(event);
      return;
    }
    if (isOrderOutcome(event)) {
      if (this.options.outcomes === "recorded") this.runner.outcome(event);
      return;
    }
    switch (event.type) {
      case "CycleStarted":
        this.flush(event);
        this.cycle = event.payload.cycle;
        return;
      case "CycleCompleted":
        // A failed cycle drops what it observed and did not decide: live discards it the same way.
        if (event.payload.status === "failed") this.runner.discardPending();
        else this.flush(event);
        return;
      case "DecisionMade":
        this.flush(event);
        return;
      default:
        return;
    }
  }

  private flush(at: StoredEvent): void {
    const waiting = this.runner.waitingSymbol;
    if (waiting === null) return;
    const own =
      this.options.outcomes === "recorded" && at.type === "DecisionMade" && at.payload.symbol === waiting;
    const decisionId = own ? at.id : this.options.newDecisionId(at);
    const decision = this.runner.decide(this.cycle, decisionId);
    if (decision) this.onDecision(decision, at, decisionId);
  }
}
