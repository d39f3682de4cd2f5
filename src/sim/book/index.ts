/** The paper account (orders, executions, positions, cash) and the contracts requests resolve to. */
export { SimBook } from "./book.js";
export {
  asOption,
  BOOK_ORDER_TYPES,
  type BookContract,
  type BookExecution,
  type BookOrder,
  type BookOrderType,
  type Holding,
  isWorking,
  orderKey,
} from "./book-types.js";
export { contractValues, listedOptions, requestContract, resolve } from "./contracts.js";
export { type MarginImpact, minimumTick, OFF_TICK_TEXT, onTickGrid } from "./order-rules.js";
export { easternText, sessionOpen, workingSession } from "./order-timing.js";
