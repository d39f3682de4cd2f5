/**
 * The sets of a sweep: a grid holds every combination once, a range steps as typed, and a sample
 * is a seeded draw of distinct grid points (the same seed, the same sets).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  gridSets,
  gridSize,
  mergeAxes,
  parseAxis,
  SweepSpecError,
  sampleSets,
} from "../../src/replay/sweep-grid.js";
import { type SessionSlice, setFigures } from "../../src/replay/sweep-metrics.js";
import { foldsOf } from "../../src/replay/walk-forward.js";

const axes = fc
  .array(
    fc.record({
      key: fc.constantFrom("a", "b", "c", "d"),
      values: fc.uniqueArray(fc.integer(), { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((list) => mergeAxes(list));

describe("sweep grid", () => {
  it("reads lists and ranges, the range's ends included and its steps as typed", () => {
    expect(parseAxis("stopLossPct=0.1:0.3:0.05").values).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(parseAxis("fastEma=3,5,8")).toEqual({ key: "fastEma", values: [3, 5, 8] });
    expect(parseAxis("noEntryAfter=15:00,15:30").values).toEqual(["15:00", "15:30"]);
    expect(() => parseAxis("stopLossPct=")).toThrow(SweepSpecError);
    expect(() => parseAxis("stopLossPct")).toThrow(SweepSpecError);
    expect(() => parseAxis("x=0.3:0.1:0.1")).toThrow(SweepSpecError);
  });

  it("a grid holds every combination exactly once", () => {
    fc.assert(
      fc.property(axes, (list) => {
        const sets = gridSets(list);
        expect(sets.length).toBe(gridSize(list));
        expect(new Set(sets.map((s) => JSON.stringify(s))).size).toBe(sets.length);
        for (const set of sets) for (const axis of list) expect(axis.values).toContainEqual(set[axis.key]);
      }),
    );
  });

  it("a sample draws distinct grid points, the same for the same seed", () => {
    fc.assert(
      fc.property(axes, fc.integer({ min: 1, max: 20 }), fc.nat(), (list, n, seed) => {
        const sample = sampleSets(list, n, seed);
        const grid = gridSets(list).map((s) => JSON.stringify(s));
        expect(sample.length).toBe(Math.min(n, grid.length));
        expect(new Set(sample.map((s) => JSON.stringify(s))).size).toBe(sample.length);
        for (const set of sample) expect(grid).toContain(JSON.stringify(set));
        expect(sampleSets(list, n, seed)).toEqual(sample);
      }),
    );
  });

  it("samples a grid far too large to list", () => {
    const huge = mergeAxes(["a", "b", "c", "d", "e", "f"].map((k) => parseAxis(`${k}=0:99:1`)));
    expect(gridSize(huge)).toBe(1e12);
    const sample = sampleSets(huge, 50, 7);
    expect(sample).toHaveLength(50);
    expect(sampleSets(huge, 50, 8)).not.toEqual(sample);
  });
});

describe("a set's figures over sessions", () => {
  const slice = fc.record({
    session: fc.constant("s"),
    netPnlUsd: fc.integer({ min: -100_000, max: 100_000 }).map((c) => c / 100),
    trades: fc.nat(20),
    wins: fc.nat(20),
    closedPnlUsd: fc.integer({ min: -100_000, max: 100_000 }).map((c) => c / 100),
    tradedPnlUsd: fc.integer({ min: 0, max: 200_000 }).map((c) => c / 100),
    maxDrawdownUsd: fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100),
    feesUsd: fc.integer({ min: 0, max: 10_000 }).map((c) => c / 100),
    unfilled: fc.nat(3),
  }) as fc.Arbitrary<SessionSlice>;
  it("sums net P&L to the cent; profit factor is gross wins over gross losses", () => {
    fc.assert(
      fc.property(fc.array(slice, { minLength: 1, maxLength: 8 }), (slices) => {
        const f = setFigures(slices);
        const cents = slices.reduce((n, s) => n + Math.round(s.netPnlUsd * 100), 0);
        expect(Math.round(f.netPnl * 100)).toBe(cents);
        expect(f.maxDrawdown).toBe(Math.max(0, ...slices.map((s) => s.maxDrawdownUsd)));
        const closed = slices.reduce((n, s) => n + s.closedPnlUsd, 0);
        const traded = slices.reduce((n, s) => n + s.tradedPnlUsd, 0);
        const lost = (traded - closed) / 2;
        if (lost > 0.005) expect(f.profitFactor).toBeCloseTo((traded + closed) / 2 / lost, 1);
      }),
    );
  });
});

describe("walk-forward folds", () => {
  it("train on every block before the test block, never on it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 6 }), (n, k) => {
        const sessions = Array.from({ length: n }, (_, i) => `s${String(i).padStart(2, "0")}`);
        if (n < k + 1) {
          expect(() => foldsOf(sessions, k)).toThrow(RangeError);
          return;
        }
        const folds = foldsOf(sessions, k);
        expect(folds).toHaveLength(k);
        for (const fold of folds) {
          expect(fold.test.length).toBeGreaterThan(0);
          expect(fold.train.every((s) => s < fold.test[0]!)).toBe(true);
          expect(sessions.slice(0, fold.train.length)).toEqual(fold.train);
        }
        expect(folds[folds.length - 1]!.test.at(-1)).toBe(sessions.at(-1));
      }),
    );
  });
});
