/** Replay: rerun strategies against captured sessions, never touching the gateway. */
export {
  type OutcomeMode,
  type Parity,
  type ParityDiff,
  RecordedOutcomesRefused,
  type ReplayedSession,
  type ReplayInput,
  type RunSummary,
  replaySession,
  type SessionReplay,
} from "./engine.js";
export {
  DEFAULT_FEES,
  decisionQuoteFillModel,
  FILL_MODEL_NAMES,
  type FillModel,
  fillModelByName,
  midFillModel,
  nextQuoteFillModel,
  type SlippageTable,
  slippageTable,
} from "./fill-model.js";
export { expandSessions, type ReplayOptions, ReplayRefused, runReplay } from "./replay.js";
export { loadStrategy, StrategyRejected } from "./strategy-loader.js";
