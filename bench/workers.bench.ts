/**
 * `npm run bench:workers`: where a worker thread starts to pay. A replay of n synthetic sessions
 * with one lane (this thread) against two (this thread and a worker thread, which loads the
 * modules again), interleaved rounds, per-round ratio two ÷ one; the break-even is the size where
 * the ratio crosses 1, and `WORKER_BREAK_EVEN_EVENTS` (src/replay/replay.ts) sits at it. Numbers
 * for the note, never a pass/fail.
 */
import { join } from "node:path";
import { endIdleWorkers, runReplay, WORKER_BREAK_EVEN_EVENTS } from "../src/replay/index.js";
import { scratchDir } from "./harness.js";
import { largeJournal, syntheticSession } from "./synthetic-journal.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZES = (process.env.BENCH_SESSIONS ?? "1,2,4,8,16").split(",").map(Number);
const dir = scratchDir("bench-workers-");
const perSession = syntheticSession("2026-01-05", 78).length;
const { path, sessions: all } = largeJournal("bench-workers-16", Math.max(...SIZES) * perSession);

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function timed(sessions: string[], workers: number, out: string): Promise<number> {
  // A new thread each time, as a CLI replay (one per process) starts one: the thread a replay of
  // this process kept (src/replay/worker-pool.ts) would move the break-even below what the CLI sees.
  await endIdleWorkers();
  const start = performance.now();
  await runReplay({
    journal: path,
    out: join(dir, out),
    inPlace: false,
    sessions,
    stream: "live",
    strategy: "trend-vwap",
    paramOverrides: {},
    fillModel: "decision-quote",
    codeVersion: "bench",
    force: false,
    workers,
  });
  return performance.now() - start;
}

console.log(
  `replay, two lanes against one, ${ROUNDS} interleaved rounds (${perSession.toLocaleString("en-US")} events a session; WORKER_BREAK_EVEN_EVENTS = ${WORKER_BREAK_EVEN_EVENTS.toLocaleString("en-US")})\n`,
);
for (const n of SIZES) {
  const sessions = all.slice(0, n);
  const one: number[] = [];
  const two: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [1, 2] : [2, 1];
    const t: Record<number, number> = {};
    for (const workers of order)
      t[workers] = await timed(sessions, workers, `n${n}-r${round}-w${workers}.db`);
    one.push(t[1]!);
    two.push(t[2]!);
    ratios.push(t[2]! / t[1]!);
  }
  const r = median(ratios);
  console.log(
    `${String(n).padStart(3)} sessions, ${(n * perSession).toLocaleString("en-US").padStart(7)} events: one lane ${median(one).toFixed(0).padStart(6)} ms, two ${median(two).toFixed(0).padStart(6)} ms; two ÷ one ${r.toFixed(2)} (spread ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) ${r < 1 ? "workers pay" : "one lane is faster"}`,
  );
}
