/**
 * Rows prepared ahead (`prepareRows`, in a replay's worker thread) and appended with
 * `appendPrepared` land byte for byte as `append` would have stored the same events: same columns,
 * same hashes; the same checks refuse the same bad input, before anything is written.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type NewEvent, openJournal, prepareRows, SeededIdGen } from "../../src/events/index.js";
import { arbNewEvent } from "../support/events.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "prepared-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const SESSION = "2026-02-04";
let n = 0;
const path = () => join(dir, `j${n++}.db`);
const rowsOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare("SELECT * FROM events ORDER BY seq").all();
  db.close();
  return rows;
};
/** A small valid event with its id: cycle `n` at ts `n`. */
const cycleStarted = (id: string, n: number) => ({
  id,
  type: "CycleStarted" as const,
  version: 1 as const,
  ts: n,
  payload: { cycle: n, symbols: ["SPY"], gatewayTimeMs: n },
});
/** Events with ids, as a replay's run log makes them. */
const withIds = (events: readonly NewEvent[], seed: number) => {
  const ids = new SeededIdGen(seed);
  return events.map((e) => ({ ...e, id: ids.next(e.ts) }));
};

describe("appendPrepared", () => {
  it("stores every column and hash as append does, batch after batch, and a retry adds nothing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(arbNewEvent, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
        (batches) => {
          const [a, b] = [path(), path()];
          const appended = openJournal(a);
          const prepared = openJournal(b);
          try {
            batches.forEach((batch, i) => {
              const events = withIds(batch, i + 1);
              appended.append("live", SESSION, events);
              expect(prepared.appendPrepared("live", SESSION, prepareRows("live", SESSION, events))).toBe(
                events.length,
              );
            });
            // The same rows again: every id is already there, nothing new.
            const first = withIds(batches[0]!, 1);
            expect(prepared.appendPrepared("live", SESSION, prepareRows("live", SESSION, first))).toBe(0);
            expect(prepared.verify()).toMatchObject({ ok: true });
          } finally {
            appended.close();
            prepared.close();
          }
          expect(rowsOf(b)).toEqual(rowsOf(a));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("refuses a retried id with another body, and writes nothing of the batch", () => {
    const journal = openJournal(path());
    const event = cycleStarted("01J000000000000000000000AA", 1);
    journal.appendPrepared("live", SESSION, prepareRows("live", SESSION, [event]));
    const other = { ...event, payload: { ...event.payload, cycle: 2 } };
    const next = { ...event, id: "01J000000000000000000000AB" };
    expect(() =>
      journal.appendPrepared("live", SESSION, prepareRows("live", SESSION, [next, other])),
    ).toThrow(/DuplicateIdMismatch/);
    expect(journal.lastSeq()).toBe(1);
    journal.close();
  });

  it("refuses an invalid payload when the rows are made, naming the item and field", () => {
    const bad = {
      id: "01J000000000000000000000AC",
      type: "QuoteSnapshot",
      version: 1,
      ts: 1,
      payload: { contract: { secType: "STK", symbol: "SPY" }, bidUsd: "1.2" },
    } as unknown as NewEvent & { id: string };
    expect(() => prepareRows("live", SESSION, [bad])).toThrow(
      /QuoteSnapshot on append \(live\/2026-02-04, item 0\): field "payload\.bidUsd"/,
    );
    expect(() => prepareRows("live; DROP", SESSION, [])).toThrow(/not a safe stream name/);
  });

  it("refuses rows that claim an unknown type or version, or whose columns disagree, writing nothing", () => {
    const journal = openJournal(path());
    const good = prepareRows("live", SESSION, [cycleStarted("01J000000000000000000000AD", 1)]);
    expect(() => journal.appendPrepared("live", SESSION, { ...good, types: ["NoSuchEvent"] })).toThrow(
      /NoSuchEvent.*not a current event type/,
    );
    expect(() => journal.appendPrepared("live", SESSION, { ...good, versions: [9] })).toThrow(
      /v9 is not a current event type/,
    );
    expect(() => journal.appendPrepared("live", SESSION, { ...good, ends: [good.text.length - 1] })).toThrow(
      /columns disagree/,
    );
    // Two rows whose text boundaries run backwards: the second would be stored empty.
    const two = prepareRows("live", SESSION, [
      cycleStarted("01J000000000000000000000AE", 1),
      cycleStarted("01J000000000000000000000AF", 2),
    ]);
    expect(() =>
      journal.appendPrepared("live", SESSION, { ...two, ends: [two.text.length, two.text.length] }),
    ).toThrow(/text ends at \d+, before it starts/);
    expect(journal.lastSeq()).toBe(0);
    journal.close();
  });
});
