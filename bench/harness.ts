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

/** Median of some timings. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Time each side once per round, the sides in turn and their order alternating from round to
 * round, so load from other processes (and a warmer cache) hits every side alike; returns each
 * side's times, ms.
 */
export async function interleavedRounds(
  sides: readonly (() => unknown | Promise<unknown>)[],
  rounds: number,
): Promise<number[][]> {
  const times = sides.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    const order = sides.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const start = performance.now();
      await sides[i]!();
      times[i]!.push(performance.now() - start);
    }
  }
  return times;
}

/**
 * `ours` against `baseline` over the same `count` items: both medians with their spread, and the
 * median of the per-round rate ratios (ours ÷ baseline) with its spread, against `target`.
 */
export function reportRounds(
  label: string,
  baseLabel: string,
  count: number,
  ours: readonly number[],
  baseline: readonly number[],
  target: number,
): void {
  const rate = (ms: number) => Math.round((count / ms) * 1000).toLocaleString("en-US");
  const line = (l: string, xs: readonly number[]) =>
    `${l.padEnd(48)} ${rate(median(xs)).padStart(12)} /s  median ${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}) for ${count}`;
  const ratios = ours.map((ms, i) => baseline[i]! / ms);
  const ratio = median(ratios);
  console.log(line(label, ours));
  console.log(line(baseLabel, baseline));
  console.log(
    `${"  ratio (per-round median)".padEnd(48)} ${(ratio * 100).toFixed(0)} % (spread ${(Math.min(...ratios) * 100).toFixed(0)}–${(Math.max(...ratios) * 100).toFixed(0)} %, ${ours.length} rounds; target ≥ ${(target * 100).toFixed(0)} %) ${ratio >= target ? "ok" : "BELOW TARGET"}\n`,
  );
}
