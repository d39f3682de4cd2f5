/**
 * `npm run bench:live`: the bot as a real process (`journal live`, built CLI) for 200 fast cycles
 * against the simulator: RSS at cycle 20 and 200 (growth must stay under 10 %), and CPU time per
 * cycle (user + system of the bot process; waits cost none). Baseline in the same run: the RSS of an
 * idle node process with the same modules loaded.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { newYorkTimeToMs } from "../src/events/index.js";
import { startSimulator } from "../src/sim/index.js";
import { scratchDir } from "./harness.js";

const CYCLES = 200;
const dir = scratchDir("bench-live-");
const sim = await startSimulator({
  seed: 42,
  startMs: newYorkTimeToMs("2026-02-04", 9, 35),
  speed: 120,
  scenario: { snapshotDelayMs: 5 },
});
const bot = spawn(
  process.execPath,
  [
    "dist/src/cli/journal.js",
    "live",
    "--journal",
    join(dir, "live.db"),
    "--port",
    String(sim.port),
    "--symbols",
    "SPY,QQQ",
    "--interval",
    "0.2",
    "--cycles",
    String(CYCLES),
    "--paper",
    "--log-file",
    join(dir, "bot.log"),
  ],
  { stdio: ["ignore", "ignore", "pipe"] },
);

const ticks = 100; // USER_HZ on Linux
function sample(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const cpuMs = ((Number(stat[11]) + Number(stat[12])) / ticks) * 1000;
  return { rssMb: rssKb / 1024, cpuMs };
}

const samples = new Map<number, { rssMb: number; cpuMs: number }>();
let buffer = "";
bot.stderr!.on("data", (chunk: Buffer) => {
  buffer += chunk.toString();
  const lines = buffer.split("\n");
  buffer = lines.pop() ?? "";
  for (const line of lines) {
    const m = /cycle completed cycle=(\d+)/.exec(line);
    if (m && bot.pid) samples.set(Number(m[1]), sample(bot.pid));
  }
});
const code = await new Promise<number | null>((resolve) => bot.on("exit", resolve));
await sim.close();
if (code !== 0) throw new Error(`bot exited ${code}`);

const idle = spawnSync(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    `await import("./dist/src/cli/program.js"); await import("./dist/src/live/index.js"); const s = (await import("node:fs")).readFileSync("/proc/self/status","utf8"); console.log(/VmRSS:\\s+(\\d+)/.exec(s)[1]);`,
  ],
  { encoding: "utf8" },
);
const idleMb = Number(idle.stdout.trim()) / 1024;
const at20 = samples.get(20)!;
const at200 = samples.get(CYCLES)!;
const cpuPerCycle = (at200.cpuMs - at20.cpuMs) / (CYCLES - 20);
console.log(
  `live benchmark: ${CYCLES} cycles × 2 symbols against the simulator (paper orders), bot as its own process`,
);
console.log(
  `RSS at cycle 20 ${at20.rssMb.toFixed(1)} MB, at cycle ${CYCLES} ${at200.rssMb.toFixed(1)} MB: growth ${(((at200.rssMb - at20.rssMb) / at20.rssMb) * 100).toFixed(1)} % (targets < 150 MB, < 10 %)`,
);
console.log(
  `max RSS over the run ${Math.max(...[...samples.values()].map((s) => s.rssMb)).toFixed(1)} MB; idle node with the same modules ${idleMb.toFixed(1)} MB`,
);
console.log(
  `CPU per cycle (user + sys, cycles 20–${CYCLES}) ${cpuPerCycle.toFixed(1)} ms (target < 50 ms; 2 symbols, ~22 requests and ~25 journal appends a cycle)`,
);
