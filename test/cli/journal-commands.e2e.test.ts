/**
 * The built CLI's journal commands as a user runs them: `import`, `sessions`, `export`, `verify`
 * on the bundled sample, plus their error paths (bad line, tampered file, bad flag).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openJournal } from "../../src/events/index.js";
import { BOOK_EVENT_TYPES, foldBook, PROJECTION_TABLES, toUsd } from "../../src/projections/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const SAMPLE = join(ROOT, "data", "sample", "2026-02-04.jsonl");
/** Events in the sample: one per line (re-recording the sample changes it). */
const N = readFileSync(SAMPLE, "utf8").trim().split("\n").length;
const dir = mkdtempSync(join(tmpdir(), "journal-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { JOURNAL_PATH: _ignored, ...env } = process.env;
function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: dir,
    env,
    maxBuffer: 256 << 20,
  });
}

const first = join(dir, "first.db");
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
  const r = cli(["import", SAMPLE, "--journal", first]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`${N} added, 0 already present`));
}, 60_000);

describe("journal import / export", () => {
  it("adds nothing when the same file is imported twice", () => {
    const r = cli(["import", SAMPLE, "--journal", first]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`0 added, ${N} already present`));
  });

  it("keeps the projection tables current: after each import they equal a rebuild from the events", () => {
    const journal = join(dir, "projected.db");
    const tables = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return PROJECTION_TABLES.map((t) =>
          db
            .prepare(`SELECT * FROM ${t}`)
            .all()
            .map((row) => JSON.stringify(row))
            .sort(),
        );
      } finally {
        db.close();
      }
    };
    for (const day of ["2026-02-04", "2026-02-05"]) {
      const r = cli(["import", join(ROOT, "data", "sample", `${day}.jsonl`), "--journal", journal]);
      expect(r.status, r.stderr).toBe(0);
      const rebuilt = join(dir, `rebuilt-${day}.db`);
      copyFileSync(journal, rebuilt);
      expect(cli(["rebuild", "--journal", rebuilt]).status).toBe(0);
      const imported = tables(journal);
      expect(imported, `after importing ${day}`).toEqual(tables(rebuilt));
      // proj_trades (v_trades) holds the day just imported.
      expect(JSON.stringify(imported), day).toContain(day);
    }
  });

  it("exports the sample byte for byte, and export → import into an empty journal → export is identical", () => {
    const once = cli(["export", "--session", "2026-02-04", "--journal", first]);
    expect(once.status, once.stderr).toBe(0);
    expect(once.stdout).toBe(readFileSync(SAMPLE, "utf8"));
    const file = join(dir, "once.jsonl");
    writeFileSync(file, once.stdout);
    const second = join(dir, "second.db");
    expect(cli(["import", file, "--journal", second]).status).toBe(0);
    const twice = cli(["export", "--session", "2026-02-04", "--stream", "live", "--journal", second]);
    expect(twice.status, twice.stderr).toBe(0);
    expect(twice.stdout).toBe(once.stdout);
  });

  it("names the bad line and writes nothing of that file", () => {
    // Ten events of the other sample day (none of them in the journal yet), the seventh broken.
    const lines = readFileSync(join(ROOT, "data", "sample", "2026-02-05.jsonl"), "utf8")
      .split("\n")
      .slice(0, 10);
    const bad = JSON.parse(lines[6]!) as Record<string, unknown>;
    bad.ts = "yesterday";
    lines[6] = JSON.stringify(bad);
    const file = join(dir, "bad.jsonl");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const r = cli(["import", file, "--journal", first]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.jsonl:7: field "ts"/);
    const db = new Database(first, { readonly: true });
    expect((db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n).toBe(N);
    db.close();
  });

  it("creates no journal when listing sessions of a missing file", () => {
    const missing = join(dir, "missing.db");
    const r = cli(["sessions", "--journal", missing]);
    expect(r.status).toBe(1);
    expect(existsSync(missing)).toBe(false);
  });

  it("refuses a malformed --session as a usage error", () => {
    const r = cli(["export", "--session", "Feb 4", "--journal", first]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/YYYY-MM-DD/);
  });
});

describe("journal sessions", () => {
  it("lists the session with its count and span, as JSON and as a table", () => {
    const json = cli(["sessions", "--json", "--journal", first]);
    expect(json.status, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as {
      stream: string;
      session: string;
      events: number;
      firstTs: number;
      lastTs: number;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ stream: "live", session: "2026-02-04", events: N });
    expect(rows[0]!.lastTs).toBeGreaterThan(rows[0]!.firstTs);
    const table = cli(["sessions", "--journal", first]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`live.*2026-02-04.*${N}`));
    expect(cli(["sessions", "--stream", "nope", "--json", "--journal", first]).stdout.trim()).toBe("[]");
  });
});

describe("journal sessions' trades and P&L", () => {
  type Listed = { stream: string; session: string; trades?: number; netPnlUsd?: number };
  const listed = (path: string, ...more: string[]) => {
    const r = cli(["sessions", "--json", "--journal", path, ...more]);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Listed[];
  };
  /** The truth: the book's fold of every book event, each session's trades and net P&L. */
  const folded = (path: string) => {
    const journal = openJournal(path, { readonly: true });
    try {
      const book = foldBook(journal.read({ types: BOOK_EVENT_TYPES }));
      return new Map([...book.summaries].map(([k, v]) => [k, [v.trades.length, toUsd(v.netPnlMicros)]]));
    } finally {
      journal.close();
    }
  };

  it("come from the projection tables while they hold every book event, and from the fold once they fall behind", () => {
    const path = join(dir, "tables.db");
    expect(cli(["import", SAMPLE, "--journal", path]).status).toBe(0);
    const truth = folded(path);
    const figures = (rows: Listed[]) =>
      rows.map((r) => [`${r.stream}|${r.session}`, [r.trades, r.netPnlUsd]] as const);
    expect(new Map(figures(listed(path)))).toEqual(truth);
    expect(truth.get("live|2026-02-04")![0]).toBeGreaterThan(0);
    // The tables are what is read: a row changed behind the fold's back shows (journal rebuild mends it).
    const raw = new Database(path);
    raw
      .prepare(
        "UPDATE proj_session_summary SET net_pnl_usd = 12345 WHERE stream = 'live' AND session = '2026-02-04'",
      )
      .run();
    raw.close();
    expect(listed(path)[0]!.netPnlUsd).toBe(12345);
    expect(listed(path, "--stream", "live").map((r) => r.netPnlUsd)).toEqual([12345]);
    // A replay written into the journal adds book events the tables have not folded: the fold again,
    // for live's session and the run's alike.
    expect(cli(["replay", "--journal", path, "--session", "2026-02-04", "--in-place"]).status).toBe(0);
    const after = listed(path);
    expect(after.length).toBeGreaterThan(1);
    expect(new Map(figures(after))).toEqual(folded(path));
    expect(after.find((r) => r.stream === "live")!.netPnlUsd).toBe(truth.get("live|2026-02-04")![1]);
  });
});

describe("journal verify", () => {
  it("says ok for an intact journal", () => {
    const r = cli(["verify", "--journal", first]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ok: ${N} events, chain intact`));
  });

  it("exits 1 naming the first bad seq of a tampered copy", () => {
    const copy = join(dir, "tampered.db");
    const src = new Database(first);
    src.pragma("wal_checkpoint(TRUNCATE)");
    src.close();
    copyFileSync(first, copy);
    const raw = new Database(copy);
    raw.exec("DROP TRIGGER events_no_update");
    raw.prepare("UPDATE events SET ts = ts + 1 WHERE seq = 123").run();
    raw.close();
    const r = cli(["verify", "--journal", copy]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/seq 123\b/);
  });
});
