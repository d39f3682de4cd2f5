/** The strategy contract, the shared runner and session feed, and the shipped strategies. */
export * from "./contract.js";
export { StrategyRunner, isMarketEvent, symbolOf } from "./runner.js";
export { SessionFeed } from "./session-feed.js";
export { findStrategy, shippedStrategies } from "./registry.js";
export { TrendVwapParams, type TrendVwapState, trendVwap } from "./trend-vwap.js";
