/** Pure folds of the book (positions, orders, session summary, reconciliation) and their SQL tables. */
export { type Micros, toMicros, toUsd } from "./money.js";
export {
  type ClosedTrade,
  type Position,
  type PositionsState,
  averageCostMicros,
  evolvePositions,
  initialPositions,
  markOf,
  positionKey,
  unrealizedMicros,
} from "./positions.js";
export { type OrderHistoryEntry, type OrderPhase, type OrderView, type OrdersState, averageFillMicros, evolveOrders, initialOrders } from "./orders.js";
export {
  BOOK_EVENT_TYPES,
  type BookState,
  type EquityPoint,
  type ReconciliationDiff,
  type SessionSummary,
  evolveBook,
  foldBook,
  initialBook,
  reconcile,
} from "./book.js";
export { BookProjection, PROJECTION_TABLES, createProjections, rebuildProjections } from "./tables.js";
