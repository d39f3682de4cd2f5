/**
 * The last model computation quoted for each position key, as the trips fold keeps it: noting a
 * point forgets every point more than the window away from it in time, then sets its key's.
 *
 * Every quote of a day is noted, and copying a map of the last few cycles' strikes for each one
 * was a third of a replay's fold of live's day. So the points are an immutable chain, newest
 * first: noting one costs one node, a lookup (only when a trip opens) walks back to its key, and
 * the chain is compacted to what a lookup could still find once it doubles. The chain answers
 * every lookup as the map did (`recent-points.property.test.ts` holds them equal).
 */
import type { GreekPoint } from "./greek-pnl.js";

interface PointNode {
  readonly key: string;
  readonly point: GreekPoint;
  readonly older: PointNode | null;
}

export interface RecentPoints {
  readonly newest: PointNode | null;
  readonly length: number;
  /** The length at which the chain is next compacted. */
  readonly compactAt: number;
}

const MIN_COMPACT_AT = 64;

/** Whether a point at `ts` survived the points noted after it, which span `lo`…`hi`. */
const survived = (ts: number, lo: number, hi: number, windowMs: number) =>
  hi - ts <= windowMs && ts - lo <= windowMs;

export const NO_RECENT_POINTS: RecentPoints = { newest: null, length: 0, compactAt: MIN_COMPACT_AT };

/**
 * The nodes the map would still hold, newest first: each its key's newest point, with no point
 * noted after it more than `windowMs` away from it. (A loop into an array, not a generator: every
 * quote of a day is noted, and compaction runs every few dozen.)
 */
function held(recent: RecentPoints, windowMs: number): PointNode[] {
  const out: PointNode[] = [];
  const seen = new Set<string>();
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let node = recent.newest; node !== null; node = node.older) {
    const { ts } = node.point;
    if (!seen.has(node.key)) {
      seen.add(node.key);
      if (survived(ts, lo, hi, windowMs)) out.push(node);
    }
    if (ts < lo) lo = ts;
    if (ts > hi) hi = ts;
  }
  return out;
}

/** Note `point` as `key`'s last. */
export function notePoint(
  recent: RecentPoints,
  key: string,
  point: GreekPoint,
  windowMs: number,
): RecentPoints {
  const noted: RecentPoints = {
    newest: { key, point, older: recent.newest },
    length: recent.length + 1,
    compactAt: recent.compactAt,
  };
  if (noted.length < noted.compactAt) return noted;
  const kept = held(noted, windowMs);
  let newest: PointNode | null = null;
  for (let i = kept.length - 1; i >= 0; i--)
    newest = { key: kept[i]!.key, point: kept[i]!.point, older: newest };
  return { newest, length: kept.length, compactAt: Math.max(MIN_COMPACT_AT, 2 * kept.length) };
}

/** `key`'s last point, if no point noted since is more than `windowMs` away from it. */
export function recentPoint(recent: RecentPoints, key: string, windowMs: number): GreekPoint | undefined {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let node = recent.newest; node !== null; node = node.older) {
    const { ts } = node.point;
    if (node.key === key) return survived(ts, lo, hi, windowMs) ? node.point : undefined;
    if (ts < lo) lo = ts;
    if (ts > hi) hi = ts;
  }
  return undefined;
}
