import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  appendWireFrames,
  canonicalJson,
  GENESIS_HASH,
  importJsonLines,
  type Journal,
  JournalConflict,
  type NewEvent,
  openJournal,
  rowHash,
  SeededIdGen,
  toJsonLine,
} from "../../src/events/index.js";
import { arbNewEvent } from "../support/events.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const SESSION = "2026-02-04";
let n = 0;
const fresh = (seed = 1): Journal => openJournal(join(dir, `j${n++}.db`), { idGen: new SeededIdGen(seed) });

describe("Journal append and read", () => {
  it("reads back random batches exactly as appended, in order, with gap-free seq and pos", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(arbNewEvent, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        (batches) => {
          const journal = fresh();
          try {
            const appended = batches.flatMap((batch) => journal.append("live", SESSION, batch));
            const read = [...journal.read()];
            expect(read).toEqual(appended);
            expect(read.map((e) => e.seq)).toEqual(read.map((_, i) => i + 1));
            expect(read.map((e) => e.pos)).toEqual(read.map((_, i) => i));
            expect(journal.verify()).toMatchObject({ ok: true, checked: read.length });
          } finally {
            journal.close();
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("keeps one copy when any event is appended twice with the same id", () => {
    fc.assert(
      fc.property(fc.array(arbNewEvent, { minLength: 1, maxLength: 10 }), fc.nat(), (events, pick) => {
        const journal = fresh();
        try {
          const stored = journal.append("live", SESSION, events);
          const again = stored[pick % stored.length]!;
          const original = events[pick % events.length]!;
          const retry = journal.append("live", SESSION, [{ ...original, id: again.id }]);
          expect(retry).toEqual([again]);
          expect(journal.lastSeq()).toBe(events.length);
        } finally {
          journal.close();
        }
      }),
      { numRuns: 30 },
    );
  });

  it("refuses the same id with a different body and writes nothing", () => {
    const journal = fresh();
    const [first] = journal.append("live", SESSION, [
      { type: "CycleStarted", version: 1, ts: 1, payload: { cycle: 1, symbols: ["SPY"], gatewayTimeMs: 1 } },
    ]);
    expect(() =>
      journal.append("live", SESSION, [
        {
          id: first!.id,
          type: "CycleStarted",
          version: 1,
          ts: 1,
          payload: { cycle: 2, symbols: ["SPY"], gatewayTimeMs: 1 },
        },
      ]),
    ).toThrow(/DuplicateIdMismatch/);
    expect(journal.lastSeq()).toBe(1);
    journal.close();
  });

  it("a retried id with the same payload text but another envelope is refused; another key order is the same event", () => {
    const journal = fresh();
    const payload = { cycle: 1, symbols: ["SPY"], gatewayTimeMs: 1 };
    const base = { type: "CycleStarted" as const, version: 1 as const, ts: 1, payload };
    const [first] = journal.append("live", SESSION, [{ ...base, causation: "c", correlation: "k" }]);
    const id = first!.id;
    // The stored text matches byte for byte in each case: only the envelope tells them apart.
    const changed: [string, string, Record<string, unknown>][] = [
      ["live", SESSION, { ts: 2, causation: "c", correlation: "k" }],
      ["live", SESSION, { causation: "other", correlation: "k" }],
      ["live", SESSION, { causation: "c", correlation: null }],
      ["other", SESSION, { causation: "c", correlation: "k" }],
      ["live", "2026-01-01", { causation: "c", correlation: "k" }],
    ];
    for (const [stream, session, envelope] of changed)
      expect(() => journal.append(stream, session, [{ ...base, ...envelope, id } as NewEvent])).toThrow(
        /DuplicateIdMismatch/,
      );
    const reordered = { gatewayTimeMs: 1, symbols: ["SPY"], cycle: 1 };
    const [again] = journal.append("live", SESSION, [
      { ...base, payload: reordered, causation: "c", correlation: "k", id },
    ]);
    expect(again).toEqual(first);
    expect(journal.lastSeq()).toBe(1);
    journal.close();
  });

  it("refuses an invalid payload naming the type and field, and writes nothing of the batch", () => {
    const journal = fresh();
    expect(() =>
      journal.append("live", SESSION, [
        {
          type: "CycleStarted",
          version: 1,
          ts: 1,
          payload: { cycle: 1, symbols: ["SPY"], gatewayTimeMs: 1 },
        },
        // Deliberately malformed: the cast gets it past the compiler to the runtime check.
        {
          type: "QuoteSnapshot",
          version: 1,
          ts: 1,
          payload: { contract: { secType: "STK", symbol: "SPY" }, bidUsd: "1.2" },
        } as unknown as NewEvent,
      ]),
    ).toThrow(/QuoteSnapshot.*field "payload\.bidUsd"/);
    expect(journal.lastSeq()).toBe(0);
    journal.close();
  });

  it("rejects a stale expected position with JournalConflict and writes nothing", () => {
    const journal = fresh();
    const e = {
      type: "CycleStarted" as const,
      version: 1 as const,
      ts: 1,
      payload: { cycle: 1, symbols: ["SPY"], gatewayTimeMs: 1 },
    };
    journal.append("live", SESSION, [e], { expectedPos: 0 });
    expect(() => journal.append("live", SESSION, [e], { expectedPos: 0 })).toThrow(JournalConflict);
    expect(journal.nextPos("live", SESSION)).toBe(1);
    journal.append("replay-x", SESSION, [e], { expectedPos: 0 });
    expect(journal.lastSeq()).toBe(2);
    journal.close();
  });

  it("filters reads by stream, session, type and time, paging through large journals", () => {
    const journal = fresh();
    const batch = Array.from({ length: 4500 }, (_, i) => ({
      type: "CycleStarted" as const,
      version: 1 as const,
      ts: i,
      payload: { cycle: i, symbols: ["SPY"], gatewayTimeMs: i },
    }));
    journal.append("live", SESSION, batch);
    journal.append("live", "2026-02-05", batch.slice(0, 10));
    expect([...journal.read({ session: SESSION })].length).toBe(4500);
    expect([...journal.read({ sessions: ["2026-02-05"] })].length).toBe(10);
    expect([...journal.read({ fromTs: 100, toTs: 200, session: SESSION })].map((e) => e.ts)).toEqual(
      Array.from({ length: 100 }, (_, i) => 100 + i),
    );
    expect([...journal.read({ types: ["GatewayNotice"] })]).toEqual([]);
    expect(journal.sessions().map((s) => [s.session, s.events])).toEqual([
      [SESSION, 4500],
      ["2026-02-05", 10],
    ]);
    journal.close();
  });
});

describe("immutability and the hash chain", () => {
  it("rejects UPDATE and DELETE from a raw SQLite connection (the triggers live in the file)", () => {
    const journal = fresh();
    journal.append("live", SESSION, [
      { type: "CycleStarted", version: 1, ts: 1, payload: { cycle: 1, symbols: ["SPY"], gatewayTimeMs: 1 } },
    ]);
    const path = journal.location;
    journal.close();
    const raw = new Database(path);
    expect(() => raw.prepare("UPDATE events SET ts = 2").run()).toThrow(/immutable/);
    expect(() => raw.prepare("DELETE FROM events").run()).toThrow(/immutable/);
    raw.close();
  });

  it("catches a flipped payload byte at exactly that seq", () => {
    fc.assert(
      fc.property(
        fc.array(arbNewEvent, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        (events, rowPick, bytePick) => {
          const journal = fresh();
          const stored = journal.append("live", SESSION, events);
          expect(journal.verify().ok).toBe(true);
          const path = journal.location;
          journal.close();
          const copy = `${path}.tampered`;
          copyFileSync(path, copy);
          const raw = new Database(copy);
          raw.exec("DROP TRIGGER events_no_update");
          const target = stored[rowPick % stored.length]!;
          const { payload } = raw.prepare("SELECT payload FROM events WHERE seq = ?").get(target.seq) as {
            payload: string;
          };
          const i = bytePick % payload.length;
          const flipped =
            payload.slice(0, i) + String.fromCharCode(payload.charCodeAt(i) ^ 1) + payload.slice(i + 1);
          raw.prepare("UPDATE events SET payload = ? WHERE seq = ?").run(flipped, target.seq);
          raw.close();
          const tampered = openJournal(copy, { readonly: true });
          const report = tampered.verify();
          tampered.close();
          expect(report.ok).toBe(false);
          expect(report.firstBad?.seq).toBe(target.seq);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("reads a v1 GatewayNotice written by hand as the current v2", () => {
    const journal = fresh();
    const path = journal.location;
    journal.close();
    const raw = new Database(path);
    const row = {
      seq: 1,
      id: "01HOLDNOTICE0000000000000A",
      stream: "live",
      session: SESSION,
      pos: 0,
      type: "GatewayNotice",
      version: 1,
      ts: 5,
      causation: null,
      correlation: null,
      payload: canonicalJson({ code: 2104, message: "Market data farm connection is OK:usfarm", reqId: -1 }),
    };
    raw
      .prepare(
        "INSERT INTO events VALUES (@seq,@id,@stream,@session,@pos,@type,@version,@ts,@causation,@correlation,@payload,@hash)",
      )
      .run({
        ...row,
        hash: rowHash(GENESIS_HASH, row),
      });
    raw.close();
    const reopened = openJournal(path, { readonly: true });
    const [event] = [...reopened.read()];
    expect(event?.version).toBe(2);
    expect(event?.payload).toEqual({
      code: 2104,
      message: "Market data farm connection is OK:usfarm",
      reqId: -1,
      severity: "info",
    });
    expect(reopened.verify().ok).toBe(true);
    reopened.close();
  });
});

describe("bad input", () => {
  it("refuses a file that is not SQLite, naming it, and leaves it unchanged", () => {
    const path = join(dir, "notes.db");
    writeFileSync(path, "these are my notes, not a database\n".repeat(200));
    const before = readFileSync(path);
    expect(() => openJournal(path)).toThrow(/notes\.db.*not a SQLite journal/);
    expect(readFileSync(path)).toEqual(before);
  });

  it("refuses a journal written by a newer schema version", () => {
    const journal = fresh();
    const path = journal.location;
    journal.close();
    const raw = new Database(path);
    raw.pragma("user_version = 99");
    raw.close();
    expect(() => openJournal(path)).toThrow(/schema version 99.*newer version.*upgrade/);
    expect(() => openJournal(path, { readonly: true })).toThrow(/newer version/);
  });

  it("says the directory is missing instead of creating it", () => {
    expect(() => openJournal(join(dir, "nope", "journal.db"))).toThrow(/directory .*nope does not exist/);
  });

  it("appends nothing to a read-only file and says so", () => {
    const journal = fresh();
    journal.append("live", SESSION, [
      { type: "CycleStarted", version: 1, ts: 1, payload: { cycle: 1, symbols: ["SPY"], gatewayTimeMs: 1 } },
    ]);
    const path = journal.location;
    journal.close();
    const ro = openJournal(path, { readonly: true });
    expect(() =>
      ro.append("live", SESSION, [
        {
          type: "CycleStarted",
          version: 1,
          ts: 2,
          payload: { cycle: 2, symbols: ["SPY"], gatewayTimeMs: 2 },
        },
      ]),
    ).toThrow(/read-only/);
    expect(ro.lastSeq()).toBe(1);
    ro.close();
    if (process.getuid?.() !== 0) {
      chmodSync(path, 0o444);
      expect(() => openJournal(path)).toThrow(/read-only|readonly/);
    }
  });

  it("refuses a missing journal when opening read-only, creating nothing", () => {
    expect(() => openJournal(join(dir, "missing.db"), { readonly: true })).toThrow(/no such journal/);
  });
});

describe("export and import", () => {
  it("round-trips a session byte for byte, and importing twice adds nothing", () => {
    const source = fresh();
    const events = fc.sample(arbNewEvent, { numRuns: 50, seed: 7 });
    source.append("live", SESSION, events);
    const exported = [...source.read({ session: SESSION })].map((e) => `${toJsonLine(e)}\n`).join("");
    const target = fresh(2);
    expect(importJsonLines(target, exported, "s.jsonl")).toEqual({ lines: 50, added: 50, alreadyPresent: 0 });
    expect(importJsonLines(target, exported, "s.jsonl")).toEqual({ lines: 50, added: 0, alreadyPresent: 50 });
    const again = [...target.read({ session: SESSION })].map((e) => `${toJsonLine(e)}\n`).join("");
    expect(again).toBe(exported);
    expect(target.verify().ok).toBe(true);
    source.close();
    target.close();
  });

  it("names the bad line and writes nothing of the file", () => {
    const target = fresh();
    const good = JSON.stringify({
      id: "01J00000000000000000000001",
      stream: "live",
      session: SESSION,
      pos: 0,
      type: "CycleStarted",
      version: 1,
      ts: 1,
      causation: null,
      correlation: null,
      payload: { cycle: 1, symbols: ["SPY"], gatewayTimeMs: 1 },
    });
    const bad = good.replace('"cycle":1', '"cycle":"one"').replace("0001", "0002");
    expect(() => importJsonLines(target, `${good}\n${bad}\n`, "bad.jsonl")).toThrow(
      /bad\.jsonl:2: .*payload\.cycle/,
    );
    expect(target.lastSeq()).toBe(0);
    target.close();
  });
});

describe("the wire store's view", () => {
  it("v_wire survives a refresh of the post-mortem views (a new code version re-creates them)", () => {
    const path = join(dir, "wire.db");
    const journal = openJournal(path);
    appendWireFrames(journal.sql, SESSION, [{ conn: 0, dir: "in", ts: 1, bytes: Buffer.from("abcd\u0000") }]);
    journal.close();
    // As if another version of the views had been installed: the next writable open refreshes them.
    const db = new Database(path);
    db.prepare("UPDATE journal_meta SET value = 'an older version' WHERE key = 'views'").run();
    db.close();
    openJournal(path).close();
    const after = new Database(path, { readonly: true });
    try {
      expect(after.prepare("SELECT count(*) AS n FROM v_wire").get()).toEqual({ n: 1 });
    } finally {
      after.close();
    }
  });
});
