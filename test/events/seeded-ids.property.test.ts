/**
 * SeededIdGen's ids are part of every replay's output (the same inputs, the same run ids and event
 * ids): written with doubles instead of BigInt, they must stay exactly what the BigInt form gave,
 * for any seed, time and counter, across the counter's 2^45 and 2^48 boundaries too.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeededIdGen } from "../../src/events/index.js";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The form the journal's ids were first written in (BigInt for the 80-bit random part). */
function referenceId(seed: number, counter: bigint, timeMs: number): string {
  let time = "";
  let t = Math.max(0, Math.floor(timeMs));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = (BigInt(seed >>> 0) << 48n) | (counter & 0xffffffffffffn);
  let tail = "";
  for (let i = 0; i < 16; i++) {
    tail = CROCKFORD[Number(rand & 31n)] + tail;
    rand >>= 5n;
  }
  return time + tail;
}

describe("SeededIdGen", () => {
  it("gives the reference ids for any seed and times, the same time twice included", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 2 ** 48 }), fc.constant(1_770_000_000_000)), {
          minLength: 1,
          maxLength: 40,
        }),
        (seed, times) => {
          const ids = new SeededIdGen(seed);
          times.forEach((ts, i) => {
            expect(ids.next(ts)).toBe(referenceId(seed, BigInt(i + 1), ts));
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives the reference ids where the counter crosses 2^45 (its top bits meet the seed's) and wraps at 2^48", () => {
    for (const start of [2 ** 45 - 3, 2 ** 48 - 3]) {
      const ids = new SeededIdGen(0xdeadbeef);
      // The counter is private: set it as a long run would have left it.
      (ids as unknown as { counter: number }).counter = start;
      for (let i = 1; i <= 6; i++)
        expect(ids.next(1_770_000_000_000)).toBe(
          referenceId(0xdeadbeef, BigInt(start + i), 1_770_000_000_000),
        );
    }
  });
});
