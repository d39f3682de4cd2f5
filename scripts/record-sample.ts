/**
 * Records the bundled sample sessions: the real live code path (LiveBot, @stoqey/ib over TCP)
 * against the simulator (simulated market), exported as JSON lines into data/sample/ (or the
 * folder given).
 *
 *   npx tsx scripts/record-sample.ts [folder]
 *
 * The bot and the simulator share one VirtualTime, so time passes only when the bot sleeps: the
 * same code records the same sessions (decisions, orders, fills) however loaded the machine is.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { newYorkTimeToMs, openJournal, toJsonLine } from "../src/events/index.js";
import { LiveBot, createLogger, loadLiveConfig } from "../src/live/index.js";
import { startSimulator, VirtualTime } from "../src/sim/index.js";
import { trendVwap } from "../src/strategy/index.js";
import { codeVersion } from "../src/cli/code-version.js";

const SESSIONS = ["2026-02-04", "2026-02-05"];
const folder = process.argv[2] ?? "data/sample";
const journalPath = `.tmp/sample-recording-${process.pid}.db`;
mkdirSync(".tmp", { recursive: true });
for (const suffix of ["", "-wal", "-shm", "-seq", ".clientid"]) rmSync(`${journalPath}${suffix}`, { force: true });

// 2026-02-05 also meets the faults the alpha saw: pacing violations (162) and a connectivity blip (1100/1102).
const FAULTS: Record<string, object> = {
  "2026-02-05": { pacing: { maxRequests: 30, windowSeconds: 20 }, connectivityLost: { afterRequests: 900, restoreAfterMs: 1500 } },
};

for (const session of SESSIONS) {
  // 300 simulated seconds per virtual second: a 5-minute cycle per virtual second.
  const localTime = new VirtualTime(42, settle);
  const sim = await startSimulator({
    seed: 42,
    startMs: newYorkTimeToMs(session, 9, 35),
    speed: 300,
    virtualTime: localTime,
    scenario: { snapshotDelayMs: 5, ...FAULTS[session] },
  });
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
    cycles: 76,
    codeVersion: codeVersion(),
    logger: await createLogger(null, true),
    localTime,
  });
  const { cycles } = await bot.run();
  await sim.close();
  console.log(`recorded ${session}: ${cycles} cycles`);
}

mkdirSync(folder, { recursive: true });
const journal = openJournal(journalPath, { readonly: true });
for (const session of SESSIONS) {
  const lines = [...journal.read({ session, stream: "live" })].map((e) => `${toJsonLine(e)}\n`).join("");
  writeFileSync(`${folder}/${session}.jsonl`, lines);
  console.log(`${folder}/${session}.jsonl: ${lines.split("\n").length - 1} events`);
}
journal.close();
for (const suffix of ["", "-wal", "-shm", "-seq", ".clientid"]) rmSync(`${journalPath}${suffix}`, { force: true });

/**
 * After each virtual step: two turns of the event loop, each with a poll phase, so what the
 * simulator sent in the step (a fill) is read by the bot before time moves on.
 */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}
