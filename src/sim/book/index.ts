/** The paper account (orders, executions, positions, cash) and the contracts requests resolve to. */
export {
  asOption,
  type BookContract,
  type BookExecution,
  type BookOrder,
  type Holding,
  SimBook,
} from "./book.js";
export { contractValues, listedOptions, requestContract, resolve } from "./contracts.js";
