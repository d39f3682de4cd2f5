/**
 * SessionFeed: walks journaled events and drives a StrategyRunner at the same decision points
 * live mode used — the one rule both share, so a replay decides exactly where live decided.
 *
 * A symbol's market events of one cycle are complete, and the strategy decides, at the first of:
 * a market event of another symbol, the source's own DecisionMade for that symbol, CycleCompleted,
 * or the next CycleStarted. Nothing is decided at the end of the events: a cycle cut short by a
 * crash never decided live either.
 */
import type { PayloadOf, StoredEvent } from "../events/index.js";
import { isMarketEvent, type StrategyRunner, symbolOf } from "./runner.js";

export class SessionFeed {
  private cycle = 0;

  constructor(
    private readonly runner: StrategyRunner,
    private readonly onDecision: (decision: PayloadOf<"DecisionMade">, at: StoredEvent) => void,
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
    switch (event.type) {
      case "CycleStarted":
        this.flush(event);
        this.cycle = event.payload.cycle;
        return;
      case "CycleCompleted":
      case "DecisionMade":
        this.flush(event);
        return;
      default:
        return;
    }
  }

  private flush(at: StoredEvent): void {
    const decision = this.runner.decide(this.cycle);
    if (decision) this.onDecision(decision, at);
  }
}
