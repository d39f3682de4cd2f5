/**
 * What the built CLI prints from input is safe and exact: an import line holding an escape
 * sequence cannot retitle the terminal through the error that quotes it, nor can a journal's cells
 * (`sql`'s table) or a gateway's frames (`wire`); `sql --format csv` reads back with an RFC 4180
 * parser; integers beyond 2^53 keep every digit in each format.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { appendWireFrames, openJournal } from "../../src/events/index.js";
import { parseCsv } from "../support/csv.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const SAMPLE = join(ROOT, "data", "sample", "2026-02-04.jsonl");
const dir = mkdtempSync(join(tmpdir(), "output-hygiene-"));
const journal = join(dir, "journal.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { JOURNAL_PATH: _ignored, ...env } = process.env;
const cli = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 << 20 });

/** A terminal acts on these: C0 controls but newline, DEL, C1 (U+009B is CSI). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw control characters is the test
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const TITLE = "\u001b]0;pwned\u0007";

/** A TWS frame: a 4-byte length, then NUL-terminated fields. */
function fieldsFrame(fields: readonly string[]): Buffer {
  const body = Buffer.from(fields.map((f) => `${f}\0`).join(""), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
  copyFileSync(inject("sampleJournal"), journal);
});

describe("control characters from input are escaped where they are printed", () => {
  it("in the error that quotes a bad import line (its type, an unknown field's name)", () => {
    const line = readFileSync(SAMPLE, "utf8").split("\n")[0]!;
    const json = (text: string) => JSON.stringify(text).slice(1, -1);
    for (const [name, bad] of [
      ["type", line.replace('"type":"SessionOpened"', `"type":"Session${json(TITLE)}"`)],
      ["field", line.replace('{"id"', `{"${json(TITLE)}":1,"id"`)],
    ] as const) {
      const file = join(dir, `bad-${name}.jsonl`);
      writeFileSync(file, `${bad}\n`);
      const r = cli(["import", file, "--journal", join(dir, `new-${name}.db`)]);
      expect(r.status, r.stderr).not.toBe(0);
      expect(r.stderr, name).not.toMatch(RAW_CONTROL);
      expect(r.stderr, name).toContain("\\x1b]0;pwned\\x07");
    }
  });

  it("in sql's table, which keeps a multi-line cell on its lines", () => {
    const r = cli([
      "sql",
      "SELECT char(27) || ']0;pwned' || char(7) AS title, char(155) || '31m' AS csi, 'two' || char(10) || 'lines' AS ml",
      "--journal",
      journal,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain("\\x1b]0;pwned\\x07");
    expect(r.stdout).toContain("\\u009b31m");
    expect(r.stdout).toMatch(/│ two +│\n│[^\n]*│ lines +│/);
  });

  it("in sql's error that quotes the statement", () => {
    const r = cli(["sql", `SELECT x${TITLE} FROM`, "--journal", journal]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^SQL error: /);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });

  it("in wire's decoded and raw frames", () => {
    const wired = join(dir, "wired.db");
    copyFileSync(journal, wired);
    const j = openJournal(wired);
    try {
      appendWireFrames(j.sql, "2026-02-04", [
        {
          conn: 1,
          dir: "in",
          ts: Date.UTC(2026, 1, 4, 14, 35),
          bytes: fieldsFrame(["193", "20260204 09:35:00 EST"]),
        },
        {
          conn: 1,
          dir: "in",
          ts: Date.UTC(2026, 1, 4, 14, 36),
          bytes: fieldsFrame(["4", "2", "-1", "2104", `farm ${TITLE} OK`]),
        },
      ]);
    } finally {
      j.close();
    }
    for (const extra of [[], ["--raw"]]) {
      const r = cli(["wire", "--session", "2026-02-04", "--journal", wired, ...extra]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout, extra.join(" ")).not.toMatch(RAW_CONTROL);
      expect(r.stdout, extra.join(" ")).toContain("farm \\x1b]0;pwned\\x07 OK");
    }
  });
});

describe("sql --format csv follows RFC 4180", () => {
  it("reads back with a CSV parser: commas, quotes, CR LF inside a value, empty apart from NULL", () => {
    const r = cli([
      "sql",
      `SELECT 'a,b' AS comma, 'say "hi"' AS quote, 'one' || char(13) || char(10) || 'two' AS crlf,
              'lone' || char(13) AS cr, '' AS empty, NULL AS none, 'plain' AS "odd, name"`,
      "--journal",
      journal,
      "--format",
      "csv",
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(parseCsv(r.stdout)).toEqual([
      ["comma", "quote", "crlf", "cr", "empty", "none", "odd, name"],
      ["a,b", 'say "hi"', "one\r\ntwo", "lone\r", "", null, "plain"],
    ]);
    // Records end with LF, never CRLF (a CR only ever appears inside a quoted value).
    expect(r.stdout.endsWith('"plain"\n') || r.stdout.endsWith("plain\n")).toBe(true);
  });
});

describe("sql keeps integers beyond 2^53 exact", () => {
  const query = "SELECT 9007199254740993 AS big, -9223372036854775807 AS low, 7 AS small, 0.5 AS half";

  it("in table, csv and json (json: exact numbers)", () => {
    const table = cli(["sql", query, "--journal", journal]);
    expect(table.stdout).toMatch(/│ 9007199254740993 │ -9223372036854775807 │ 7 +│ 0\.5 +│/);
    const csv = cli(["sql", query, "--journal", journal, "--format", "csv"]);
    expect(csv.stdout).toBe("big,low,small,half\n9007199254740993,-9223372036854775807,7,0.5\n");
    const json = cli(["sql", query, "--journal", journal, "--format", "json"]);
    expect(json.stdout).toBe('[{"big":9007199254740993,"low":-9223372036854775807,"small":7,"half":0.5}]\n');
  });

  it("reading the journal's own integer columns as before", () => {
    const r = cli([
      "sql",
      "SELECT seq, ts FROM events ORDER BY seq LIMIT 1",
      "--journal",
      journal,
      "--format",
      "json",
    ]);
    const [row] = JSON.parse(r.stdout) as { seq: number; ts: number }[];
    expect(row?.seq).toBe(1);
    expect(typeof row?.ts).toBe("number");
  });
});
