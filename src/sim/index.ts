/**
 * The fake IB Gateway: its server, seeded market, order book, wire layouts and fault scenarios.
 * Its parts, bottom first: market, protocol, book, gateway, playback (test/architecture.test.ts
 * holds the order); each is entered through its index.ts, and this door picks what the rest of
 * the code may use.
 */

export {
  loadScenario,
  MIN_VERSION,
  type Scenario,
  type ScenarioInput,
  ScenarioSchema,
  SERVER_VERSION,
  SIMULATOR_ACCOUNT,
  type SimStats,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
  VirtualTime,
} from "./gateway/index.js";
export {
  blackScholes,
  isTradingDay,
  lastTradingDay,
  mulberry32,
  RISK_FREE_RATE,
  regularHours,
  SimMarket,
  SYMBOLS,
  tradingDaysFrom,
} from "./market/index.js";
export {
  type CapturedFrame,
  describeFrame,
  frameFields,
  type PlaybackOptions,
  type PlaybackServer,
  startPlayback,
} from "./playback/index.js";
export {
  connectionTime,
  decodeFields,
  encodeFields,
  encodeMessage,
  encodeText,
  executionTime,
  FrameReader,
  ibTime,
  isKnownTimeZone,
  javaDouble,
  type MessageLayout,
  messages,
  occLocalSymbol,
  orderMessages,
  referenceMessages,
  requests,
  sessionHours,
} from "./protocol/index.js";
