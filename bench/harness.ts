/**
 * Tiny benchmark helpers: run a function, report rate, and print ratios against a baseline
 * measured in the same run (never a pass/fail: numbers for the note).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Measured {
  label: string;
  count: number;
  ms: number;
  perSecond: number;
}

/** Time `fn` (which processes `count` items); the best of `repeat` runs. */
export function measure(label: string, count: number, fn: () => void, repeat = 3): Measured {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return { label, count, ms: best, perSecond: (count / best) * 1000 };
}

/** Print `ours` next to `baseline` with the ratio and the target. */
export function report(ours: Measured, baseline: Measured, target: number): void {
  const ratio = ours.perSecond / baseline.perSecond;
  const fmt = (m: Measured) =>
    `${Math.round(m.perSecond).toLocaleString("en-US").padStart(12)} /s  (${m.ms.toFixed(1)} ms for ${m.count})`;
  console.log(`${ours.label.padEnd(44)} ${fmt(ours)}`);
  console.log(`${baseline.label.padEnd(44)} ${fmt(baseline)}`);
  console.log(
    `${"  ratio".padEnd(44)} ${(ratio * 100).toFixed(0)} % (target ≥ ${(target * 100).toFixed(0)} %) ${ratio >= target ? "ok" : "BELOW TARGET"}\n`,
  );
}

/** A scratch directory removed at exit. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
