/** The fake gateway itself: the TCP server, one session per connection, the request handlers, fault scenarios. */
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
export { VirtualTime } from "./virtual-time.js";
