/**
 * The built CLI as a user runs it: the README's first command on a fresh copy of the repo, the
 * documented post-mortem queries on the sample (the same rows with and without the views'
 * indexes, which the slow ones use), and `journal sql` refusing writes.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openJournal } from "../../src/events/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "postmortem-"));
const journal = join(dir, "journal.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
  copyFileSync(inject("sampleJournal"), journal);
  const r = cli(["replay", "--journal", journal, "--session", "2026-02-04", "--in-place", "--json"]);
  expect(r.status, r.stderr).toBe(0);
  // The tables v_trades and query 4 read, folded from the events as `journal rebuild` does.
  const b = cli(["rebuild", "--journal", journal]);
  expect(b.status, b.stderr).toBe(0);
}, 120_000);

const queries = [
  ...readFileSync(join(ROOT, "docs", "sql.md"), "utf8").matchAll(
    /### (\d+\. [^\n]+)\n\n```sql\n([\s\S]*?)```/g,
  ),
].map((m) => ({ title: m[1]!, sql: m[2]! }));

describe("the documented post-mortem queries", () => {
  it("are thirteen", () => expect(queries).toHaveLength(13));
  // Through the journal's read-only SQL door, which `journal sql` runs them through (one process
  // for all of them: a spawn each cost more than the queries).
  for (const { title, sql } of queries) {
    it(`${title} returns rows on the sample`, () => {
      const opened = openJournal(journal, { readonly: true });
      try {
        expect(opened.sql.all(sql).length).toBeGreaterThan(0);
      } finally {
        opened.close();
      }
    });
  }

  it("give the same rows through the built CLI", () => {
    const opened = openJournal(journal, { readonly: true });
    try {
      for (const { title, sql } of [queries[0]!, queries[4]!]) {
        const r = cli(["sql", sql, "--journal", journal, "--format", "json"]);
        expect(r.status, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout), title).toEqual(opened.sql.all(sql));
      }
    } finally {
      opened.close();
    }
  });

  it("return the same rows without the views' indexes", () => {
    const bare = join(dir, "no-indexes.db");
    copyFileSync(journal, bare);
    const db = new Database(bare);
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name GLOB 'events_pm_*'")
      .all() as { name: string }[];
    expect(indexes.length).toBeGreaterThanOrEqual(3);
    for (const { name } of indexes) db.exec(`DROP INDEX "${name}"`);
    db.close();
    const indexed = new Database(journal, { readonly: true });
    const plain = new Database(bare, { readonly: true });
    try {
      for (const { title, sql } of queries)
        expect(indexed.prepare(sql).all(), title).toEqual(plain.prepare(sql).all());
    } finally {
      indexed.close();
      plain.close();
    }
  });
});

describe("v_cycles", () => {
  it("pairs each cycle with the completion of the same number, as a join on cycle numbers does", () => {
    const db = new Database(journal, { readonly: true });
    try {
      // The reference: every CycleStarted joined with any CycleCompleted of the same stream, session
      // and cycle number (slow: it compares every start with every completion).
      const reference = db
        .prepare(
          `SELECT s.seq AS start_seq, c.ts AS end_ts, json_extract(c.payload, '$.status') AS status
           FROM events s LEFT JOIN events c ON c.type = 'CycleCompleted' AND c.stream = s.stream
             AND c.session = s.session AND json_extract(c.payload, '$.cycle') = json_extract(s.payload, '$.cycle')
           WHERE s.type = 'CycleStarted' ORDER BY s.seq`,
        )
        .all();
      const view = db.prepare("SELECT start_seq, end_ts, status FROM v_cycles ORDER BY start_seq").all();
      expect(view.length).toBeGreaterThan(100);
      expect(view).toEqual(reference);
      // Found through the (type, seq) index, one step per cycle, never a scan of every completion.
      const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT * FROM v_cycles").all() as { detail: string }[])
        .map((p) => p.detail)
        .join("\n");
      expect(plan).toMatch(/USING INDEX events_type_seq \(type=\? AND seq>\?\)/);
    } finally {
      db.close();
    }
  });
});

describe("journal sql", () => {
  const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

  it("refuses a write with a clear message and leaves the file byte for byte as it was", () => {
    const before = sha(journal);
    for (const statement of [
      "DELETE FROM events",
      "INSERT INTO journal_meta VALUES ('x', 'y')",
      "DROP VIEW v_bars",
      "UPDATE events SET ts = 0",
    ]) {
      const r = cli(["sql", statement, "--journal", journal]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/journal sql is read-only/);
    }
    expect(sha(journal)).toBe(before);
  });

  it("refuses every statement that would write as read-only, in one line, whatever it looks like", () => {
    const before = sha(journal);
    for (const statement of [
      // These returned rows or failed as "disk I/O error" before SQLite itself was asked.
      "PRAGMA journal_mode(DELETE)",
      "/* tidy up */ PRAGMA journal_mode=DELETE",
      "PRAGMA main.journal_mode = 'wal'",
      "PRAGMA wal_checkpoint(TRUNCATE)",
      "PRAGMA user_version(7)",
      "PRAGMA optimize",
      "INSERT INTO journal_meta VALUES ('x', 'y') RETURNING *",
      "CREATE TEMP TABLE scratch (x)",
      "ATTACH 'other.db' AS other",
      "VACUUM",
      "ANALYZE",
      "REINDEX",
    ]) {
      const r = cli(["sql", statement, "--journal", journal]);
      expect(r.status, statement).toBe(2);
      expect(r.stderr, statement).toMatch(/^journal sql is read-only: [^\n]+\n$/);
      expect(r.stderr, statement).not.toMatch(/disk I\/O error/);
      expect(r.stdout, statement).toBe("");
    }
    expect(sha(journal)).toBe(before);
    // Reading the journal mode only reads.
    const mode = cli(["sql", "PRAGMA journal_mode", "--journal", journal, "--format", "csv"]);
    expect(mode.stdout).toBe("journal_mode\nwal\n");
  });

  it("prints an aligned table, CSV and JSON", () => {
    const table = cli([
      "sql",
      "SELECT code, meaning FROM notice_codes WHERE code = 162",
      "--journal",
      journal,
    ]);
    expect(table.stdout).toMatch(/│ 162 +│ historical data pacing violation │/);
    expect(cli(["sql", "SELECT 1 AS a, 'x,y' AS b", "--journal", journal, "--format", "csv"]).stdout).toBe(
      'a,b\n1,"x,y"\n',
    );
    expect(
      JSON.parse(cli(["sql", "SELECT 2 AS n", "--journal", journal, "--format", "json"]).stdout),
    ).toEqual([{ n: 2 }]);
  });

  it("says what is wrong with bad SQL or a bad flag, exiting 2", () => {
    expect(cli(["sql", "SELEC nonsense", "--journal", journal]).stderr).toMatch(/SQL error/);
    const r = cli(["sql", "SELECT 1", "--journal", journal, "--format", "xml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--format xml: expected table, line, csv or json/);
  });
});

describe("the README's first command on a fresh copy of the repo", () => {
  it("imports the sample and replays 2026-02-04 with full parity", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toMatch(/npm install && npm start/);
    expect(readme).toMatch(/\nnpm test/);
    const copy = join(dir, "fresh");
    // The tracked files as a clone has them; dependencies are linked rather than downloaded again.
    const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    for (const file of tracked) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(ROOT, file), join(copy, file));
    }
    // `npm install` (its `prepare` script) builds dist/, so the copy gets the build npm test made.
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
    cpSync(join(ROOT, "dist"), join(copy, "dist"), { recursive: true });
    const r = spawnSync("npm", ["start"], { cwd: copy, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sample 2026-02-04\.jsonl: \d+ events imported/);
    // The summary row: session, short run id, decisions, parity equal/differ/missing (all equal).
    const row = /\n2026-02-04 +\w+ +(\d+) +(\d+)\/0\/0 /.exec(r.stdout);
    expect(row, r.stdout).not.toBeNull();
    expect(row![2]).toBe(row![1]);
    expect(r.stdout).toMatch(/report written to out\/report-2026-02-04\.html/);
    expect(existsSync(join(copy, "data", "journal.db"))).toBe(true);
  }, 180_000);
});
