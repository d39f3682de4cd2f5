/**
 * `journal export --format parquet` as a user runs it, read back by an independent reader:
 * parquet-wasm (the Rust arrow-rs Parquet reader, compiled to WebAssembly), not the library that
 * wrote the files. Every file holds its view's rows, row for row and value for value, with the
 * column types a notebook relies on.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "@uwdata/flechette";
import Database from "better-sqlite3";
import { readParquet } from "parquet-wasm/node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PARQUET_FILES } from "../../src/cli/parquet-export.js";
import { cli } from "./support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "export-parquet-"));
const journal = join(dir, "journal.db");
const out = join(dir, "pq");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Arrow type ids (flechette's `Type`): the column types the files must carry. */
const INT = 2;
const FLOAT = 3;
const UTF8 = 5;
const BOOL = 6;
const TIMESTAMP = 10;

interface ReadBack {
  types: Map<
    string,
    { typeId: number; bitWidth?: number; precision?: number; unit?: number; timezone?: string }
  >;
  rows: Record<string, unknown>[];
}

function readBack(path: string): ReadBack {
  const table = tableFromIPC(readParquet(new Uint8Array(readFileSync(path))).intoIPCStream());
  return {
    types: new Map(table.schema.fields.map((f) => [f.name, f.type as never])),
    rows: table.toArray() as Record<string, unknown>[],
  };
}

let sessions: string[] = [];

beforeAll(() => {
  copyFileSync(inject("sampleJournal"), journal);
  for (const args of [
    ["rebuild", "--journal", journal],
    ["note", "--journal", journal, "--session", "2026-02-05", "--trade", "1", "--tag", "first", "a note"],
  ]) {
    const r = cli(args, dir);
    expect(r.status, r.stderr).toBe(0);
  }
  const db = new Database(journal, { readonly: true });
  sessions = (
    db.prepare("SELECT DISTINCT session FROM events WHERE stream = 'live' ORDER BY session").all() as {
      session: string;
    }[]
  ).map((r) => r.session);
  db.close();
  const r = cli(
    [
      "export",
      "--journal",
      journal,
      "--sessions",
      `${sessions[0]}..${sessions.at(-1)}`,
      "--format",
      "parquet",
      "--out",
      out,
    ],
    dir,
  );
  expect(r.status, r.stderr).toBe(0);
}, 120_000);

describe("journal export --format parquet", () => {
  it("writes one file per view, and each holds the view's rows row for row", () => {
    expect(readdirSync(out).sort()).toEqual(PARQUET_FILES.map((f) => `${f.file}.parquet`).sort());
    const db = new Database(journal, { readonly: true });
    try {
      for (const { file, view, order } of PARQUET_FILES) {
        const marks = sessions.map(() => "?").join(", ");
        const expected = db
          .prepare(`SELECT * FROM ${view} WHERE session IN (${marks}) ORDER BY ${order}`)
          .all(...sessions) as Record<string, unknown>[];
        const { types, rows } = readBack(join(out, `${file}.parquet`));
        expect(rows.length, file).toBe(expected.length);
        expect(rows.length, `${file} has rows`).toBeGreaterThan(0);
        const columns = (
          db.prepare(`SELECT name FROM pragma_table_info('${view}')`).all() as { name: string }[]
        ).map((c) => c.name);
        expect([...types.keys()], file).toEqual(columns);
        for (let i = 0; i < rows.length; i++)
          for (const name of columns) {
            const type = types.get(name)!;
            const want = expected[i]![name];
            const got = rows[i]![name];
            const where = `${file} row ${i + 1} ${name}`;
            if (want === null || want === undefined) expect(got, where).toBeNull();
            else if (type.typeId === BOOL) expect(got, where).toBe(Boolean(want));
            else if (type.typeId === UTF8 && typeof want !== "string")
              expect(got, where).toBe(JSON.stringify(want));
            else expect(got, where).toBe(want);
          }
      }
    } finally {
      db.close();
    }
  });

  it("types every column by what it is, the same in every file", () => {
    const all = PARQUET_FILES.map(
      ({ file }) => [file, readBack(join(out, `${file}.parquet`)).types] as const,
    );
    for (const [file, types] of all)
      for (const [name, type] of types) {
        const where = `${file}.${name}`;
        if (name === "ts" || name.endsWith("_ts"))
          expect(type, where).toMatchObject({ typeId: TIMESTAMP, unit: 1, timezone: "UTC" });
        else if (name.endsWith("_usd")) expect(type, where).toMatchObject({ typeId: FLOAT, precision: 2 });
        else if (name === "seq" || name.endsWith("_seq"))
          expect(type, where).toMatchObject({ typeId: INT, bitWidth: 64 });
        else if (["stream", "session", "contract_key", "symbol", "side"].includes(name))
          expect(type.typeId, where).toBe(UTF8);
      }
    const t = new Map(all);
    expect(t.get("fills")!.get("order_id")).toMatchObject({ typeId: INT, bitWidth: 64 });
    expect(t.get("fills")!.get("simulated")!.typeId).toBe(BOOL);
    expect(t.get("fills")!.get("quantity")).toMatchObject({ typeId: FLOAT, precision: 2 });
    expect(t.get("quotes")!.get("complete")!.typeId).toBe(BOOL);
    expect(t.get("quotes")!.get("strike")).toMatchObject({ typeId: FLOAT, precision: 2 });
    expect(t.get("quotes")!.get("iv")).toMatchObject({ typeId: FLOAT, precision: 2 });
    expect(t.get("orders")!.get("dry_run")!.typeId).toBe(BOOL);
    expect(t.get("decisions")!.get("signals")!.typeId).toBe(UTF8);
    expect(t.get("cycles")!.get("cycle")).toMatchObject({ typeId: INT, bitWidth: 64 });
    expect(t.get("cycles")!.get("duration_ms")).toMatchObject({ typeId: FLOAT, precision: 2 });
    expect(t.get("notes")!.get("trade_number")).toMatchObject({ typeId: INT, bitWidth: 64 });
    expect(t.get("notes")!.get("text")!.typeId).toBe(UTF8);
    expect(t.get("trades")!.get("holding_min")).toMatchObject({ typeId: FLOAT, precision: 2 });
  });

  it("refuses bad requests with a non-zero exit and writes nothing", () => {
    const none = join(dir, "none");
    const cases: [string[], number, RegExp][] = [
      [
        ["--session", "2026-03-02", "--format", "parquet", "--out", none],
        1,
        /no session 2026-03-02 .*sessions there/,
      ],
      [["--session", "2026-02-05", "--format", "parquet"], 2, /--out DIR/],
      [["--session", "2026-02-05", "--format", "csv", "--out", none], 2, /--format csv/],
      [
        [
          "--sessions",
          "2026-02-04..2026-02-05",
          "--session",
          "2026-02-05",
          "--format",
          "parquet",
          "--out",
          none,
        ],
        2,
        /say which sessions/,
      ],
      [["--sessions", "2027-01-01..2027-01-31", "--format", "parquet", "--out", none], 1, /no session/],
    ];
    for (const [args, status, message] of cases) {
      const r = cli(["export", "--journal", journal, ...args], dir);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(status);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(existsSync(none), args.join(" ")).toBe(false);
    }
  });
});
