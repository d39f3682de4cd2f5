/**
 * `journal sql`'s values as text (src/cli/sql-output.ts): CSV that an RFC 4180 parser reads back to
 * the same values, NULL apart from the empty string, and integers beyond 2^53 exact in JSON.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvField, csvRecord, jsonObjects, jsonValue } from "../../src/cli/sql-output.js";
import { parseCsv } from "../support/csv.js";

describe("csv", () => {
  it("quotes what RFC 4180 says must be quoted, doubling quotes", () => {
    expect(csvField('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvField("a\r\nb")).toBe('"a\r\nb"');
    expect(csvField("plain text")).toBe("plain text");
    expect(csvField(null)).toBe("");
    expect(csvField("")).toBe('""');
    expect(csvField(9007199254740993n)).toBe("9007199254740993");
    expect(csvRecord([1n, "x,y", null])).toBe('1,"x,y",');
  });

  it("property: any rows of any strings and nulls read back the same, one record per row", () => {
    const cell = fc.option(fc.string({ unit: "binary", maxLength: 12 }), { nil: null, freq: 4 });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((width) =>
            fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 }),
          ),
        (rows) => {
          const text = rows.map((r) => `${csvRecord(r)}\n`).join("");
          expect(parseCsv(text)).toEqual(rows);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("escapes control characters for a terminal, and only then", () => {
    expect(csvField("\x1b]0;t\x07", true)).toBe("\\x1b]0;t\\x07");
    expect(csvField("\x1b]0;t\x07")).toBe("\x1b]0;t\x07");
  });
});

describe("json", () => {
  it("writes integers beyond 2^53 as exact numbers, the rest as JSON.stringify does", () => {
    const row = jsonObjects(["n", "big", "neg", "f", "s", "none"]);
    expect(row([1n, 9007199254740993n, -9223372036854775808n, 1.5, 'a"b', null])).toBe(
      '{"n":1,"big":9007199254740993,"neg":-9223372036854775808,"f":1.5,"s":"a\\"b","none":null}',
    );
    expect(JSON.parse(row([1n, 2n, 3n, 0.25, "x", null]))).toEqual({
      n: 1,
      big: 2,
      neg: 3,
      f: 0.25,
      s: "x",
      none: null,
    });
  });

  it("escapes the controls JSON.stringify leaves raw, without changing the value", () => {
    const text = jsonValue("a\u009b31m\u007f\u202e");
    expect(text).toBe('"a\\u009b31m\\u007f\\u202e"');
    expect(JSON.parse(text)).toBe("a\u009b31m\u007f\u202e");
  });

  it("keeps the last value of a repeated column name, as an object would", () => {
    expect(jsonObjects(["a", "b", "a"])([1n, 2n, 3n])).toBe('{"a":3,"b":2}');
  });
});
