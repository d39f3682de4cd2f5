/** Pure folds of the book (positions, orders, session summary, reconciliation) and their SQL tables. */

export {
  BOOK_EVENT_TYPES,
  type BookState,
  type EquityPoint,
  evolveBook,
  foldBook,
  initialBook,
  type ReconciliationDiff,
  reconcile,
  type SessionSummary,
} from "./book.js";
export {
  type FeeReconciliation,
  type FeeTotals,
  feeReconciliation,
  type OrderFeeRow,
} from "./fee-reconciliation.js";
export {
  type DecisionSlippage,
  decisionSlippage,
  type LiveFillAtDecision,
  liveFillsAtDecision,
  type ModelledFill,
  modelErrorMicros,
  modelledFills,
  tripFills,
} from "./fill-model-error.js";
export { ENTRY_QUOTE_WINDOW_MS, type GreekPnl } from "./greek-pnl.js";
export {
  type FeeSchedule,
  IBKR_PRO_TIERED,
  type OptionOrderForFees,
  type OrderFees,
  optionCommissionUsd,
  optionOrderFees,
  type PremiumRate,
  stockCommissionUsd,
  type VolumeTier,
} from "./ibkr-fees.js";
export { type Micros, toMicros, toUsd } from "./money.js";
export {
  averageFillMicros,
  evolveOrders,
  initialOrders,
  type OrderHistoryEntry,
  type OrderPhase,
  type OrdersState,
  type OrderView,
} from "./orders.js";
export {
  type DecisionParityCounts,
  type OutcomeParity,
  type OutcomeParityRow,
  outcomeParity,
  PARITY_FIGURES,
  type ParityFigure,
} from "./outcome-parity.js";
export { PersistentMap } from "./persistent-map.js";
export {
  averageCostMicros,
  type ClosedTrade,
  evolvePositions,
  initialPositions,
  markOf,
  type Position,
  type PositionsState,
  positionKey,
  unrealizedMicros,
} from "./positions.js";
export {
  checkExposure,
  checkRisk,
  DEFAULT_RISK_LIMITS,
  isReducing,
  isWorking,
  type RiskExposure,
  type RiskLimits,
  type RiskRefusal,
  type RiskRule,
  type RiskScope,
  riskExposure,
  sessionPnlMicros,
} from "./risk.js";
export {
  chargeTrip,
  evolveTrips,
  initialTrips,
  type RoundTrip,
  type TripsState,
} from "./round-trips.js";
export {
  foldOrder,
  foldSession,
  type GreekPnlUsd,
  greekTotals,
  marksFor,
  openPnlMicros,
  type SessionFigures,
  type SessionFold,
  sessionFigures,
  sessionOf,
  type TradeGroup,
} from "./session.js";
export {
  BookProjection,
  createProjections,
  PROJECTION_TABLES,
  rebuildProjections,
  type TabledSummary,
  tabledSummaries,
} from "./tables.js";
export {
  MIN_TRADES_TO_JUDGE,
  SLICE_DIMENSIONS,
  type SliceDimension,
  sliceTrades,
  type TradeSlice,
  UNTAGGED,
} from "./trade-slices.js";
