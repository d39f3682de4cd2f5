/**
 * `npm run bench:cli`: start-up of the built CLI as a user runs it, as a ratio to a bare
 * `node -e 0` measured in the same rounds (each round runs the baseline and every command once,
 * interleaved, so load from elsewhere hits them alike); then the time of every ready query of
 * docs/sql.md on the bundled sample. Numbers for the note, never a pass/fail.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { scratchDir } from "./harness.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const BIN = "dist/src/cli/journal.js";
const dir = scratchDir("bench-cli-");
const journal = join(dir, "journal.db");

function run(args: readonly string[]): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", cwd: process.cwd() });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

for (const day of ["2026-02-04", "2026-02-05"])
  run([BIN, "import", `data/sample/${day}.jsonl`, "--journal", journal]);

const sampleEvents = (() => {
  const db = new Database(journal, { readonly: true });
  const n = (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  db.close();
  return n.toLocaleString("en-US");
})();

// A copy nobody verified yet: `verify` then checks every schema (and loads them) instead of
// trusting what the recorded verified point covers.
const pristine = join(dir, "pristine.db");
copyFileSync(journal, pristine);
{
  // The import recorded a verified point over what it added: this copy forgets it.
  const db = new Database(pristine);
  db.prepare("DELETE FROM journal_meta WHERE key = 'verified'").run();
  db.close();
}
const unverified = join(dir, "unverified.db");
const freshCopy = () => {
  for (const suffix of ["", "-wal", "-shm", "-seq"]) rmSync(unverified + suffix, { force: true });
  copyFileSync(pristine, unverified);
};

const cases: { label: string; args: string[]; target: number; prepare?: () => void }[] = [
  { label: "journal --help", args: [BIN, "--help"], target: 3 },
  { label: "journal sessions", args: [BIN, "sessions", "--journal", journal], target: 3 },
  { label: 'journal sql "select 1"', args: [BIN, "sql", "select 1", "--journal", journal], target: 3 },
  {
    label: `journal verify (sample, ${sampleEvents} events)`,
    args: [BIN, "verify", "--journal", journal],
    target: 3,
  },
  {
    label: "journal verify, first time (every schema)",
    args: [BIN, "verify", "--journal", unverified],
    target: 3,
    prepare: freshCopy,
  },
  {
    label: "replay --session 2026-02-04",
    args: [BIN, "replay", "--journal", journal, "--session", "2026-02-04", "--out", join(dir, "replay.db")],
    target: 5,
  },
];

const baseline: number[] = [];
const times = cases.map(() => [] as number[]);
const ratios = cases.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round++) {
  const base = run(["-e", "0"]);
  baseline.push(base);
  cases.forEach((c, i) => {
    c.prepare?.();
    const ms = run(c.args);
    times[i]!.push(ms);
    ratios[i]!.push(ms / base);
  });
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (xs: readonly number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

console.log(`CLI start-up, ${ROUNDS} interleaved rounds (median ms, min–max, ratio to node -e 0)\n`);
console.log(
  `${"node -e 0 (baseline)".padEnd(40)} ${median(baseline).toFixed(0).padStart(6)} ms  (${spread(baseline)})`,
);
cases.forEach((c, i) => {
  const ratio = median(times[i]!) / median(baseline);
  const perRound = median(ratios[i]!);
  console.log(
    `${c.label.padEnd(40)} ${median(times[i]!).toFixed(0).padStart(6)} ms  (${spread(times[i]!)})  ${ratio.toFixed(2)}× (per-round median ${perRound.toFixed(2)}×, spread ${Math.min(...ratios[i]!).toFixed(2)}–${Math.max(...ratios[i]!).toFixed(2)}; target ≤ ${c.target}×) ${perRound <= c.target ? "ok" : "ABOVE TARGET"}`,
  );
});

// docs/sql.md: every ready query on the sample, with a replay of 2026-02-04 in the same file.
run([BIN, "replay", "--journal", journal, "--session", "2026-02-04", "--in-place"]);
// The projection tables some queries read (proj_session_summary, v_trades), folded as users do.
run([BIN, "rebuild", "--journal", journal]);
const queries = [
  ...readFileSync("docs/sql.md", "utf8").matchAll(/### (\d+)\. (.*)\n\n```sql\n([\s\S]*?)```/g),
];
const db = new Database(journal, { readonly: true });
console.log(`\ndocs/sql.md queries on the sample (best of 3, target < 1000 ms each)\n`);
for (const [, n, title, sql] of queries) {
  const statement = db.prepare(sql!);
  let best = Number.POSITIVE_INFINITY;
  let rows = 0;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    rows = statement.all().length;
    best = Math.min(best, performance.now() - start);
  }
  console.log(
    `#${n!.padEnd(3)} ${title!.slice(0, 58).padEnd(58)} ${best.toFixed(1).padStart(8)} ms  ${rows} rows`,
  );
}
db.close();
