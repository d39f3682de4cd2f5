/** Live appending mode: the gateway client, the cycle loop, limits, health and logs. */
export { LiveBot, type LiveBotOptions, pickOptions } from "./bot.js";
export { ClientIdAllocator } from "./client-id.js";
export {
  ConfigRefused,
  enforceInterval,
  enforceLimits,
  isSimulatorAccounts,
  LIMITS,
  type LiveConfig,
  LiveConfigSchema,
  type LiveOverrides,
  loadLiveConfig,
} from "./config.js";
export { GatewayClient } from "./gateway.js";
export { probePort } from "./health.js";
export { createLogger } from "./logger.js";
