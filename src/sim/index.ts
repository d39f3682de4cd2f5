/** The fake IB Gateway: its server, seeded market, order book, wire layouts and fault scenarios. */

export { blackScholes } from "./black-scholes.js";
export { isTradingDay, lastTradingDay, regularHours, tradingDaysFrom } from "./calendar.js";
export { connectionTime, ibTime, javaDouble, occLocalSymbol, sessionHours } from "./formats.js";
export { decodeFields, encodeFields, encodeText, type MessageLayout } from "./layout.js";
export { RISK_FREE_RATE, SimMarket, SYMBOLS } from "./market.js";
export {
  type CapturedFrame,
  type PlaybackOptions,
  type PlaybackServer,
  startPlayback,
} from "./playback.js";
export * as requests from "./protocol-in.js";
export * as orderMessages from "./protocol-orders.js";
export * as messages from "./protocol-out.js";
export { loadScenario, type Scenario, type ScenarioInput, ScenarioSchema } from "./scenario.js";
export {
  MIN_VERSION,
  SERVER_VERSION,
  SIMULATOR_ACCOUNT,
  type SimStats,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "./server.js";
export { encodeMessage, FrameReader } from "./wire.js";
export { describeFrame, frameFields } from "./wire-index.js";
