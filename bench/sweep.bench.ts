/**
 * `npm run bench:sweep`: what a sweep of K sets costs against one what-if replay of the same
 * sessions (the built CLI, start-up included, as a user runs both), in interleaved rounds so load
 * from elsewhere hits both alike; medians, spread and per-round ratios. Target (issue 25): a sweep
 * of K sets ≤ (1 + 0.25 K) single replays — 6 sets over the two bundled sessions ≤ 2.5×, 20 sets
 * over 50 synthetic sessions ≤ 6×. Numbers for the note, never a pass/fail.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { scratchDir } from "./harness.js";
import { largeJournal, syntheticSession } from "./synthetic-journal.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BIN = "dist/src/cli/journal.js";
const dir = scratchDir("bench-sweep-");

function run(args: readonly string[]): { ms: number; stdout: string } {
  const start = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`journal ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const bundled = join(dir, "bundled.db");
for (const day of ["2026-02-04", "2026-02-05"])
  run(["import", `data/sample/${day}.jsonl`, "--journal", bundled]);
const perSession = syntheticSession("2026-01-05", 78).length;
const synthetic = largeJournal("bench-sweep-50", 50 * perSession);

interface Case {
  label: string;
  sets: number;
  single: string[];
  sweep: string[];
}
const grid = (stops: number[], targets: number[]) => [
  "--sweep",
  `stopLossPct=${stops.join(",")}`,
  "--sweep",
  `profitTargetPct=${targets.join(",")}`,
];
const workers = process.env.BENCH_WORKERS === undefined ? [] : ["--workers", process.env.BENCH_WORKERS];
const cases: Case[] = [
  {
    label: "6 sets, the 2 bundled sessions",
    sets: 6,
    single: [
      "--journal",
      bundled,
      "--sessions",
      "2026-02-04..2026-02-05",
      "--param",
      "stopLossPct=0.1",
      ...workers,
    ],
    sweep: [
      "--journal",
      bundled,
      "--sessions",
      "2026-02-04..2026-02-05",
      ...grid([0.1, 0.15, 0.2], [0.2, 0.3]),
      ...workers,
    ],
  },
  {
    label: `20 sets, 50 synthetic sessions (${(50 * perSession).toLocaleString("en-US")} events)`,
    sets: 20,
    single: [
      "--journal",
      synthetic.path,
      "--sessions",
      `${synthetic.sessions[0]}..${synthetic.sessions.at(-1)}`,
      "--strategy",
      "trend-vwap",
      "--param",
      "stopLossPct=0.1",
      ...workers,
    ],
    sweep: [
      "--journal",
      synthetic.path,
      "--sessions",
      `${synthetic.sessions[0]}..${synthetic.sessions.at(-1)}`,
      "--strategy",
      "trend-vwap",
      ...grid([0.05, 0.1, 0.15, 0.2, 0.3], [0.1, 0.2, 0.3, 0.5]),
      ...workers,
    ],
  },
];

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (xs: readonly number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

console.log(`replay --sweep against one what-if replay, ${ROUNDS} interleaved rounds (median ms, min–max)\n`);
for (const c of cases) {
  const single: number[] = [];
  const swept: number[] = [];
  const ratios: number[] = [];
  let distinct = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so neither always runs on a warmer page cache.
    const order = round % 2 === 0 ? ["single", "sweep"] : ["sweep", "single"];
    let s = 0;
    let w = 0;
    for (const which of order) {
      const out = join(dir, `${which}-${round}-${c.sets}.db`);
      if (which === "single") s = run(["replay", ...c.single, "--out", out, "--json"]).ms;
      else {
        const r = run(["replay", ...c.sweep, "--out", out, "--json"]);
        w = r.ms;
        const sets = (JSON.parse(r.stdout) as { sets: { netPnl: number; trades: number }[] }).sets;
        distinct = new Set(sets.map((x) => `${x.netPnl}|${x.trades}`)).size;
      }
    }
    single.push(s);
    swept.push(w);
    ratios.push(w / s);
  }
  const target = 1 + 0.25 * c.sets;
  const ratio = median(ratios);
  console.log(c.label);
  console.log(`  one what-if replay   ${median(single).toFixed(0).padStart(7)} ms  (${spread(single)})`);
  console.log(
    `  sweep of ${String(c.sets).padEnd(2)} sets     ${median(swept).toFixed(0).padStart(7)} ms  (${spread(swept)})`,
  );
  console.log(
    `  ratio (per-round median) ${ratio.toFixed(2)}×, spread ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; target ≤ ${target.toFixed(2)}× ${ratio <= target ? "ok" : "ABOVE TARGET"}; ${distinct} distinct results among ${c.sets} sets\n`,
  );
}
