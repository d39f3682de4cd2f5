/**
 * The fleet's head as the evidence of how long a bot's journal was: a source that ends below what
 * the central journal already holds for its bot is refused by `ship` (shipping it would fork the
 * bot's history) and reported as truncated by `verify --central`. Real child processes, a real
 * PostgreSQL, the sample journal cut short with better-sqlite3 as the sqlite3 shell would.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importJsonLines, openJournal, SeededIdGen } from "../../src/events/index.js";
import { EVENTS_NO_DELETE } from "../../src/events/store/journal-sql.js";
import { dropDatabase, freshDatabase, testPgUrl } from "./pg-support.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const PG_URL = testPgUrl();
const dir = mkdtempSync(join(tmpdir(), "fleet-head-"));
const whole = join(dir, "whole.db");
const cut = join(dir, "cut.db");
let url = "";
let n = 0;

const { JOURNAL_PATH: _ignored, ...env } = process.env;
const cli = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir, env });

beforeAll(async () => {
  if (!PG_URL) return;
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
  url = await freshDatabase(PG_URL);
  const j = openJournal(whole, { idGen: new SeededIdGen(3) });
  for (const day of ["2026-02-04", "2026-02-05"])
    importJsonLines(j, readFileSync(join(ROOT, "data", "sample", `${day}.jsonl`), "utf8"), `${day}.jsonl`);
  n = j.lastSeq();
  j.close();
  const shipped = cli(["ship", "--journal", whole, "--to", url, "--bot", "pi-cut"]);
  expect(shipped.status, shipped.stderr).toBe(0);
  // The same journal with its last 20 events deleted, its trigger put back and its -seq mark gone.
  copyFileSync(whole, cut);
  const db = new Database(cut);
  db.exec("DROP TRIGGER events_no_delete");
  db.prepare("DELETE FROM events WHERE seq > ?").run(n - 20);
  db.exec(EVENTS_NO_DELETE);
  db.close();
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (url) await dropDatabase(url);
});

describe.skipIf(!PG_URL)("a journal shorter than the fleet's head for its bot", () => {
  it("ship refuses it, naming both seqs, and ships nothing", () => {
    const r = cli(["ship", "--journal", cut, "--to", url, "--bot", "pi-cut"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `JournalBehind: \\S+: it ends at seq ${n - 20}, but \\S+ already holds this bot's chain up to seq ${n}: 20 event\\(s\\) are missing`,
      ),
    );
    expect(r.stderr).toMatch(
      /nothing was shipped\. If it is this bot's journal, restore it from a `journal backup`/,
    );
  });

  it("verify --central reports it as truncated against the fleet's head, and the whole journal as ok", () => {
    const r = cli(["verify", "--journal", cut, "--central", url, "--bot", "pi-cut"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `truncated: \\S+ ends at seq ${n - 20}, but \\S+ already holds bot pi-cut up to seq ${n} — 20 event\\(s\\) are missing`,
      ),
    );
    const ok = cli(["verify", "--journal", whole, "--central", url, "--bot", "pi-cut"]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`checked against: .*holds bot pi-cut up to seq ${n}`));
  });
});
