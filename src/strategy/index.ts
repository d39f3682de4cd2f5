/** The strategy contract, the shared runner and session feed, and the shipped strategies. */
export * from "./contract.js";
export {
  type BatchGuard,
  DEFAULT_STRATEGY_DEADLINE_MS,
  type DeadlineGuard,
  deadlineBatches,
  deadlineGuard,
  noDeadline,
  StrategyDeadlineExceeded,
} from "./deadline.js";
export { cycleInputs, DEFAULT_CYCLE_MS, type InputFreshness, STALE_BARS_MS } from "./freshness.js";
export { findStrategy, shippedStrategies } from "./registry.js";
export {
  isMarketEvent,
  StrategyFailed,
  StrategyRunner,
  type StrategyRunnerOptions,
  symbolOf,
} from "./runner.js";
export {
  type DecisionListener,
  type DecisionWindow,
  inWindow,
  SessionFeed,
  type SessionFeedOptions,
} from "./session-feed.js";
export { TrendVwapParams, type TrendVwapState, trendVwap } from "./trend-vwap.js";
