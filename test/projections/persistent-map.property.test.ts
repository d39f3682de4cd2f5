/**
 * The persistent map behaves as a `Map` copied before each change: after every set or delete its
 * size, lookups and iteration order equal a plain Map's, and every earlier version still answers
 * as it did (the book keeps old states: fold equals rebuild, the tables diff before and after).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyHash, PersistentMap } from "../../src/projections/persistent-map.js";

/** Distinct keys with one 32-bit hash, so the trie's collision nodes are exercised too. */
function collidingKeys(groups: number): string[] {
  const seen = new Map<number, string>();
  const out: string[] = [];
  for (let i = 0; out.length < groups * 2; i++) {
    const key = `c${i}`;
    const hash = keyHash(key);
    const other = seen.get(hash);
    if (other === undefined) seen.set(hash, key);
    else out.push(other, key);
  }
  return out;
}
const COLLIDING = collidingKeys(3);

type Op =
  | { kind: "set"; key: string; value: number; from: number | null }
  | { kind: "delete"; key: string; from: number | null };

const arbKey = (pool: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.nat(pool).map((i) => `k${i}`) },
    { weight: 2, arbitrary: fc.constantFrom(...COLLIDING) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  );

/** `from`: the earlier version a step starts from (null: the latest), so histories branch. */
const arbOp = (pool: number, branch: boolean): fc.Arbitrary<Op> => {
  const from = branch ? fc.option(fc.nat(), { nil: null, freq: 2 }) : fc.constant(null);
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("set" as const),
        key: arbKey(pool),
        value: fc.integer({ min: 0, max: 5 }),
        from,
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), key: arbKey(pool), from }) },
  );
};

function expectSame(
  map: PersistentMap<number>,
  model: ReadonlyMap<string, number>,
  probes: readonly string[],
) {
  expect(map.size).toBe(model.size);
  expect([...map]).toEqual([...model]);
  expect([...map.entries()]).toEqual([...model.entries()]);
  expect([...map.keys()]).toEqual([...model.keys()]);
  expect([...map.values()]).toEqual([...model.values()]);
  const seen: [string, number][] = [];
  map.forEach((value, key, whole) => {
    expect(whole).toBe(map);
    seen.push([key, value]);
  });
  expect(seen).toEqual([...model]);
  expect(probes.map((key) => [map.get(key), map.has(key)])).toEqual(
    probes.map((key) => [model.get(key), model.has(key)]),
  );
}

/**
 * Run `ops`, checking every version after each step (`everyStep`), else every `stride`th version
 * and the last once all ops ran.
 */
function check(ops: readonly Op[], everyStep: boolean, stride = 1): void {
  const versions: { map: PersistentMap<number>; model: Map<string, number> }[] = [
    { map: PersistentMap.empty(), model: new Map() },
  ];
  const probes = [...new Set([...ops.map((op) => op.key), "absent", ...COLLIDING])];
  for (const op of ops) {
    const base = versions[op.from === null ? versions.length - 1 : op.from % versions.length]!;
    const model = new Map(base.model);
    let map: PersistentMap<number>;
    if (op.kind === "set") {
      model.set(op.key, op.value);
      map = base.map.set(op.key, op.value);
    } else {
      model.delete(op.key);
      map = base.map.delete(op.key);
    }
    versions.push({ map, model });
    if (everyStep) for (const v of versions) expectSame(v.map, v.model, probes);
  }
  versions.forEach((v, i) => {
    if (i % stride === 0 || i === versions.length - 1) expectSame(v.map, v.model, probes);
  });
}

describe("PersistentMap against a Map (fast-check)", () => {
  it("answers as a copied Map after every step, and no earlier version changes (branching histories)", () => {
    fc.assert(
      fc.property(fc.array(arbOp(12, true), { maxLength: 60 }), (ops) => check(ops, true)),
      { numRuns: 200 },
    );
  });

  it("answers as a Map over long histories (deep tries, many holes laid out afresh)", () => {
    fc.assert(
      fc.property(fc.array(arbOp(300, false), { minLength: 200, maxLength: 1500 }), (ops) =>
        check(ops, false, 25),
      ),
      { numRuns: 30 },
    );
  });
});

describe("PersistentMap", () => {
  it("keeps insertion order across thousands of keys, a re-set key in place and a re-added one last", () => {
    const n = 5000;
    let map = PersistentMap.empty<number>();
    for (let i = 0; i < n; i++) map = map.set(`p${i}`, i);
    const full = map;
    map = map.set("p10", -1);
    // Two keys in three go: more than half the slots are holes, so the map is laid out afresh.
    const before = map;
    for (let i = 0; i < n; i++) if (i % 3 !== 1) map = map.delete(`p${i}`);
    map = map.set("p0", 7);
    const model = new Map<string, number>();
    for (let i = 0; i < n; i++) if (i % 3 === 1) model.set(`p${i}`, i === 10 ? -1 : i);
    model.set("p0", 7);
    expect([...map]).toEqual([...model]);
    expect(map.size).toBe(model.size);
    expect(full.size).toBe(n);
    expect(before.size).toBe(n);
    expect(before.get("p10")).toBe(-1);
    expect(full.get("p10")).toBe(10);
    expect([...full.keys()].slice(0, 3)).toEqual(["p0", "p1", "p2"]);
  });

  it("shares what did not change: a set of an equal value, or a delete of an absent key, returns the same map", () => {
    const map = PersistentMap.from([
      ["a", 1],
      ["b", 2],
    ]);
    expect(map.set("a", 1)).toBe(map);
    expect(map.delete("z")).toBe(map);
    expect(map.delete("a").delete("b")).toBe(PersistentMap.empty());
    // As a Map: -0 replacing 0 is a new value (Object.is), not the same one.
    expect(Object.is(map.set("a", 0).set("a", -0).get("a"), -0)).toBe(true);
  });

  it("reads as a ReadonlyMap: spreads into a Map and compares by content in order", () => {
    const map = PersistentMap.empty<number>().set("x", 1).set("y", 2);
    expect(new Map(map)).toEqual(
      new Map([
        ["x", 1],
        ["y", 2],
      ]),
    );
    // Same entries reached by different histories compare equal (the tries' shapes are private).
    expect(map).toEqual(PersistentMap.empty<number>().set("z", 0).set("x", 1).set("y", 2).delete("z"));
    expect(map).not.toEqual(PersistentMap.empty<number>().set("y", 2).set("x", 1));
  });
});
