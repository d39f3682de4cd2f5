/**
 * `npm run bench:days`: live mode left running for a trading week (2026-02-02 … 02-06) in one
 * process, as systemd runs it on the Pi: LiveService on the simulator's VirtualTime, 300 s cycles,
 * SPY and QQQ, so each day's 288 cycles take seconds. Per day: CPU per cycle, and the heap (after a
 * collection) and RSS when its session closed. Baseline in the same run: day 2, the first whole day
 * (day 1 starts at 09:25); every later day is given as a ratio to it. A cost that grows with the
 * days already journaled shows as ratios above 1.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { newYorkTimeToMs } from "../src/events/index.js";
import { LiveService, type LiveSummary } from "../src/live/index.js";
import { startSimulator, VirtualTime } from "../src/sim/index.js";
import { scratchDir } from "./harness.js";
import { virtualBotOptions } from "./virtual-bot.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (npm run bench:days does)");

const dir = scratchDir("bench-days-");
const journalPath = join(dir, "week.db");
const localTime = new VirtualTime(3);
const sim = await startSimulator({
  seed: 7,
  startMs: newYorkTimeToMs("2026-02-02", 9, 25),
  speed: 1,
  virtualTime: localTime,
  scenario: { snapshotDelayMs: 1 },
});
// Monday 09:25 to Friday's midnight: 175 + 4 × 288 cycles.
const CYCLES = 175 + 4 * 288;
const days: { summary: LiveSummary; cpuMs: number; heapMb: number; rssMb: number }[] = [];
let cpu = process.cpuUsage();
const options = await virtualBotOptions(sim, localTime, {
  journalPath,
  symbols: ["SPY", "QQQ"],
  intervalSeconds: 300,
  cycles: CYCLES,
});
try {
  await new LiveService(options).run((summary) => {
    const used = process.cpuUsage(cpu);
    gc();
    const memory = process.memoryUsage();
    days.push({
      summary,
      cpuMs: (used.user + used.system) / 1000,
      heapMb: memory.heapUsed / 1e6,
      rssMb: memory.rss / 1e6,
    });
    cpu = process.cpuUsage();
  });
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}

// The process runs the simulator too: its share is in the CPU, as it is in the baseline day's.
console.log(`live mode over a week on virtual time (bot and simulator in one process, ${CYCLES} cycles)\n`);
const base = days[1]!;
const perCycle = (d: (typeof days)[number]) => d.cpuMs / d.summary.cycles;
for (const [i, d] of days.entries())
  console.log(
    `${d.summary.session}: ${d.summary.cycles} cycles, ${d.summary.fills} fills; CPU ${perCycle(d).toFixed(1)} ms/cycle (${(perCycle(d) / perCycle(base)).toFixed(2)}× day 2); heap ${d.heapMb.toFixed(1)} MB, RSS ${d.rssMb.toFixed(0)} MB (${(d.rssMb / base.rssMb).toFixed(2)}× day 2)${i === 1 ? " — the baseline" : ""}`,
  );
const growth = (days.at(-1)!.heapMb - base.heapMb) / (days.length - 2);
console.log(
  `\nheap growth from day 2 on: ${growth.toFixed(2)} MB a day (the book folds every session journaled)`,
);
