import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, sameJson } from "../../src/events/index.js";

/** JSON-ish values with what canonical JSON normalises: undefined fields, -0, NaN, key order. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constantFrom(null, undefined, 0, -0, Number.NaN, 1, "1", "", true, false),
    fc.double(),
    fc.string({ maxLength: 3 }),
  ),
  arr: fc.array(tie("node"), { maxLength: 3 }),
  obj: fc.dictionary(fc.constantFrom("a", "b", "c", "d"), tie("node"), { maxKeys: 4 }),
  node: fc.oneof({ depthSize: "small" }, tie("leaf"), tie("arr"), tie("obj")),
})).node;

describe("sameJson", () => {
  it("property: agrees with comparing the canonical JSON texts", () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameJson(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
      }),
      { numRuns: 2000 },
    );
  });

  it("property: a value equals itself rebuilt with its keys in another order", () => {
    fc.assert(
      fc.property(value, (v) => {
        const a = { v };
        const reordered = JSON.parse(canonicalJson(a)) as unknown;
        expect(sameJson(a, reordered)).toBe(true);
        expect(sameJson(reordered, a)).toBe(true);
      }),
    );
  });

  it("tells apart what canonical JSON tells apart", () => {
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: null }, {})).toBe(false);
    expect(sameJson([undefined], [null])).toBe(true);
    expect(sameJson(1, "1")).toBe(false);
    expect(sameJson({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
  });
});
