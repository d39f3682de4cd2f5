/**
 * Records one trading session the way the bundled samples are recorded: the real live code path
 * (LiveBot, @stoqey/ib over TCP) against the simulator, on one VirtualTime shared by both, so the
 * same code, seed and day give the same session however loaded the machine is.
 */
import { newYorkTimeToMs } from "../src/events/index.js";
import { createLogger, LiveBot, loadLiveConfig } from "../src/live/index.js";
import { type ScenarioInput, startSimulator, VirtualTime } from "../src/sim/index.js";
import { trendVwap } from "../src/strategy/index.js";
import { codeVersion } from "../src/cli/code-version.js";

/** The faults the alpha saw: pacing violations (162) and a connectivity blip (1100/1102). */
export const ALPHA_FAULTS: ScenarioInput = {
  pacing: { maxRequests: 30, windowSeconds: 20 },
  connectivityLost: { afterRequests: 900, restoreAfterMs: 1500 },
};

export interface Recording {
  session: string;
  seed?: number;
  scenario?: ScenarioInput;
  /** Cycles from 09:35 New York (76 run to 15:50). */
  cycles?: number;
}

/** Record `session` into the journal at `journalPath` (appended to what is there); resolves with its cycles. */
export async function recordSession(journalPath: string, recording: Recording): Promise<number> {
  const seed = recording.seed ?? 42;
  // 300 simulated seconds per virtual second: a 5-minute cycle per virtual second.
  const localTime = new VirtualTime(seed, settle);
  const sim = await startSimulator({
    seed,
    startMs: newYorkTimeToMs(recording.session, 9, 35),
    speed: 300,
    virtualTime: localTime,
    scenario: { snapshotDelayMs: 5, ...recording.scenario },
  });
  try {
    const config = loadLiveConfig(undefined, {}, { port: sim.port, symbols: ["SPY", "QQQ"], intervalSeconds: 1, paper: true });
    const bot = new LiveBot({
      config: {
        ...config,
        // No message waits on the client's real-time rate limiter while the clock is virtual.
        gateway: { ...config.gateway, maxMessagesPerSecond: 1_000_000 },
        symbolPauseMs: 20,
        pacingBackoffSeconds: 2,
        maxBackoffSeconds: 8,
      },
      journalPath,
      strategy: trendVwap,
      params: trendVwap.params.parse({}) as Record<string, unknown>,
      cycles: recording.cycles ?? 76,
      codeVersion: codeVersion(),
      logger: await createLogger(null, true),
      localTime,
    });
    return (await bot.run()).cycles;
  } finally {
    await sim.close();
  }
}

/**
 * After each virtual step: two turns of the event loop, each with a poll phase, so what the
 * simulator sent in the step (a fill) is read by the bot before time moves on.
 */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}
