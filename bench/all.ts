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
  "cli",
  "integrity",
  "ship",
  "sweep",
];
let failed = 0;
for (const name of BENCHES) {
  console.log(`\n=== bench:${name === "read-cost" ? "read" : name} ===\n`);
  const run = spawnSync(process.execPath, [join(import.meta.dirname, `${name}.bench.js`)], {
    stdio: "inherit",
  });
  if (run.status !== 0) failed += 1;
}
if (failed > 0) {
  console.error(`\n${failed} of ${BENCHES.length} benchmarks failed (see above)`);
  process.exit(1);
}
