/** Replay: rerun strategies against captured sessions, never touching the gateway. */
export { type Parity, type ParityDiff, type ReplayInput, type RunSummary, type SessionReplay, replaySession } from "./engine.js";
export { type CommissionSchedule, DEFAULT_COMMISSIONS, type FillModel, fillModelByName, midFillModel, nextQuoteFillModel } from "./fill-model.js";
export { type ReplayOptions, ReplayRefused, expandSessions, runReplay } from "./replay.js";
export { StrategyRejected, loadStrategy } from "./strategy-loader.js";
