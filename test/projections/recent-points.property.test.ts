/**
 * The trips fold's recent points (an immutable chain) answer every lookup as the map they
 * replaced did: noting a point forgets every point more than the window away from it, then sets
 * its key's. Times go back and forth, as other streams' events do in one journal.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GreekPoint } from "../../src/projections/greek-pnl.js";
import {
  NO_RECENT_POINTS,
  notePoint,
  type RecentPoints,
  recentPoint,
} from "../../src/projections/recent-points.js";

const WINDOW = 100;
const point = (ts: number): GreekPoint => ({
  ts,
  undUsd: ts,
  iv: null,
  delta: null,
  gamma: null,
  vega: null,
  theta: null,
});

/** The map the chain replaced, as the fold wrote it. */
function noteInMap(
  map: ReadonlyMap<string, GreekPoint>,
  key: string,
  p: GreekPoint,
): Map<string, GreekPoint> {
  const next = new Map<string, GreekPoint>();
  for (const [k, q] of map) if (Math.abs(q.ts - p.ts) <= WINDOW) next.set(k, q);
  return next.set(key, p);
}

const KEYS = ["a", "b", "c", "d", "e", "f"];
const step = fc.record({ key: fc.constantFrom(...KEYS), ts: fc.integer({ min: 0, max: 300 }) });

describe("recent points", () => {
  it("every key's lookup equals the map's after every note, over long runs that compact", () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 400 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10 })),
        (steps, drift) => {
          let map = new Map<string, GreekPoint>();
          let chain: RecentPoints = NO_RECENT_POINTS;
          steps.forEach(({ key, ts }, i) => {
            // A slow drift forward, so the window keeps some points and forgets others.
            const p = point(ts + i * drift);
            map = noteInMap(map, key, p);
            chain = notePoint(chain, key, p, WINDOW);
            for (const k of KEYS) expect(recentPoint(chain, k, WINDOW)).toBe(map.get(k));
          });
          // Compaction keeps the chain near what the map holds, not the whole history.
          expect(chain.length).toBeLessThanOrEqual(Math.max(64, 2 * map.size + 1));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("compaction forgets a point whose forgetting note was itself overwritten", () => {
    // b@200 forgets a@0; b@50 then overwrites b@200, and is near a: only the forgotten b@200 said a was gone.
    let chain = notePoint(notePoint(NO_RECENT_POINTS, "a", point(0), WINDOW), "b", point(200), WINDOW);
    while (chain.length > 2 || chain.newest?.point.ts !== 50)
      chain = notePoint(chain, "b", point(50), WINDOW);
    expect(chain.length).toBeLessThan(NO_RECENT_POINTS.compactAt);
    expect(recentPoint(chain, "a", WINDOW)).toBeUndefined();
    expect(recentPoint(chain, "b", WINDOW)).toEqual(point(50));
  });

  it("an earlier chain is untouched by notes made after it (states are values)", () => {
    const first = notePoint(NO_RECENT_POINTS, "a", point(10), WINDOW);
    let later = first;
    for (let i = 0; i < 200; i++) later = notePoint(later, "b", point(500 + i), WINDOW);
    expect(recentPoint(later, "a", WINDOW)).toBeUndefined();
    expect(recentPoint(first, "a", WINDOW)).toEqual(point(10));
  });
});
