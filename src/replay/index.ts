/** Replay: rerun strategies against captured sessions, never touching the gateway. */
export {
  type Parity,
  type ParityDiff,
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
export {
  expandSessions,
  type ReplayOptions,
  ReplayRefused,
  runReplay,
  WORKER_BREAK_EVEN_EVENTS,
} from "./replay.js";
export { type OutcomeMode, RecordedOutcomesRefused } from "./run-plan.js";
export { runSessionJob, type SessionJob } from "./session-job.js";
export { WholeDayNeeded } from "./source-keeper.js";
export { loadStrategy, StrategyRejected } from "./strategy-loader.js";
export { runSweep, type SweepOptions, type SweepReport, type SweptSet } from "./sweep.js";
export {
  gridSets,
  gridSize,
  mergeAxes,
  type ParamSet,
  parseAxis,
  type SweepAxis,
  SweepSpecError,
  sampleSets,
} from "./sweep-grid.js";
export { RANK_METRICS, type RankMetric, type SetFigures } from "./sweep-metrics.js";
export { type Fold, type FoldResult, foldsOf } from "./walk-forward.js";
export { endIdleWorkers } from "./worker-pool.js";
