/**
 * Reads page through the journal in seq order; a plan that sorts ("USE TEMP B-TREE") would sort
 * the rest of the table for every page — quadratic on a large journal. Every filter shape must
 * come out of an index or the primary key in order.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type EventFilter, openJournal } from "../../src/events/index.js";
import { compileStatements } from "../../src/events/store/journal-schema.js";

const dir = mkdtempSync(join(tmpdir(), "plans-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("read query plans", () => {
  it("never sort, whatever the filter", () => {
    const path = join(dir, "j.db");
    openJournal(path).close();
    const db = new Database(path, { readonly: true });
    const statements = compileStatements();
    const arbFilter: fc.Arbitrary<EventFilter> = fc.record(
      {
        stream: fc.constant("live"),
        session: fc.constant("2026-02-04"),
        sessions: fc.constantFrom(["2026-02-04"], ["2026-02-04", "2026-02-05"]),
        types: fc.constantFrom(["QuoteSnapshot"] as const, ["QuoteSnapshot", "OrderFilled"] as const),
        fromTs: fc.constant(1),
        toTs: fc.constant(2),
        toSeq: fc.constant(10),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arbFilter, (filter) => {
        const statement = statements.filtered(filter);
        const plan = (
          db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...statement.params(filter, 0, 10)) as {
            detail: string;
          }[]
        )
          .map((r) => r.detail)
          .join(" | ");
        expect(plan, JSON.stringify(filter)).not.toMatch(/TEMP B-TREE/);
      }),
      { numRuns: 200 },
    );
    db.close();
  });
});
