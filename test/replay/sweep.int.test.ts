/**
 * A sweep set is the single what-if with the same parameters: the same figures to the cent on
 * every session and in total, the same run ids, the same baseline — for random parameter sets,
 * over both bundled sessions, in one lane or two. And a sweep never figures rows that fail verify.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, inject, it } from "vitest";
import {
  type ParamSet,
  ReplayRefused,
  runReplay,
  runSweep,
  type SweepOptions,
} from "../../src/replay/index.js";
import { replayOptions } from "../support/replay-options.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-int-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const journal = inject("sampleJournal");
const sessions = ["2026-02-04", "2026-02-05"];

const sweepOptions = (sets: ParamSet[], extra: Partial<SweepOptions> = {}): SweepOptions => ({
  journal,
  out: null,
  sessions,
  stream: "live",
  strategy: null,
  fillModel: "decision-quote",
  codeVersion: "t",
  force: false,
  workers: 1,
  sets,
  rank: "netPnl",
  keep: 1,
  ...extra,
});

const whatIf = (set: ParamSet) =>
  runReplay(
    replayOptions({
      journal,
      sessions,
      paramOverrides: set,
      fillModel: "decision-quote",
      outcomes: "simulated",
    }),
  );
const cents = (x: number) => Math.round(x * 100);

const paramSet = fc.record({
  stopLossPct: fc.integer({ min: 5, max: 40 }).map((x) => x / 100),
  profitTargetPct: fc.integer({ min: 10, max: 60 }).map((x) => x / 100),
  maxHoldMinutes: fc.constantFrom(20, 45, 60, 90),
  fastEma: fc.integer({ min: 3, max: 8 }),
});

describe("a sweep set equals the single what-if", () => {
  it("for random parameter sets over both bundled sessions: figures to the cent, run ids, baseline", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(paramSet, { minLength: 2, maxLength: 3, selector: (s) => JSON.stringify(s) }),
        async (sets) => {
          const report = await runSweep(sweepOptions(sets));
          expect(report.sets).toHaveLength(sets.length);
          for (const swept of report.sets) {
            const single = await whatIf(swept.params);
            expect(swept.params).toEqual(sets[swept.index]);
            expect(swept.sessions.map((s) => s.session)).toEqual(single.map((r) => r.session));
            for (const [i, r] of single.entries()) {
              const s = swept.sessions[i]!;
              expect(cents(s.netPnlUsd)).toBe(cents(r.replay.netPnlUsd));
              expect(s.trades).toBe(r.replay.trades);
              expect(cents(s.maxDrawdownUsd)).toBe(cents(r.replay.maxDrawdownUsd));
              expect(cents(s.feesUsd)).toBe(cents(r.replay.feesUsd));
              expect(s.unfilled).toBe(r.unfilled);
            }
            const total = single.reduce((n, r) => n + cents(r.replay.netPnlUsd), 0);
            expect(cents(swept.figures.netPnl)).toBe(total);
            expect(swept.figures.trades).toBe(single.reduce((n, r) => n + r.replay.trades, 0));
            // The baseline beside it is the what-if's own baseline.
            const baseline = single.reduce((n, r) => n + cents(r.baseline!.summary.netPnlUsd), 0);
            expect(cents(report.baseline!.figures.netPnl)).toBe(baseline);
            expect(cents(report.live.netPnl)).toBe(single.reduce((n, r) => n + cents(r.live.netPnlUsd), 0));
          }
          // Ranked best first by net P&L.
          const pnl = report.sets.map((s) => s.figures.netPnl);
          expect([...pnl].sort((a, b) => b - a)).toEqual(pnl);
        },
      ),
      { numRuns: 3 },
    );
  }, 300_000);

  it("two lanes give the same report as one, and the kept runs are the what-if's runs", async () => {
    const sets = [{ stopLossPct: 0.1 }, { stopLossPct: 0.3, profitTargetPct: 0.4 }];
    const out = join(dir, "kept.db");
    const one = await runSweep(sweepOptions(sets));
    const ticks: [number, number][] = [];
    const two = await runSweep(
      sweepOptions(sets, {
        workers: 2,
        out,
        keep: 1,
        onProgress: (done, total) => ticks.push([done, total]),
      }),
    );
    expect(two.sets.map((s) => [s.index, s.figures])).toEqual(one.sets.map((s) => [s.index, s.figures]));
    // The day the booting thread had queued is taken back by the main lane: each set of each day
    // is run and counted once.
    const total = ticks[0]![1];
    expect(ticks).toEqual(Array.from({ length: total }, (_, i) => [i + 1, total]));
    const best = two.sets[0]!;
    const single = await whatIf(best.params);
    expect(best.runs).toEqual(single.map((r) => r.run));
    expect(two.sets[1]!.runs).toEqual([]);
    expect(two.baseline!.runs).toEqual(single.map((r) => r.baseline!.run));
  }, 300_000);
});

describe("verification", () => {
  it("a session whose rows fail their hash chain is refused, in any lane; --force sweeps it", async () => {
    const tampered = join(dir, "tampered.db");
    copyFileSync(journal, tampered);
    execFileSync("python3", [
      "-c",
      `import sqlite3; c=sqlite3.connect("${tampered}"); c.execute("DROP TRIGGER events_no_update"); c.execute("UPDATE events SET payload = replace(payload, '\\"bidUsd\\":', '\\"bidUsd\\":1') WHERE seq = (SELECT max(seq) FROM events WHERE type = 'QuoteSnapshot' AND session = '2026-02-05')"); c.commit()`,
    ]);
    for (const workers of [1, 2])
      await expect(
        runSweep(sweepOptions([{ stopLossPct: 0.1 }], { journal: tampered, workers })),
      ).rejects.toThrow(ReplayRefused);
    await expect(
      runSweep(sweepOptions([{ stopLossPct: 0.1 }], { journal: tampered, workers: 1 })),
    ).rejects.toThrow(/2026-02-05.*fails verify at seq \d+/);
    const forced = await runSweep(sweepOptions([{ stopLossPct: 0.1 }], { journal: tampered, force: true }));
    expect(forced.sets).toHaveLength(1);
  }, 300_000);
});
