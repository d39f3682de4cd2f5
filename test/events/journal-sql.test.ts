/**
 * The journal runs its SQL as text (journal-sql.ts) so that reads do not load kysely; kysely stays
 * the source of truth (journal-schema.ts). Both must produce the same statements, byte for byte.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EventFilter } from "../../src/events/index.js";
import { compileStatements, MIGRATIONS } from "../../src/events/store/journal-schema.js";
import { filteredStatement, MIGRATION_SQL, STATEMENTS } from "../../src/events/store/journal-sql.js";

describe("precompiled journal SQL", () => {
  it("every migration is the text kysely compiles", () => {
    expect(MIGRATION_SQL).toEqual(MIGRATIONS);
  });

  it("every fixed statement is the text kysely compiles", () => {
    const { filtered: _filtered, ...kysely } = compileStatements();
    expect(STATEMENTS).toEqual(kysely);
  });

  it("a filtered read of any shape is the text (and parameters) kysely compiles", () => {
    const kysely = compileStatements();
    const arbFilter: fc.Arbitrary<EventFilter> = fc.record(
      {
        stream: fc.constantFrom("live", "replay-x"),
        session: fc.constant("2026-02-04"),
        sessions: fc.array(fc.constantFrom("2026-02-04", "2026-02-05"), { maxLength: 3 }),
        types: fc.array(fc.constantFrom("QuoteSnapshot", "OrderFilled", "BarsReceived"), { maxLength: 3 }),
        fromSeq: fc.nat(),
        fromTs: fc.nat(),
        toTs: fc.nat(),
        toSeq: fc.nat(),
      },
      { requiredKeys: [] },
    ) as fc.Arbitrary<EventFilter>;
    fc.assert(
      fc.property(arbFilter, fc.nat(), (filter, after) => {
        const ours = filteredStatement(filter);
        const theirs = kysely.filtered(filter);
        expect(ours.sql).toBe(theirs.sql);
        expect(ours.params(filter, after, 100)).toEqual(theirs.params(filter, after, 100));
      }),
      { numRuns: 300 },
    );
  });
});
