/** The fake IB Gateway: its server, seeded market and fault scenarios. */

export { blackScholes } from "./black-scholes.js";
export { isTradingDay, lastTradingDay, regularHours, tradingDaysFrom } from "./calendar.js";
export { RISK_FREE_RATE, SimMarket, SYMBOLS } from "./market.js";
export { loadScenario, type Scenario, ScenarioSchema } from "./scenario.js";
export {
  SERVER_VERSION,
  SIMULATOR_ACCOUNT,
  type SimStats,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "./server.js";
export { encodeMessage, FrameReader } from "./wire.js";
