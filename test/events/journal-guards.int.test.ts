/**
 * The guards on a real SQLite file: the events' and wire_frames' triggers and the views, held to
 * the schema's definitions; a repair that changes no row; views of another version of the program
 * told apart from views changed by hand.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  appendWireFrames,
  checkBeforeWriting,
  checkGuards,
  type Journal,
  openJournal,
  repairGuards,
} from "../../src/events/index.js";

const dir = mkdtempSync(join(tmpdir(), "journal-guards-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A journal with a few captured frames (so wire_frames and its guards exist), closed. */
function withFrames(): string {
  const path = join(dir, `g${n++}.db`);
  const j = openJournal(path);
  appendWireFrames(j.sql, "2026-02-04", [
    { conn: 0, dir: "out", ts: 1770215719000, bytes: Buffer.from("API\0") },
    { conn: 0, dir: "in", ts: 1770215719001, bytes: Buffer.from("\0\0\0\u00031\0") },
  ]);
  j.close();
  return path;
}
function raw(path: string, sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}
function open<T>(path: string, fn: (j: Journal) => T, readonly = false): T {
  const j = openJournal(path, { readonly });
  try {
    return fn(j);
  } finally {
    j.close();
  }
}

describe("the journal's guards", () => {
  it("a fresh journal holds every guard, wire_frames' too once it has frames", () => {
    const report = open(withFrames(), (j) => checkGuards(j.sql));
    expect(report.problems).toEqual([]);
    expect(report.triggers).toBe(4);
    expect(report.views).toBeGreaterThan(8);
  });

  it("names a dropped wire_frames trigger and v_wire rewritten, refuses writers, and repairs both without touching a frame", () => {
    const path = withFrames();
    raw(
      path,
      "DROP TRIGGER wire_frames_no_delete; DROP VIEW v_wire; CREATE VIEW v_wire AS SELECT * FROM wire_frames WHERE 0",
    );
    const frames = () => open(path, (j) => j.sql.all("SELECT * FROM wire_frames ORDER BY seq"));
    const before = frames();
    open(path, (j) => {
      expect(checkGuards(j.sql).problems).toEqual([
        { kind: "trigger", name: "wire_frames_no_delete", problem: "missing" },
        expect.objectContaining({ kind: "view", name: "v_wire", problem: "changed" }),
      ]);
      expect(() => checkBeforeWriting(j, "journal import", "all")).toThrow(
        /JournalUnguarded: .*trigger wire_frames_no_delete is missing; view v_wire is not as the schema defines it/,
      );
      expect(repairGuards(j.sql).map((p) => p.name)).toEqual(["wire_frames_no_delete", "v_wire"]);
      expect(checkGuards(j.sql).problems).toEqual([]);
      expect(j.sql.all("SELECT count(*) AS n FROM v_wire")).toEqual([{ n: 2 }]);
    });
    expect(frames()).toEqual(before);
    expect(() => raw(path, "DELETE FROM wire_frames")).toThrow(/append-only/);
  });

  it("does not hold a read-only journal's views to this version when another version made them", () => {
    const path = withFrames();
    // As if another version of the program had written them (its signature is not ours).
    raw(
      path,
      "UPDATE journal_meta SET value = 'older' WHERE key = 'views'; DROP VIEW v_fills; CREATE VIEW v_fills AS SELECT 1 AS x",
    );
    const ro = open(path, (j) => checkGuards(j.sql), true);
    expect(ro.problems).toEqual([]);
    expect(ro.viewsFromAnotherVersion).toBe(true);
    // A writable open refreshes them; then they are ours and held to our definitions.
    const rw = open(path, (j) => checkGuards(j.sql));
    expect(rw).toMatchObject({ problems: [], viewsFromAnotherVersion: false });
  });
});
