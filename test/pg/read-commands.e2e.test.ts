/**
 * The read commands on a fleet journal: `sessions` per bot, `sql` with the same views as SQLite
 * and no way to write, and `verify` finding a tampered row at its seq — the built CLI against a
 * real PostgreSQL holding two bots' shipped journals.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticSession } from "../../bench/synthetic-journal.js";
import {
  importJsonLines,
  openAsyncJournal,
  openJournal,
  openShipTarget,
  SeededIdGen,
  shipJournal,
} from "../../src/events/index.js";
import { asOwner, dropDatabase, freshDatabase, testPgUrl } from "./pg-support.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const PG_URL = testPgUrl();
const dir = mkdtempSync(join(tmpdir(), "journal-pg-read-"));
const sample = join(dir, "sample.db");
const small = join(dir, "small.db");
let url = "";
const VIEWS = [
  "v_bars",
  "v_quotes",
  "v_decisions",
  "v_fills",
  "v_orders",
  "notice_codes",
  "v_notices",
  "v_cycles",
  "v_health",
];

const { JOURNAL_PATH: _ignored, ...env } = process.env;
function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: dir,
    env,
    maxBuffer: 256 << 20,
  });
}

beforeAll(async () => {
  if (!PG_URL) return;
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
  url = await freshDatabase(PG_URL);
  const b = openJournal(sample, { idGen: new SeededIdGen(2) });
  for (const day of ["2026-02-04", "2026-02-05"])
    importJsonLines(b, readFileSync(join(ROOT, "data", "sample", `${day}.jsonl`), "utf8"), `${day}.jsonl`);
  b.close();
  const a = openJournal(small, { idGen: new SeededIdGen(1) });
  a.append("live", "2026-02-05", syntheticSession("2026-02-05", 4));
  a.close();
  for (const [path, bot] of [
    [sample, "pi-spy"],
    [small, "pi-qqq"],
  ] as const) {
    const source = openJournal(path, { readonly: true });
    const target = await openShipTarget(url, bot);
    await shipJournal(source, target);
    await target.close();
    source.close();
  }
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (url) await dropDatabase(url);
});

describe.skipIf(!PG_URL)("read commands with --journal postgres://…", () => {
  it("lists sessions per bot, and one bot's with --bot", () => {
    const r = cli(["sessions", "--journal", url, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { bot: string; session: string; events: number }[];
    expect(rows.map((s) => [s.session, s.bot])).toEqual([
      ["2026-02-04", "pi-spy"],
      ["2026-02-05", "pi-qqq"],
      ["2026-02-05", "pi-spy"],
    ]);
    expect(rows.find((s) => s.bot === "pi-spy" && s.session === "2026-02-04")?.events).toBe(
      readFileSync(join(ROOT, "data", "sample", "2026-02-04.jsonl"), "utf8")
        .trim()
        .split("\n").length,
    );
    const one = cli(["sessions", "--journal", url, "--bot", "pi-qqq"]);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^bot +stream/m);
    expect(one.stdout).toMatch(/pi-qqq/);
    expect(one.stdout).not.toMatch(/pi-spy/);
  });

  it("answers the same post-mortem views as SQLite for a bot", async () => {
    // In-process (the CLI's own path is checked below): one query per view on each store.
    const lite = await openAsyncJournal(sample, { readonly: true });
    const pg = await openAsyncJournal(url, { readonly: true });
    try {
      for (const view of VIEWS) {
        const where = view === "notice_codes" ? "" : " WHERE bot = 'pi-spy'";
        const [expected] = await lite.query<{ n: number }>(`SELECT count(*) AS n FROM ${view}`);
        const [actual] = await pg.query<{ n: number }>(`SELECT count(*) AS n FROM ${view}${where}`);
        expect(actual?.n, view).toBe(expected?.n);
        // Every column evaluates (count(*) alone would not compute them).
        const rows = await pg.query(`SELECT * FROM ${view}${where} ORDER BY 1, 2 LIMIT 50`);
        expect(rows.length, view).toBe(Math.min(50, Number(expected?.n)));
      }
      const states =
        "SELECT final_state, count(*) AS n FROM v_orders GROUP BY final_state ORDER BY final_state";
      expect(await pg.query(states.replace("GROUP BY", "WHERE bot = 'pi-spy' GROUP BY"))).toEqual(
        await lite.query(states),
      );
      const fills = "SELECT exec_id, side, quantity, price_usd, commission_usd FROM v_fills ORDER BY seq";
      expect(await pg.query(fills.replace("ORDER BY", "WHERE bot = 'pi-spy' ORDER BY"))).toEqual(
        await lite.query(fills),
      );
    } finally {
      await lite.close();
      await pg.close();
    }
    const csv = cli([
      "sql",
      "SELECT bot, count(*) AS n FROM v_cycles GROUP BY bot ORDER BY bot",
      "--journal",
      url,
      "--format",
      "csv",
    ]);
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.stdout).toMatch(/^bot,n\npi-qqq,4\npi-spy,\d+\n$/);
  });

  it("refuses every write through sql, and the reader role cannot write even outside it", async () => {
    for (const statement of [
      "INSERT INTO journal_meta (key, value) VALUES ('x', 'y')",
      "COMMIT; DELETE FROM journal_meta",
    ]) {
      const r = cli(["sql", statement, "--journal", url]);
      expect(r.status, statement).toBe(2);
      expect(r.stderr).toMatch(/read-only/);
    }
    // The same path in-process, for the rest.
    const reader = await openAsyncJournal(url, { readonly: true });
    try {
      for (const statement of [
        "UPDATE events SET ts = 0",
        "CREATE TABLE scratch (x int)",
        "DROP VIEW v_orders",
      ])
        await expect(reader.query(statement), statement).rejects.toThrow(/read-only|permission denied/);
    } finally {
      await reader.close();
    }
    expect(await asOwner(url, "SELECT key FROM journal_meta WHERE key = 'x'")).toEqual([]);
    for (const statement of [
      "INSERT INTO journal_meta (key, value) VALUES ('x', 'y')",
      "DELETE FROM events",
    ]) {
      await expect(asOwner(url, `SET ROLE journal_reader; ${statement}`)).rejects.toThrow(
        /permission denied/,
      );
    }
  });

  it("writes the same HTML report for a bot's session as from its SQLite file", () => {
    const fromFile = cli([
      "report",
      "--journal",
      sample,
      "--session",
      "2026-02-04",
      "--out",
      join(dir, "file.html"),
    ]);
    expect(fromFile.status, fromFile.stderr).toBe(0);
    const fromFleet = cli([
      "report",
      "--journal",
      url,
      "--bot",
      "pi-spy",
      "--session",
      "2026-02-04",
      "--out",
      join(dir, "fleet.html"),
    ]);
    expect(fromFleet.status, fromFleet.stderr).toBe(0);
    const html = readFileSync(join(dir, "fleet.html"), "utf8");
    expect(html.length).toBeGreaterThan(10_000);
    expect(html).toBe(readFileSync(join(dir, "file.html"), "utf8"));
    const noBot = cli(["report", "--journal", url, "--session", "2026-02-04", "--out", join(dir, "x.html")]);
    expect(noBot.status).toBe(2);
    expect(noBot.stderr).toMatch(/--bot NAME/);
  });

  it("verifies every bot's chain, and names the tampered row's seq", async () => {
    const ok = cli(["verify", "--journal", url]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: \d+ events, chain intact/);
    // As the owner one can switch the trigger off and edit a row; the chain still gives it away.
    await asOwner(url, "ALTER TABLE events DISABLE TRIGGER events_no_update_delete");
    await asOwner(url, "UPDATE events SET ts = ts + 1 WHERE bot = 'pi-spy' AND seq = 1234");
    await asOwner(url, "ALTER TABLE events ENABLE TRIGGER events_no_update_delete");
    const bad = cli(["verify", "--journal", url]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^verify failed at seq 1234: bot pi-spy: hash chain broken/);
  });
});
