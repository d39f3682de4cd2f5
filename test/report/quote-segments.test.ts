/** The premium chart's stretches of quotes: a line never spans a gap longer than twice the usual spacing. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quoteSegments } from "../../src/report/symbol-charts.js";

const quotes = fc.array(
  fc.record({ time: fc.integer({ min: 0, max: 1_000_000 }), contract: fc.constantFrom("C 1", "C 2", "P 1") }),
  { maxLength: 200 },
);

describe("quoteSegments", () => {
  it("keeps every quote once, in time order within its contract, each stretch of one contract", () => {
    fc.assert(
      fc.property(quotes, (qs) => {
        const out = quoteSegments(qs);
        expect(out).toHaveLength(qs.length);
        for (const q of out) expect(q.segment.startsWith(`${q.contract}#`)).toBe(true);
        const times = (c: string, list: { time: number; contract: string }[]) =>
          list.filter((q) => q.contract === c).map((q) => q.time);
        for (const c of ["C 1", "C 2", "P 1"])
          expect(times(c, out)).toEqual(times(c, qs).sort((a, b) => a - b));
      }),
    );
  });

  it("joins two neighbours in a stretch only when their gap is at most twice the contract's median gap", () => {
    fc.assert(
      fc.property(quotes, (qs) => {
        const out = quoteSegments(qs);
        for (const c of new Set(out.map((q) => q.contract))) {
          const mine = out.filter((q) => q.contract === c);
          const gaps = mine.slice(1).map((q, i) => q.time - mine[i]!.time);
          const usual = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
          mine.slice(1).forEach((q, i) => {
            const joined = q.segment === mine[i]!.segment;
            expect(joined).toBe(usual === undefined || gaps[i]! <= 2 * usual);
          });
        }
      }),
    );
  });
});
