/** The fake IB Gateway: its server, seeded market and fault scenarios. */
export { SERVER_VERSION, SIMULATOR_ACCOUNT, type SimStats, type Simulator, type SimulatorOptions, startSimulator } from "./server.js";
export { SYMBOLS, SimMarket, RISK_FREE_RATE } from "./market.js";
export { blackScholes } from "./black-scholes.js";
export { type Scenario, ScenarioSchema, loadScenario } from "./scenario.js";
export { isTradingDay, lastTradingDay, regularHours, tradingDaysFrom } from "./calendar.js";
export { FrameReader, encodeMessage } from "./wire.js";
