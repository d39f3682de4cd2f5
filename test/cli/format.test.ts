/**
 * The CLI's own boxed table draws exactly what cli-table3 (which it replaced, for start-up time)
 * draws, for any cells of single-width characters, including cells of several lines.
 */
import Table from "cli-table3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderColumns, renderTable } from "../../src/cli/format.js";

const text = fc.string({
  unit: fc.constantFrom(..."abcXYZ 019.,:-_/()=≠—é\n".split("")),
  maxLength: 12,
});

function reference(head: string[], rows: string[][]): string {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) table.push(row);
  return table.toString();
}

describe("renderTable", () => {
  it("is cli-table3's default table, character for character", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((columns) =>
          fc.tuple(
            fc.array(
              text.filter((t) => !t.includes("\n")),
              { minLength: columns, maxLength: columns },
            ),
            fc.array(fc.array(text, { minLength: columns, maxLength: columns }), { maxLength: 5 }),
          ),
        ),
        ([head, rows]) => {
          expect(renderTable(head, rows)).toBe(reference(head, rows));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("prints null and undefined as empty cells", () => {
    expect(renderTable(["a", "b"], [[null, undefined]])).toBe(reference(["a", "b"], [["", ""]]));
  });
});

describe("renderColumns", () => {
  it("aligns columns two spaces apart under a rule, and cuts the last column to fit", () => {
    const rows = [
      ["a", 1, "short"],
      ["bb", 22, "a note far longer than the width allows"],
    ];
    expect(renderColumns(["name", "n", "note"], rows, { maxWidth: 24 }).split("\n")).toEqual([
      "name  n   note",
      "────  ──  ──────────────",
      "a     1   short",
      "bb    22  a note far lo…",
    ]);
  });

  it("fits any rows into maxWidth by narrowing the widest columns, when the headers fit", () => {
    const cell = fc.oneof(fc.string({ maxLength: 120 }), fc.integer());
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell, cell, cell), { maxLength: 6 }), (rows) => {
        const out = renderColumns(["cycle", "symbol", "live", "replay"], rows, { maxWidth: 80 });
        for (const line of out.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
      }),
    );
  });

  it("right-aligns numbers and rules off a totals row", () => {
    const out = renderColumns(
      ["name", "n"],
      [
        ["a", 1],
        ["bb", 22],
        ["total", 23],
      ],
      { rightFrom: 1, ruleBeforeLast: true },
    );
    expect(out.split("\n")).toEqual([
      "name    n",
      "─────  ──",
      "a       1",
      "bb     22",
      "─────  ──",
      "total  23",
    ]);
  });
});
