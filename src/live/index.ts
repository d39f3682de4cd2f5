/** Live appending mode: the gateway client, the cycle loop, limits, health and logs. */
export { LiveBot, type LiveBotOptions, pickOptions } from "./bot.js";
export { ConfigRefused, LIMITS, type LiveConfig, LiveConfigSchema, type LiveOverrides, enforceInterval, enforceLimits, isSimulatorAccounts, loadLiveConfig } from "./config.js";
export { GatewayClient } from "./gateway.js";
export { ClientIdAllocator } from "./client-id.js";
export { createLogger } from "./logger.js";
export { probePort } from "./health.js";
