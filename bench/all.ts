/**
 * `npm run bench`: every benchmark in turn, each in a process of its own (they measure memory and
 * start-up, and one's garbage must not land in the next one's numbers).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const BENCHES = [
  "journal",
  "projections",
  "read-cost",
  "replay",
  "sim",
  "live",
  "live-days",
  "cli",
  "integrity",
  "ship",
  "sweep",
];
/** What `npm run bench:…` calls each, where that is not its file's name. */
const NAMES: Record<string, string> = { "read-cost": "read", "live-days": "days" };
/** Node flags a benchmark needs (bench:days collects garbage before each reading). */
const FLAGS: Record<string, string[]> = { "live-days": ["--expose-gc"] };
let failed = 0;
for (const name of BENCHES) {
  console.log(`\n=== bench:${NAMES[name] ?? name} ===\n`);
  const args = [...(FLAGS[name] ?? []), join(import.meta.dirname, `${name}.bench.js`)];
  const run = spawnSync(process.execPath, args, {
    stdio: "inherit",
  });
  if (run.status !== 0) failed += 1;
}
if (failed > 0) {
  console.error(`\n${failed} of ${BENCHES.length} benchmarks failed (see above)`);
  process.exit(1);
}
