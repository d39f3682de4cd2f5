/**
 * The parameter sets of a sweep: `KEY=v1,v2,…` and `KEY=lo:hi:step` axes, their grid (every
 * combination, in axis order) or a seeded random sample of it. The sample draws distinct grid
 * points by index, so a grid far too large to list still samples in O(N).
 */

/** One axis: a parameter and the values it takes. */
export interface SweepAxis {
  key: string;
  values: unknown[];
}

/** A parameter set: the overrides one run merges over live's parameters. */
export type ParamSet = Record<string, unknown>;

/** A sweep axis that cannot be read, with what is accepted. */
export class SweepSpecError extends Error {
  override name = "SweepSpecError";
}

/** A value as `--param` reads it: JSON where it parses (numbers, booleans, quoted strings), else the text. */
export function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Ten significant decimals: `0.1 + 0.2` is the grid's 0.3, as a user typed it. */
const tidy = (x: number) => Number(x.toFixed(10));

/** `stopLossPct=0.1,0.15` or `stopLossPct=0.1:0.3:0.05` → the axis. */
export function parseAxis(spec: string): SweepAxis {
  const eq = spec.indexOf("=");
  if (eq <= 0)
    throw new SweepSpecError(
      `--sweep ${spec}: expected KEY=v1,v2,… or KEY=lo:hi:step, e.g. --sweep stopLossPct=0.1:0.3:0.05`,
    );
  const key = spec.slice(0, eq);
  const body = spec.slice(eq + 1).trim();
  const range = /^(-?[\d.eE+-]+):(-?[\d.eE+-]+):([\d.eE+-]+)$/.exec(body);
  if (range) {
    const [lo, hi, step] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (![lo, hi, step].every(Number.isFinite) || step <= 0 || hi < lo)
      throw new SweepSpecError(`--sweep ${spec}: a range is lo:hi:step with lo ≤ hi and step > 0`);
    const count = Math.floor(tidy((hi - lo) / step)) + 1;
    return { key, values: Array.from({ length: count }, (_, i) => tidy(lo + i * step)) };
  }
  const values = body
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "")
    .map(parseValue);
  if (values.length === 0)
    throw new SweepSpecError(`--sweep ${spec}: no values (give KEY=v1,v2,… or KEY=lo:hi:step)`);
  return { key, values: [...new Map(values.map((v) => [JSON.stringify(v), v])).values()] };
}

/** Axes of the same key are one axis (their values joined), in the order first given. */
export function mergeAxes(axes: readonly SweepAxis[]): SweepAxis[] {
  const byKey = new Map<string, unknown[]>();
  for (const axis of axes) byKey.set(axis.key, [...(byKey.get(axis.key) ?? []), ...axis.values]);
  return [...byKey].map(([key, values]) => ({
    key,
    values: [...new Map(values.map((v) => [JSON.stringify(v), v])).values()],
  }));
}

/** How many sets the grid holds (may exceed what a sweep would run). */
export function gridSize(axes: readonly SweepAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, axes.length === 0 ? 0 : 1);
}

/** Grid point `index`: the last axis varies fastest. */
export function gridPoint(axes: readonly SweepAxis[], index: number): ParamSet {
  const set: ParamSet = {};
  let rest = index;
  for (let i = axes.length - 1; i >= 0; i--) {
    const axis = axes[i]!;
    set[axis.key] = axis.values[rest % axis.values.length];
    rest = Math.floor(rest / axis.values.length);
  }
  return Object.fromEntries(axes.map((a) => [a.key, set[a.key]]));
}

/** Every grid point, in order. */
export function gridSets(axes: readonly SweepAxis[]): ParamSet[] {
  return Array.from({ length: gridSize(axes) }, (_, i) => gridPoint(axes, i));
}

/** mulberry32: a seeded generator, so a sample is the same for the same seed on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` distinct grid points drawn with `seed`, in grid order (all of them when n ≥ the grid). */
export function sampleSets(axes: readonly SweepAxis[], n: number, seed: number): ParamSet[] {
  const size = gridSize(axes);
  if (n >= size) return gridSets(axes);
  const random = seeded(seed);
  const picked = new Set<number>();
  while (picked.size < n) picked.add(Math.floor(random() * size));
  return [...picked].sort((a, b) => a - b).map((i) => gridPoint(axes, i));
}
