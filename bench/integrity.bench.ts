/**
 * `npm run bench:integrity`: what integrity costs on a 1,000,000-event journal.
 *  - replay's verify of one day (`verifySession`) on the 1M journal against the same day alone in
 *    a one-day journal (target: ratio near 1), and `replay --session` end to end on both;
 *  - `journal backup` of the 1M journal while another process appends, against a plain copy of
 *    the `.db` file in the same run (which would miss what is in the `-wal`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { backupJournal, openJournal, SeededIdGen } from "../src/events/index.js";
import { runReplay } from "../src/replay/index.js";
import { interleavedRounds, scratchDir } from "./harness.js";
import { largeJournal, syntheticSession } from "./synthetic-journal.js";

const dir = scratchDir("bench-integrity-");
const { path: big, sessions } = largeJournal("bench-1m", 1_000_000);
const day = sessions[Math.floor(sessions.length / 2)]!;
const small = join(dir, "one-day.db");
{
  const j = openJournal(small, { idGen: new SeededIdGen(42) });
  const events = syntheticSession(day, 78);
  for (let i = 0; i < events.length; i += 2000) j.append("live", day, events.slice(i, i + 2000));
  j.close();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

const total = (() => {
  const j = openJournal(big, { readonly: true });
  const n = j.lastSeq();
  j.close();
  return n;
})();
console.log(
  `integrity benchmark: ${total.toLocaleString("en-US")} events in ${sessions.length} sessions; day ${day}\n`,
);

// 1. Replay's verify of one day, on the 1M journal and on a journal of that day alone, in turn.
const bigJournal = openJournal(big, { readonly: true });
const smallJournal = openJournal(small, { readonly: true });
const [sessionOnBig, sessionOnSmall] = (await interleavedRounds(
  [
    () => {
      if (!bigJournal.verifySession(day).ok) throw new Error("verifySession failed");
    },
    () => {
      if (!smallJournal.verifySession(day).ok) throw new Error("verifySession failed");
    },
  ],
  7,
)) as [number[], number[]];
const dayEvents = smallJournal.lastSeq();
bigJournal.close();
smallJournal.close();
console.log(
  `verifySession(${day}), ${dayEvents} events: 1M journal median ${median(sessionOnBig).toFixed(1)} ms (${spread(sessionOnBig)}), one-day journal ${median(sessionOnSmall).toFixed(1)} ms (${spread(sessionOnSmall)}) → ratio ${(median(sessionOnBig) / median(sessionOnSmall)).toFixed(2)} (target ≈ 1)`,
);

// 2. replay --session end to end (verify included, no --force), through the library the CLI calls.
const replayOnce = (journal: string, i: number) =>
  runReplay({
    journal,
    out: join(dir, `replay-${i}.db`),
    inPlace: false,
    sessions: [day],
    stream: "live",
    strategy: "trend-vwap",
    paramOverrides: {},
    fillModel: "next-quote",
    codeVersion: "bench",
    force: false,
    workers: 1,
  });
let run = 0;
const [replayBig, replaySmall] = (await interleavedRounds(
  [() => replayOnce(big, run++), () => replayOnce(small, run++)],
  5,
)) as [number[], number[]];
console.log(
  `replay --session ${day}: 1M journal median ${median(replayBig).toFixed(0)} ms (${spread(replayBig)}), one-day journal ${median(replaySmall).toFixed(0)} ms (${spread(replaySmall)}) → ratio ${(median(replayBig) / median(replaySmall)).toFixed(2)} (target ≈ 1; before: a whole-journal verify first)`,
);

// 3. Backup while appending.
const live = join(dir, "live.db");
copyFileSync(big, live);
const eventsModule = new URL("../src/events/index.js", import.meta.url).href;
const writerSource = `
import { openJournal } from ${JSON.stringify(eventsModule)};
const j = openJournal(process.argv[1]);
let i = 0;
process.stdout.write("ready\\n");
for (;;) {
  const ts = 1_790_000_000_000 + i;
  j.append("live", "2026-09-01", [{ type: "CycleStarted", version: 1, ts, payload: { cycle: i, symbols: ["SPY"], gatewayTimeMs: ts } }]);
  i += 1;
  if (i % 50 === 0) await new Promise((r) => setImmediate(r));
}`;
const writer: ChildProcess = spawn(process.execPath, ["--input-type=module", "-e", writerSource, live], {
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise<void>((resolve) => writer.stdout!.once("data", () => resolve()));
await new Promise((r) => setTimeout(r, 500));
const copyStart = performance.now();
copyFileSync(live, join(dir, "plain-copy.db"));
const copyMs = performance.now() - copyStart;
const backupStart = performance.now();
const phases: Record<string, number> = {};
const result = await backupJournal(live, join(dir, "backup.db"), (phase) => {
  phases[phase] = performance.now() - backupStart;
});
const backupMs = performance.now() - backupStart;
writer.kill("SIGKILL");
await new Promise((r) => writer.on("exit", r));
const after = openJournal(live, { readonly: true });
const atEnd = after.lastSeq();
after.close();
console.log(
  `\njournal backup of a ${(statSync(live).size / 1e6).toFixed(0)} MB journal while another process appends: ${(backupMs / 1000).toFixed(1)} s (online copy ${((phases.copied ?? 0) / 1000).toFixed(1)} s, full verify of the copy ${(((phases.verified ?? 0) - (phases.copied ?? 0)) / 1000).toFixed(1)} s, fsync + rename ${(((phases.renamed ?? 0) - (phases.verified ?? 0)) / 1000).toFixed(1)} s); ${result.events.toLocaleString("en-US")} events copied, ${result.lastSeqAtStart.toLocaleString("en-US")} at start, ${atEnd.toLocaleString("en-US")} in the source when the writer stopped`,
);
console.log(
  `plain copy of the .db file (baseline, not consistent): ${(copyMs / 1000).toFixed(1)} s → backup/copy ${(backupMs / copyMs).toFixed(1)}×`,
);
