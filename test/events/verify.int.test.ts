/**
 * Deep, incremental and per-session verify on real SQLite files: index damage that the chain
 * cannot see, the verified point, and a session checked without reading the rest.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { importJsonLines, type Journal, openJournal, rowHash } from "../../src/events/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const DAY1 = readFileSync(join(ROOT, "data", "sample", "2026-02-04.jsonl"), "utf8");
const DAY2 = readFileSync(join(ROOT, "data", "sample", "2026-02-05.jsonl"), "utf8");
/** Events of day 1 (seq 1..D1); day 2 follows. Re-recording the sample changes the numbers. */
const D1 = DAY1.trim().split("\n").length;
const dir = mkdtempSync(join(tmpdir(), "journal-verify-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function twoDays(): string {
  const path = join(dir, `v${n++}.db`);
  const j = openJournal(path);
  importJsonLines(j, DAY1, "day1");
  importJsonLines(j, DAY2, "day2");
  j.close();
  return path;
}

/** Change a row behind the triggers' back, as a byte flip or a hand edit would. */
function tamper(path: string, sql: string): void {
  const raw = new Database(path);
  raw.exec("DROP TRIGGER IF EXISTS events_no_update");
  raw.exec(sql);
  raw.close();
}

/** Flip one session date inside the (session, stream, seq) index's leaf pages, in the file itself. */
function damageSessionIndex(path: string): void {
  const raw = new Database(path);
  raw.pragma("wal_checkpoint(TRUNCATE)");
  const pageSize = raw.pragma("page_size", { simple: true }) as number;
  const pages = raw
    .prepare(
      "SELECT pageno FROM dbstat WHERE name = 'events_session_stream' AND pagetype = 'leaf' ORDER BY pageno",
    )
    .all() as { pageno: number }[];
  raw.close();
  const bytes = readFileSync(path);
  const page = pages[Math.floor(pages.length / 4)]!.pageno;
  const start = (page - 1) * pageSize;
  // The last occurrence: cells fill a page from its end, so that one is live (not a freed copy).
  const at = bytes.subarray(start, start + pageSize).lastIndexOf("2026-02-04");
  expect(at).toBeGreaterThan(0);
  const fd = openSync(path, "r+");
  writeSync(fd, Buffer.from("2026-01-04"), 0, 10, start + at);
  rmSync(`${path}-shm`, { force: true });
  rmSync(`${path}-wal`, { force: true });
  closeSync(fd);
}

/**
 * Make a day-1 CycleStarted schema-invalid and rewrite every hash from it on, as a forger would:
 * the chain links everywhere, only a verified point recorded before still knows the old hashes.
 */
function forgeInvalidCycleStarted(path: string): { seq: number } {
  const raw = new Database(path);
  const bad = raw
    .prepare("SELECT seq FROM events WHERE type = 'CycleStarted' AND session = '2026-02-04' LIMIT 1")
    .get() as { seq: number };
  raw.exec("DROP TRIGGER IF EXISTS events_no_update");
  raw.prepare("UPDATE events SET payload = ? WHERE seq = ?").run('{"cycle":"not a number"}', bad.seq);
  // Rewrite every hash from the changed row on, as a forger would: the chain links everywhere.
  const rows = raw.prepare("SELECT * FROM events WHERE seq >= ? ORDER BY seq").all(bad.seq) as never[];
  let prev = (raw.prepare("SELECT hash FROM events WHERE seq = ?").get(bad.seq - 1) as { hash: string }).hash;
  const setHash = raw.prepare("UPDATE events SET hash = ? WHERE seq = ?");
  for (const row of rows) {
    prev = rowHash(prev, row);
    setHash.run(prev, (row as { seq: number }).seq);
  }
  raw.close();
  return bad;
}

describe("verify", () => {
  it("finds index damage that the hash chain cannot see (integrity_check), and so does verifySession", () => {
    const path = twoDays();
    damageSessionIndex(path);
    const j = openJournal(path, { readonly: true });
    try {
      // The rows are untouched: the chain alone would pass.
      const all = j.verify();
      expect(all.ok).toBe(false);
      expect(all.firstBad?.problem).toMatch(/integrity_check failed/);
      const day = j.verifySession("2026-02-04");
      expect(day.ok).toBe(false);
      expect(day.firstBad?.problem).toMatch(/index damaged/);
    } finally {
      j.close();
    }
  });

  it("records a verified point; verifySince then checks only the new rows", () => {
    const path = join(dir, `since${n++}.db`);
    const j = openJournal(path);
    importJsonLines(j, DAY1, "day1");
    expect(j.verifiedUpTo()).toBe(0);
    expect(j.verify()).toMatchObject({ ok: true, checked: D1, verifiedUpTo: D1 });
    importJsonLines(j, DAY2, "day2");
    const since = j.verifySince();
    expect(since.ok).toBe(true);
    expect(since.checked).toBe(j.lastSeq() - D1);
    expect(j.verifiedUpTo()).toBe(j.lastSeq());
    expect(j.verifySince()).toMatchObject({ ok: true, checked: 0 });
    j.close();
  });

  it("verifySince refuses a journal whose verified row changed, and a new row that was changed", () => {
    const path = join(dir, `since${n++}.db`);
    let j: Journal = openJournal(path);
    importJsonLines(j, DAY1, "day1");
    j.verify();
    importJsonLines(j, DAY2, "day2");
    j.close();
    tamper(path, `UPDATE events SET ts = ts + 1 WHERE seq = ${D1 + 123}`);
    j = openJournal(path);
    expect(j.verifySince()).toMatchObject({ ok: false, firstBad: { seq: D1 + 123 } });
    j.close();
    tamper(path, `UPDATE events SET hash = 'x' || substr(hash, 2) WHERE seq = ${D1}`);
    j = openJournal(path);
    expect(j.verifySince().firstBad?.problem).toMatch(/verified earlier at this seq was changed/);
    j.close();
  });

  it("verifySession checks one session and its links to the chain, and ignores damage elsewhere", () => {
    const path = twoDays();
    const j = openJournal(path, { readonly: true });
    expect(j.verifySession("2026-02-04")).toEqual({ ok: true, checked: D1 });
    expect(j.verifySession("2026-03-01")).toEqual({ ok: true, checked: 0 });
    j.close();
    // A row of day 2 changed: day 1 still verifies, day 2 does not.
    tamper(path, `UPDATE events SET ts = ts + 1 WHERE seq = ${D1 + 13}`);
    const k = openJournal(path, { readonly: true });
    expect(k.verifySession("2026-02-04").ok).toBe(true);
    expect(k.verifySession("2026-02-05")).toMatchObject({ ok: false, firstBad: { seq: D1 + 13 } });
    k.close();
  });

  it("verifySession sees a session row rewritten together with its own hash (its successor no longer links)", () => {
    const path = twoDays();
    const raw = new Database(path);
    const row = raw.prepare(`SELECT * FROM events WHERE seq = ${D1}`).get() as Record<string, unknown>;
    raw.close();
    // Recompute the hash of the changed last row of day 1 as a forger would.
    const prev = new Database(path).prepare(`SELECT hash FROM events WHERE seq = ${D1 - 1}`).get() as {
      hash: string;
    };
    const changed = { ...row, ts: (row.ts as number) + 1 };
    const hash = rowHash(prev.hash, changed as never);
    tamper(path, `UPDATE events SET ts = ${changed.ts}, hash = '${hash}' WHERE seq = ${D1}`);
    const j = openJournal(path, { readonly: true });
    const report = j.verifySession("2026-02-04");
    j.close();
    expect(report.ok).toBe(false);
    expect(report.firstBad).toMatchObject({ seq: D1 });
    expect(report.firstBad?.problem).toMatch(new RegExp(`seq ${D1 + 1} does not link to it`));
  });
  it("readVerifiedSession returns what read() does, checked in the same pass, with and without a verified point", () => {
    const path = twoDays();
    for (const point of [false, true]) {
      if (point) {
        const w = openJournal(path);
        expect(w.verify().ok).toBe(true);
        w.close();
      }
      const j = openJournal(path, { readonly: true });
      expect(j.verifiedUpTo()).toBe(point ? j.lastSeq() : 0);
      const { report, events } = j.readVerifiedSession("2026-02-04", { stream: "day1" });
      expect(report).toEqual({ ok: true, checked: D1 });
      expect(events).toEqual([...j.read({ session: "2026-02-04", stream: "day1" })]);
      expect(j.readVerifiedSession("2026-02-04", { stream: "day2" }).events).toEqual([]);
      j.close();
    }
  });

  it("readVerifiedSession refuses a schema-invalid row rechained by a forger, even under a verified point (its hash no longer holds)", () => {
    const path = twoDays();
    const w = openJournal(path);
    expect(w.verify().ok).toBe(true);
    w.close();
    const bad = forgeInvalidCycleStarted(path);
    const j = openJournal(path, { readonly: true });
    const { report, events } = j.readVerifiedSession("2026-02-04", { stream: "day1" });
    j.close();
    expect(report.ok).toBe(false);
    expect(report.firstBad?.seq).toBe(bad.seq);
    expect(report.firstBad?.problem).toMatch(/CycleStarted.*payload\.cycle/);
    expect(events).toEqual([]);
  });

  it("a deep verify under a verified point still finds a rechained schema-invalid row, at its seq", () => {
    const path = twoDays();
    const w = openJournal(path);
    expect(w.verify().ok).toBe(true);
    w.close();
    const bad = forgeInvalidCycleStarted(path);
    for (const readonly of [true, false]) {
      const j = openJournal(path, { readonly });
      const report = j.verify();
      j.close();
      expect(report).toMatchObject({ ok: false, firstBad: { seq: bad.seq } });
      expect(report.firstBad?.problem).toMatch(/CycleStarted.*payload\.cycle/);
    }
  });

  it("a deep verify under a verified point passes an intact journal and moves the point on", () => {
    const path = join(dir, `deep${n++}.db`);
    const j = openJournal(path);
    importJsonLines(j, DAY1, "day1");
    expect(j.verify()).toMatchObject({ ok: true, checked: D1, verifiedUpTo: D1 });
    importJsonLines(j, DAY2, "day2");
    const last = j.lastSeq();
    expect(j.verify()).toMatchObject({ ok: true, checked: last, verifiedUpTo: last });
    expect(j.verifiedUpTo()).toBe(last);
    j.close();
  });
});
