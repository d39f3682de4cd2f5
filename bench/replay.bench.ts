/**
 * `npm run bench:replay`: replay engine throughput over ≥ 1,000,000 events in many sessions, next to
 * a raw scan + JSON.parse of the same events (same run); one worker and all cores; and
 * `replay --session` of one ordinary day through the built CLI, start-up included.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openJournal } from "../src/events/index.js";
import { runReplay } from "../src/replay/index.js";
import { scratchDir } from "./harness.js";
import { largeJournal } from "./synthetic-journal.js";

// BENCH_REPLAY_EVENTS=100000 for a quicker run on a busy machine (its own cached journal).
const size = Number(process.env.BENCH_REPLAY_EVENTS ?? 1_000_000);
const { path, sessions } = largeJournal(size === 1_000_000 ? "bench-1m" : `bench-${size}`, size);
const dir = scratchDir("bench-replay-");
// As `journal verify` (or live, before it trades) leaves it: a verified point recorded. Replay then
// verifies each session as it reads it, its own pass being the only schema check of newer rows.
{
  const journal = openJournal(path);
  const report = journal.verifySince();
  journal.close();
  if (!report.ok) throw new Error(`${path} fails verify: delete .tmp/ to rebuild it`);
}
const raw = new Database(path, { readonly: true });
const total = (raw.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
let sink = 0;
let start = performance.now();
for (const row of raw.prepare("SELECT seq, payload FROM events ORDER BY seq").iterate() as Iterable<{
  seq: number;
  payload: string;
}>) {
  sink += row.seq + (JSON.parse(row.payload) === null ? 1 : 0);
}
const rawMs = performance.now() - start;
raw.close();
const rawRate = (total / rawMs) * 1000;
console.log(
  `replay benchmark: ${total.toLocaleString("en-US")} events in ${sessions.length} sessions, ${availableParallelism()} cores\n`,
);
console.log(
  `raw SELECT + JSON.parse (baseline)         ${Math.round(rawRate).toLocaleString("en-US").padStart(10)} events/s`,
);

for (const workers of [1, availableParallelism()]) {
  start = performance.now();
  const results = await runReplay({
    journal: path,
    out: join(dir, `out-${workers}.db`),
    inPlace: false,
    sessions,
    stream: "live",
    strategy: "trend-vwap",
    paramOverrides: {},
    fillModel: "next-quote",
    codeVersion: "bench",
    force: false,
    workers,
  });
  const ms = performance.now() - start;
  const events = results.reduce((n, r) => n + r.events, 0);
  const rate = (events / ms) * 1000;
  console.log(
    `replay engine, ${workers} worker(s)                ${Math.round(rate).toLocaleString("en-US").padStart(10)} events/s  = ${((rate / rawRate) * 100).toFixed(0)} % of raw (verify included; target ≥ 40 % on one core, ≥ 1.8× that on two)`,
  );
}

// One ordinary day through the built CLI, process start-up included.
const day = join(dir, "day.db");
spawnSync(process.execPath, [
  "dist/src/cli/journal.js",
  "import",
  "data/sample/2026-02-04.jsonl",
  "--journal",
  day,
]);
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  start = performance.now();
  const r = spawnSync(process.execPath, [
    "dist/src/cli/journal.js",
    "replay",
    "--journal",
    day,
    "--session",
    "2026-02-04",
    "--out",
    join(dir, `cli${i}.db`),
    "--json",
  ]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  times.push(performance.now() - start);
}
const baseline: number[] = [];
for (let i = 0; i < 5; i++) {
  start = performance.now();
  spawnSync(process.execPath, ["-e", "0"]);
  baseline.push(performance.now() - start);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `\nreplay --session 2026-02-04 (1,777 events), built CLI: median ${median(times).toFixed(0)} ms (target < 1000 ms); bare \`node -e 0\`: ${median(baseline).toFixed(0)} ms`,
);
if (sink === -1) console.log("");
