import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newYorkParts } from "../../src/events/index.js";
import { POSTMORTEM_VIEWS } from "../../src/events/store/views.js";

/** The New York expression the views use, lifted out of v_health's definition. */
const sql = POSTMORTEM_VIEWS.find((v) => v.name === "v_health")!.sql;
const expr = /(strftime\('%Y-%m-%d %H:%M:%f'.*?END\)) AS time_ny/s.exec(sql)![1]!;
const db = new Database(":memory:");
const stmt = db.prepare(`SELECT ${expr} AS ny FROM (SELECT ? AS ts) e`);
const nyOf = (ms: number) => (stmt.get(ms) as { ny: string }).ny;
const two = (n: number) => String(n).padStart(2, "0");
const expected = (ms: number) => {
  const p = newYorkParts(ms);
  return `${p.date} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
};

describe("New York time in the views", () => {
  it("every view with a UTC time has its New York column", () => {
    for (const v of POSTMORTEM_VIEWS) {
      if (v.name === "v_trades") continue;
      if (/AS (\w*)utc/.test(v.sql)) expect(v.sql, v.name).toMatch(/AS \w*_ny\b/);
    }
  });

  it("switches at 2:00 local on the DST boundaries", () => {
    expect(nyOf(Date.parse("2026-03-08T06:59:00Z"))).toBe("2026-03-08 01:59:00.000");
    expect(nyOf(Date.parse("2026-03-08T07:00:00Z"))).toBe("2026-03-08 03:00:00.000");
    expect(nyOf(Date.parse("2026-11-01T05:59:00Z"))).toBe("2026-11-01 01:59:00.000");
    expect(nyOf(Date.parse("2026-11-01T06:00:00Z"))).toBe("2026-11-01 01:00:00.000");
  });

  it("agrees with the journal's New York clock at any instant (2007–2040 rules)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("2008-01-01"), max: Date.parse("2040-01-01") }), (ms) => {
        const at = Math.floor(ms / 1000) * 1000;
        expect(nyOf(at).slice(0, 19)).toBe(expected(at));
      }),
      { numRuns: 2000 },
    );
  });
});
