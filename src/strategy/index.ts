/** The strategy contract, the shared runner and session feed, and the shipped strategies. */
export * from "./contract.js";
export { findStrategy, shippedStrategies } from "./registry.js";
export { isMarketEvent, StrategyFailed, StrategyRunner, symbolOf } from "./runner.js";
export { type DecisionListener, SessionFeed, type SessionFeedOptions } from "./session-feed.js";
export { TrendVwapParams, type TrendVwapState, trendVwap } from "./trend-vwap.js";
