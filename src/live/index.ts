/** Live appending mode: the gateway client, the cycle loop, limits, guards, health and logs. */
export {
  guardAccounts,
  guardPort,
  isPaperAccount,
  LIVE_TRADING_PORTS,
  type TradingMode,
  tradingMode,
} from "./account-guard.js";
export { LiveBot, type LiveBotOptions } from "./bot.js";
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
  type ModeSources,
  type ResolvedLiveConfig,
  resolveLiveConfig,
} from "./config.js";
export { ConnectAborted } from "./connection.js";
export { GatewayClient } from "./gateway.js";
export { endsNoRequest } from "./gateway-socket.js";
export { probePort } from "./health.js";
export { JournalIntegrityError } from "./journal-checks.js";
export { LiveService } from "./live-service.js";
export { formatSummary, type LiveSummary, summarize } from "./live-summary.js";
export { type LocalTime, MACHINE_TIME } from "./local-time.js";
export { createLogger } from "./logger.js";
export { nearestExpiry, pickOptions, snapshotSet } from "./market-data.js";
export { type PositionDiff, positionDiffs } from "./reconciler.js";
export { MarketClosedToday } from "./session-hours.js";
export { MARKET_DATA_TYPES, SnapshotTicks } from "./snapshot-ticks.js";
export { PeerNotTws } from "./tws-probe.js";
