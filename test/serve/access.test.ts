/** The rate limit and the token check of `journal serve`, as properties. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RateLimit } from "../../src/serve/access.js";

describe("RateLimit", () => {
  it("never lets one address through more than its burst plus what the elapsed time refilled", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 300 }),
        (burst, perSecond, steps) => {
          const limit = new RateLimit(burst, perSecond);
          let now = 0;
          let allowed = 0;
          for (const step of steps) {
            now += step;
            if (limit.take("a", now) === 0) allowed++;
          }
          expect(allowed).toBeLessThanOrEqual(burst + Math.floor((now / 1000) * perSecond));
        },
      ),
    );
  });

  it("keeps addresses apart, and says how long to wait", () => {
    const limit = new RateLimit(2, 1);
    expect([limit.take("a", 0), limit.take("a", 0)]).toEqual([0, 0]);
    expect(limit.take("a", 0)).toBeGreaterThan(0);
    expect(limit.take("b", 0)).toBe(0);
    expect(limit.take("a", 1_000)).toBe(0);
  });
});
