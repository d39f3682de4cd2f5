/**
 * Nothing lost or hidden, with the built CLI on real files tampered with outside it (better-sqlite3,
 * as the sqlite3 shell would): every writer verifies the journal before it writes and refuses a
 * broken one naming the first bad seq; `verify` holds the triggers and views to the schema and says
 * how to restore them; a journal cut short below its verified point is reported as truncated, and
 * that point is never lowered.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EVENTS_NO_DELETE, EVENTS_NO_UPDATE } from "../../src/events/store/journal-sql.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const NEXT_DAY = join(ROOT, "data", "sample", "2026-02-05.jsonl");
const dir = mkdtempSync(join(tmpdir(), "journal-guards-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { JOURNAL_PATH: _ignored, ...env } = process.env;
function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: dir,
    env,
    maxBuffer: 64 << 20,
  });
}
let copies = 0;
/** A copy of the sample journal holding 2026-02-04 only (the next day is what the writers add). */
function dayOne(): string {
  const path = join(dir, `j-${copies++}.db`);
  const r = cli(["import", join(ROOT, "data", "sample", "2026-02-04.jsonl"), "--journal", path]);
  expect(r.status, r.stderr).toBe(0);
  return path;
}
function withDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const count = (path: string) =>
  withDb(path, (db) => (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n);
const verifiedPoint = (path: string) =>
  withDb(
    path,
    (db) =>
      (
        db.prepare("SELECT value FROM journal_meta WHERE key = 'verified'").get() as
          | { value: string }
          | undefined
      )?.value.split(" ")[0],
  );
const everyRow = (path: string) =>
  withDb(path, (db) => db.prepare("SELECT * FROM events ORDER BY seq").all());

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
});

describe("every writer checks the journal before it writes", () => {
  /** Verify (recording a point past the row), then change row 123's payload and put the trigger back. */
  function changedRow(): string {
    const path = dayOne();
    expect(cli(["verify", "--journal", path]).status).toBe(0);
    withDb(path, (db) => {
      db.exec("DROP TRIGGER events_no_update");
      // An OrderIntended: one more contract than the bot asked for.
      db.prepare(
        "UPDATE events SET payload = json_set(payload, '$.intent.quantity', 2) WHERE seq = 123",
      ).run();
      db.exec(EVENTS_NO_UPDATE);
    });
    return path;
  }

  it("import refuses a journal with a changed row, even one before its verified point, naming seq 123", () => {
    const path = changedRow();
    const before = count(path);
    const r = cli(["import", NEXT_DAY, "--journal", path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/JournalBroken: \S+ is broken at seq 123: hash chain broken/);
    expect(r.stderr).toMatch(/journal import refuses to write to it\. See it with `journal verify/);
    expect(count(path)).toBe(before);
  });

  it("rebuild refuses it too, and leaves the projection tables as they were", () => {
    const path = changedRow();
    const tables = () =>
      withDb(path, (db) => db.prepare("SELECT * FROM proj_orders ORDER BY order_key").all());
    const before = tables();
    const r = cli(["rebuild", "--journal", path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is broken at seq 123: .*journal rebuild refuses to write to it/);
    expect(tables()).toEqual(before);
  });
});

describe("a replay's output journal is checked as every writer's", () => {
  it("replay refuses to append its run to an output journal without its triggers", () => {
    const source = dayOne();
    const out = join(dir, "runs.db");
    const replay = () =>
      cli(["replay", "--session", "2026-02-04", "--journal", source, "--out", out, "--json"]);
    expect(replay().status).toBe(0);
    withDb(out, (db) => db.exec("DROP TRIGGER events_no_delete"));
    const before = count(out);
    const r = replay();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /JournalUnguarded: .*trigger events_no_delete is missing.*journal replay refuses/,
    );
    expect(count(out)).toBe(before);
  }, 60_000);
});

describe("verify checks the guards", () => {
  it("a journal without its triggers: verify fails naming them, writers refuse it, --repair-guards restores them and changes no event", () => {
    const path = dayOne();
    withDb(path, (db) => {
      db.exec("DROP TRIGGER events_no_update");
      db.exec("DROP TRIGGER events_no_delete");
    });
    const rows = everyRow(path);
    const v = cli(["verify", "--journal", path]);
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/trigger events_no_update is missing; trigger events_no_delete is missing/);
    expect(v.stderr).toMatch(/journal verify --repair-guards --journal \S+/);
    for (const args of [["import", NEXT_DAY], ["rebuild"]]) {
      const r = cli([...args, "--journal", path]);
      expect(r.status, args[0]).toBe(1);
      expect(r.stderr, args[0]).toMatch(
        /JournalUnguarded: .*trigger events_no_update is missing.*refuses to write to it.*journal verify --repair-guards/,
      );
    }
    const repaired = cli(["verify", "--repair-guards", "--journal", path]);
    expect(repaired.status, repaired.stderr).toBe(0);
    expect(repaired.stderr).toMatch(/repaired: trigger events_no_update \(missing\)/);
    expect(repaired.stdout).toMatch(/guards: 2 triggers and \d+ views as the schema defines them/);
    expect(everyRow(path)).toEqual(rows);
    withDb(path, (db) => {
      expect(() => db.prepare("UPDATE events SET ts = ts + 1 WHERE seq = 5").run()).toThrow(/immutable/);
    });
    expect(cli(["import", NEXT_DAY, "--journal", path]).status).toBe(0);
  });

  it("names a view rewritten to hide rows and a trigger that drops events, and repairs both", () => {
    const path = dayOne();
    withDb(path, (db) => {
      db.exec("DROP VIEW v_fills");
      db.exec("CREATE VIEW v_fills AS SELECT * FROM events WHERE 0");
      db.exec("CREATE TRIGGER quiet BEFORE INSERT ON events BEGIN SELECT RAISE(IGNORE); END");
    });
    const v = cli(["verify", "--journal", path]);
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(
      /view v_fills is not as the schema defines it; trigger quiet is not part of the schema/,
    );
    expect(cli(["verify", "--repair-guards", "--journal", path]).status).toBe(0);
    const fills = cli(["sql", "SELECT count(*) AS n FROM v_fills", "--format", "json", "--journal", path]);
    // Every fill of the day is back (the sample's own count: it is re-recorded now and then).
    const dayOneFills = readFileSync(join(ROOT, "data", "sample", "2026-02-04.jsonl"), "utf8")
      .split("\n")
      .filter((line) => line.includes('"type":"OrderFilled"')).length;
    expect(dayOneFills).toBeGreaterThan(0);
    expect(JSON.parse(fills.stdout)).toEqual([{ n: dayOneFills }]);
    const nextDayLines = readFileSync(NEXT_DAY, "utf8").trim().split("\n").length;
    expect(cli(["import", NEXT_DAY, "--journal", path]).stdout).toContain(`${nextDayLines} added`);
  });
});

describe("verify knows how long the journal was", () => {
  it("reports a journal whose last 20 events (and -seq mark) were deleted as truncated, naming both seqs, and keeps its verified point", () => {
    const path = dayOne();
    const n = count(path);
    // The import verified what it added and recorded the point (a replay then checks only chains).
    expect(verifiedPoint(path)).toBe(String(n));
    const first = cli(["verify", "--journal", path]);
    expect(first.stdout).toMatch(
      new RegExp(
        `checked against: seq mark ${n} \\(\\S+-seq\\); verified point seq ${n} \\(an earlier check's\\)`,
      ),
    );
    expect(verifiedPoint(path)).toBe(String(n));
    withDb(path, (db) => {
      db.exec("DROP TRIGGER events_no_delete");
      db.prepare("DELETE FROM events WHERE seq > ?").run(n - 20);
      db.exec(EVENTS_NO_DELETE);
    });
    rmSync(`${path}-seq`);
    for (const scope of [[], [], ["--new"]]) {
      const r = cli(["verify", ...scope, "--journal", path]);
      expect(r.status, scope.join(" ")).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `truncated: the journal ends at seq ${n - 20}, but seq ${n} was verified earlier — 20 event\\(s\\) were removed`,
        ),
      );
      expect(r.stderr).toMatch(new RegExp(`verified point seq ${n} \\(an earlier check's\\)`));
      expect(verifiedPoint(path)).toBe(String(n));
    }
    const r = cli(["import", NEXT_DAY, "--journal", path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is broken at seq \d+: truncated/);
  });

  it("says when there is no seq mark to check against", () => {
    const path = join(dir, "nomark.db");
    copyFileSync(inject("sampleJournal"), path);
    const r = cli(["verify", "--journal", path]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /checked against: no seq mark \(\S+-seq is missing, so a lost -wal would go unseen\)/,
    );
    expect(readFileSync(`${path}-seq`, "utf8").trim()).toBe(String(count(path)));
  });
});
