/**
 * A trend-vwap bot on the simulator's VirtualTime, as bench:days and the recording tests run it:
 * unthrottled requests and a short pause between symbols, so hours of cycles take seconds.
 */
import { createLogger, type LiveBotOptions, loadLiveConfig } from "../src/live/index.js";
import type { Simulator, VirtualTime } from "../src/sim/index.js";
import { trendVwap } from "../src/strategy/index.js";

export async function virtualBotOptions(
  sim: Simulator,
  localTime: VirtualTime,
  run: { journalPath: string; symbols: string[]; intervalSeconds: number; cycles: number },
): Promise<LiveBotOptions> {
  const { symbols, intervalSeconds } = run;
  const config = loadLiveConfig(undefined, {}, { port: sim.port, symbols, intervalSeconds, paper: true });
  return {
    config: { ...config, gateway: { ...config.gateway, maxMessagesPerSecond: 1_000_000 }, symbolPauseMs: 20 },
    journalPath: run.journalPath,
    strategy: trendVwap,
    params: trendVwap.params.parse({}) as Record<string, unknown>,
    cycles: run.cycles,
    codeVersion: "test",
    logger: await createLogger(null, true),
    localTime,
  };
}
