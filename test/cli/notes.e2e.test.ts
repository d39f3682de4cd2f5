/**
 * `journal note` as a user runs it: one NoteAdded event per note in the `notes` stream, `verify`
 * passing after, the note in `v_notes` and its tags on its trade in `v_trade_tags`; refused while
 * another writer holds the lock, and on bad input (unknown session, trade or order, empty text),
 * each time with the journal's files byte for byte as they were. Notes travel with an export.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LOCK_HOLDER } from "../support/journal-writer.js";
import { cli, expectOneLineFailure, startChild, stopChild } from "./support/run-cli.js";

const SESSION = "2026-02-05";
const dir = mkdtempSync(join(tmpdir(), "notes-"));
const journal = join(dir, "journal.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The journal's files as bytes: what a refused command must leave exactly as it was. */
function fingerprint(): string {
  const hash = createHash("sha256");
  for (const suffix of ["", "-wal", "-shm"]) {
    const path = `${journal}${suffix}`;
    hash.update(`${suffix}:`);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest("hex");
}

function rows<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(journal, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const count = () => rows<{ n: number }>("SELECT count(*) AS n FROM events")[0]!.n;

beforeAll(() => {
  copyFileSync(inject("sampleJournal"), journal);
  // The tables behind v_trades and v_trade_tags, folded as live keeps them (`note` itself folds the events).
  const r = cli(["rebuild", "--journal", journal], dir);
  expect(r.status, r.stderr).toBe(0);
}, 60_000);

describe("journal note", () => {
  it("appends exactly one NoteAdded about a trade, with its tags, and verify passes after", () => {
    const before = count();
    const [third] = rows<{ opened_seq: number; closed_seq: number; contract_key: string }>(
      "SELECT opened_seq, closed_seq, contract_key FROM v_trades WHERE stream = 'live' AND session = ? ORDER BY entry_ts, closed_seq LIMIT 1 OFFSET 2",
      SESSION,
    );
    expect(third).toBeDefined();
    const r = cli(
      [
        "note",
        "--journal",
        journal,
        "--session",
        SESSION,
        "--trade",
        "3",
        "--tag",
        "late-exit",
        "--tag",
        "fomo",
        "stop",
        "overshot",
      ],
      dir,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(third!.contract_key);
    expect(count()).toBe(before + 1);
    const [last] = rows<{ type: string; stream: string; session: string; payload: string }>(
      "SELECT type, stream, session, payload FROM events ORDER BY seq DESC LIMIT 1",
    );
    expect(last).toMatchObject({ type: "NoteAdded", stream: "notes", session: SESSION });
    expect(JSON.parse(last!.payload)).toEqual({
      text: "stop overshot",
      tags: ["late-exit", "fomo"],
      stream: "live",
      trade: {
        number: 3,
        openedSeq: third!.opened_seq,
        closedSeq: third!.closed_seq,
        contractKey: third!.contract_key,
      },
    });
    const v = cli(["verify", "--journal", journal], dir);
    expect(v.status, v.stderr).toBe(0);

    const notes = rows<Record<string, unknown>>("SELECT * FROM v_notes WHERE session = ?", SESSION);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      stream: "live",
      trade_number: 3,
      trade_opened_seq: third!.opened_seq,
      contract_key: third!.contract_key,
      tags: '["late-exit","fomo"]',
      text: "stop overshot",
      order_key: null,
    });
    const tags = rows<{ tag: string }>(
      "SELECT tag FROM v_trade_tags WHERE stream = 'live' AND session = ? AND opened_seq = ? AND closed_seq = ? ORDER BY tag",
      SESSION,
      third!.opened_seq,
      third!.closed_seq,
    ).map((t) => t.tag);
    expect(tags).toEqual(["fomo", "late-exit"]);

    // `journal trades --by tag` slices by the same tags, and agrees with v_trade_slices.
    const sliced = cli(["trades", "--journal", journal, "--session", SESSION, "--by", "tag", "--json"], dir);
    expect(sliced.status, sliced.stderr).toBe(0);
    const bySlice = new Map(
      (JSON.parse(sliced.stdout) as { slices: { slice: string; trades: number }[] }).slices.map((x) => [
        x.slice,
        x.trades,
      ]),
    );
    expect([bySlice.get("fomo"), bySlice.get("late-exit")]).toEqual([1, 1]);
    const all = rows<{ n: number }>(
      "SELECT count(*) AS n FROM v_trades WHERE stream = 'live' AND session = ?",
      SESSION,
    )[0]!.n;
    expect(bySlice.get("(untagged)")).toBe(all - 1);
  });

  it("notes an order by IB's order id, and the session itself; a correction is another note", () => {
    const [order] = rows<{ order_id: number; order_key: string }>(
      "SELECT order_id, order_key FROM v_orders WHERE stream = 'live' AND session = ? AND order_id IS NOT NULL ORDER BY seq LIMIT 1",
      SESSION,
    );
    const before = count();
    const a = cli(
      ["note", "--journal", journal, "--session", SESSION, "--order", String(order!.order_id), "filled late"],
      dir,
    );
    expect(a.status, a.stderr).toBe(0);
    const b = cli(
      [
        "note",
        "--journal",
        journal,
        "--session",
        SESSION,
        "--order",
        order!.order_key,
        "filled late, on the 1100 reconnect",
      ],
      dir,
    );
    expect(b.status, b.stderr).toBe(0);
    const c = cli(["note", "--journal", journal, "--session", SESSION, "--tag", "news", "CPI day"], dir);
    expect(c.status, c.stderr).toBe(0);
    expect(count()).toBe(before + 3);
    const notes = rows<{ order_key: string | null; order_id: number | null; text: string }>(
      "SELECT order_key, order_id, text FROM v_notes WHERE session = ? AND trade_number IS NULL ORDER BY seq",
      SESSION,
    );
    expect(notes).toEqual([
      { order_key: order!.order_key, order_id: order!.order_id, text: "filled late" },
      { order_key: order!.order_key, order_id: order!.order_id, text: "filled late, on the 1100 reconnect" },
      { order_key: null, order_id: null, text: "CPI day" },
    ]);
  });

  it("is refused, clearly and with the journal unchanged, while another writer holds the lock", async () => {
    const holder = await startChild(["--expose-gc", LOCK_HOLDER, journal], "locked");
    try {
      const before = fingerprint();
      const r = cli(["note", "--journal", journal, "--session", SESSION, "--wait", "0", "a note"], dir);
      expectOneLineFailure(
        r,
        new RegExp(`is being written by pid ${holder.pid} .*a note is a write`),
        "locked",
      );
      expect(fingerprint()).toBe(before);
    } finally {
      await stopChild(holder);
    }
  });

  it("refuses bad input with a non-zero exit and the journal byte for byte as it was", () => {
    const before = fingerprint();
    const cases: [string[], number, RegExp][] = [
      [
        ["--session", "2026-03-02", "x"],
        1,
        /no session 2026-03-02 in stream live .*sessions there: .*2026-02-05/,
      ],
      [["--session", "2026-02-31", "x"], 2, /expected a real date/],
      [["--session", SESSION, "--trade", "999", "x"], 1, /no trade 999/],
      [["--session", SESSION, "--trade", "0", "x"], 2, /expected a trade number from 1/],
      [["--session", SESSION, "--order", "987654", "x"], 1, /no order 987654/],
      [["--session", SESSION, "   "], 2, /the note is empty/],
      [["--session", SESSION, "--tag", "no spaces", "x"], 2, /--tag no spaces/],
      [
        ["--session", SESSION, "--stream", "replay-nope", "x"],
        1,
        /no session 2026-02-05 in stream replay-nope/,
      ],
    ];
    for (const [args, status, message] of cases) {
      const r = cli(["note", "--journal", journal, ...args], dir);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(status);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(fingerprint(), args.join(" ")).toBe(before);
    }
  });

  it("shows the notes and the fees charged against the IBKR model in the session report", () => {
    const html = join(dir, "report.html");
    const r = cli(["report", "--journal", journal, "--session", SESSION, "--out", html], dir);
    expect(r.status, r.stderr).toBe(0);
    const page = readFileSync(html, "utf8");
    const notes = page.slice(page.indexOf('<table id="notes">'));
    for (const text of ["stop overshot", "filled late, on the 1100 reconnect", "CPI day", "late-exit, fomo"])
      expect(notes).toContain(text);
    // The fees table's charged total is live's reported commissions, summed.
    const charged = rows<{ usd: number }>(
      "SELECT sum(json_extract(payload, '$.commissionUsd')) AS usd FROM events WHERE stream = 'live' AND session = ? AND type = 'CommissionReported'",
      SESSION,
    )[0]!.usd;
    const fees = page.slice(page.indexOf('<table id="fees">'));
    expect(fees).toMatch(new RegExp(`<th>live</th><td>\\d+</td><td>${charged.toFixed(2)}</td>`));
  });

  it("travels with the session's export, and imports into another journal (a note keeps its own time)", () => {
    const e = cli(["export", "--journal", journal, "--session", SESSION], dir);
    expect(e.status, e.stderr).toBe(0);
    const file = join(dir, "day.jsonl");
    writeFileSync(file, e.stdout);
    const other = join(dir, "other.db");
    const i = cli(["import", file, "--journal", other], dir);
    expect(i.status, i.stderr).toBe(0);
    const db = new Database(other, { readonly: true });
    try {
      const n = db.prepare("SELECT count(*) AS n FROM v_notes").get() as { n: number };
      expect(n.n).toBe(
        rows<{ n: number }>("SELECT count(*) AS n FROM v_notes WHERE session = ?", SESSION)[0]!.n,
      );
    } finally {
      db.close();
    }
  });
});
