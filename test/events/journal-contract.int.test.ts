/**
 * One contract, two stores: every guarantee of the journal checked against SQLite (a file) and
 * PostgreSQL (a database on the test cluster) through the same async interface. The PostgreSQL
 * half is skipped only when no cluster is configured (never under CI).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  type AsyncJournal,
  type ChainRow,
  canonicalJson,
  DuplicateIdMismatch,
  GENESIS_HASH,
  InvalidEvent,
  JournalConflict,
  type NewEvent,
  openAsyncJournal,
  rowHash,
  SeededIdGen,
} from "../../src/events/index.js";
import { asOwner, dropDatabase, freshDatabase, testPgUrl } from "../pg/pg-support.js";
import { arbNewEvent } from "../support/events.js";

const SESSION = "2026-02-04";
const cycle = (n: number, ts = 1_770_000_000_000 + n): NewEvent => ({
  type: "CycleStarted",
  version: 1,
  ts,
  payload: { cycle: n, symbols: ["SPY"], gatewayTimeMs: ts },
});

/** What the contract needs from a store besides the interface: raw access as its owner. */
interface Backend {
  name: string;
  /** A new, empty journal (appends as bot "contract" on PostgreSQL). */
  open(seed?: number): Promise<AsyncJournal>;
  /** Run a write outside the journal's code; must throw when the database refuses it. */
  rawWrite(journal: AsyncJournal, sql: string): Promise<void>;
  /** Insert a row exactly as given (hash included), bypassing the journal. */
  rawInsert(journal: AsyncJournal, row: ChainRow): Promise<void>;
  /** Change a stored payload as someone with the owner's rights would (immutability switched off). */
  tamper(journal: AsyncJournal, seq: number, payload: string): Promise<AsyncJournal>;
  /** The rows as stored. */
  rawPayload(journal: AsyncJournal, seq: number): Promise<string>;
}

const dir = mkdtempSync(join(tmpdir(), "journal-contract-"));
let files = 0;
const sqlite: Backend = {
  name: "SQLite",
  open: (seed = 1) => openAsyncJournal(join(dir, `j${files++}.db`), { idGen: new SeededIdGen(seed) }),
  async rawWrite(journal, sql) {
    const raw = new Database(journal.location);
    try {
      raw.exec(sql);
    } finally {
      raw.close();
    }
  },
  async rawInsert(journal, row) {
    const raw = new Database(journal.location);
    raw
      .prepare(
        "INSERT INTO events VALUES (@seq,@id,@stream,@session,@pos,@type,@version,@ts,@causation,@correlation,@payload,@hash)",
      )
      .run(row);
    raw.close();
  },
  async tamper(journal, seq, payload) {
    await journal.close();
    const raw = new Database(journal.location);
    raw.exec("DROP TRIGGER events_no_update");
    raw.prepare("UPDATE events SET payload = ? WHERE seq = ?").run(payload, seq);
    raw.close();
    return openAsyncJournal(journal.location, { readonly: true });
  },
  async rawPayload(journal, seq) {
    const raw = new Database(journal.location, { readonly: true });
    const row = raw.prepare("SELECT payload FROM events WHERE seq = ?").get(seq) as { payload: string };
    raw.close();
    return row.payload;
  },
};

const PG_URL = testPgUrl();
const databases: string[] = [];
const urls = new WeakMap<AsyncJournal, string>();
const postgres: Backend = {
  name: "PostgreSQL",
  async open(seed = 1) {
    const url = await freshDatabase(PG_URL!);
    databases.push(url);
    const journal = await openAsyncJournal(url, { bot: "contract", idGen: new SeededIdGen(seed) });
    urls.set(journal, url);
    return journal;
  },
  async rawWrite(journal, sql) {
    await asOwner(urls.get(journal)!, sql);
  },
  async rawInsert(journal, row) {
    await asOwner(
      urls.get(journal)!,
      "INSERT INTO events (bot, seq, id, stream, session, pos, type, version, ts, causation, correlation, payload, hash) VALUES ('contract', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      [
        row.seq,
        row.id,
        row.stream,
        row.session,
        row.pos,
        row.type,
        row.version,
        row.ts,
        row.causation,
        row.correlation,
        row.payload,
        row.hash,
      ],
    );
  },
  async tamper(journal, seq, payload) {
    // As the owner one can switch the trigger off; the chain still gives the row away.
    const url = urls.get(journal)!;
    await asOwner(url, "ALTER TABLE events DISABLE TRIGGER events_no_update_delete");
    await asOwner(url, "UPDATE events SET payload = $1 WHERE bot = 'contract' AND seq = $2", [payload, seq]);
    await asOwner(url, "ALTER TABLE events ENABLE TRIGGER events_no_update_delete");
    return journal;
  },
  async rawPayload(journal, seq) {
    const rows = await asOwner<{ payload: string }>(
      urls.get(journal)!,
      "SELECT payload FROM events WHERE bot = 'contract' AND seq = $1",
      [seq],
    );
    return rows[0]!.payload;
  },
};

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const url of databases) await dropDatabase(url);
});

async function all(journal: AsyncJournal, filter = {}) {
  const out = [];
  for await (const event of journal.read(filter)) out.push(event);
  return out;
}

for (const backend of [sqlite, postgres]) {
  describe.skipIf(backend === postgres && !PG_URL)(`journal contract on ${backend.name}`, () => {
    const use = async <T>(fn: (journal: AsyncJournal) => Promise<T>, seed = 1): Promise<T> => {
      const journal = await backend.open(seed);
      try {
        return await fn(journal);
      } finally {
        await journal.close();
      }
    };

    it("reads back random batches as appended, in order, with gap-free seq and pos and a verified chain", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(arbNewEvent, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
          (batches) =>
            use(async (journal) => {
              const appended = [];
              for (const batch of batches) appended.push(...(await journal.append("live", SESSION, batch)));
              const read = await all(journal);
              expect(read).toEqual(appended);
              expect(read.map((e) => e.seq)).toEqual(read.map((_, i) => i + 1));
              expect(read.map((e) => e.pos)).toEqual(read.map((_, i) => i));
              expect(await journal.lastSeq()).toBe(read.length);
              expect(await journal.nextPos("live", SESSION)).toBe(read.length);
              expect((await journal.verify()).ok).toBe(true);
            }),
        ),
        { numRuns: backend === postgres ? 8 : 20 },
      );
    });

    it("gives the same hashes for the same events on either store (one chain function)", async () => {
      const events = [cycle(1), cycle(2), cycle(3)];
      const here = await use((journal) => journal.append("live", SESSION, events), 7);
      let prev = GENESIS_HASH;
      for (const event of here) {
        const { hash, ...rest } = event;
        const expected = rowHash(prev, { ...rest, payload: JSON.stringify(event.payload) });
        expect(hash).toBe(expected);
        prev = hash;
      }
      const other = await (backend === sqlite ? (PG_URL ? postgres : sqlite) : sqlite).open(7);
      try {
        expect((await other.append("live", SESSION, events)).map((e) => e.hash)).toEqual(
          here.map((e) => e.hash),
        );
      } finally {
        await other.close();
      }
    });

    it("keeps one copy when an event is appended twice with the same id, and refuses a changed body", async () => {
      await use(async (journal) => {
        const first = await journal.append("live", SESSION, [
          { ...cycle(1), id: "01J00000000000000000000001" },
        ]);
        const again = await journal.append("live", SESSION, [
          { ...cycle(1), id: "01J00000000000000000000001" },
          { ...cycle(2), id: "01J00000000000000000000002" },
        ]);
        expect(again[0]).toEqual(first[0]);
        expect(again[1]?.seq).toBe(2);
        expect(await journal.lastSeq()).toBe(2);
        await expect(
          journal.append("live", SESSION, [{ ...cycle(9), id: "01J00000000000000000000001" }]),
        ).rejects.toBeInstanceOf(DuplicateIdMismatch);
        expect(await journal.lastSeq()).toBe(2);
        expect((await journal.get("01J00000000000000000000002"))?.seq).toBe(2);
        expect(await journal.get("01J0000000000000000000NONE")).toBeUndefined();
      });
    });

    it("refuses an invalid payload and a stale expected position, writing nothing of the batch", async () => {
      await use(async (journal) => {
        await journal.append("live", SESSION, [cycle(1)]);
        const bad = { ...cycle(2), payload: { cycle: -1, symbols: ["SPY"], gatewayTimeMs: 1 } } as NewEvent;
        await expect(journal.append("live", SESSION, [cycle(3), bad])).rejects.toBeInstanceOf(InvalidEvent);
        await expect(journal.append("live", SESSION, [cycle(3)], { expectedPos: 0 })).rejects.toBeInstanceOf(
          JournalConflict,
        );
        expect(await journal.lastSeq()).toBe(1);
        await journal.append("live", SESSION, [cycle(3)], { expectedPos: 1 });
        expect(await journal.nextPos("live", SESSION)).toBe(2);
      });
    });

    it("pages through a large journal in seq order, with filters", async () => {
      await use(async (journal) => {
        const n = 4500;
        const events: NewEvent[] = [];
        for (let i = 0; i < n; i++) events.push(cycle(i));
        const notice: NewEvent = {
          type: "GatewayNotice",
          version: 2,
          ts: 1_770_000_000_000,
          payload: { code: 2104, message: "ok", reqId: -1, severity: "info" },
        };
        await journal.append("live", SESSION, events.slice(0, 3000));
        await journal.append("live", "2026-02-05", [notice]);
        await journal.append("live", SESSION, events.slice(3000));
        const read = await all(journal);
        expect(read.length).toBe(n + 1);
        expect(read.map((e) => e.seq)).toEqual(read.map((_, i) => i + 1));
        expect((await all(journal, { session: SESSION })).length).toBe(n);
        expect((await all(journal, { types: ["GatewayNotice"] })).map((e) => e.seq)).toEqual([3001]);
        expect((await all(journal, { fromSeq: 2999, toSeq: 3003 })).map((e) => e.seq)).toEqual([
          2999, 3000, 3001, 3002,
        ]);
        expect(await journal.sessionIds("live")).toEqual([SESSION, "2026-02-05"]);
        const sessions = await journal.sessions();
        expect(sessions.map((s) => [s.session, s.events, s.firstSeq, s.lastSeq])).toEqual([
          [SESSION, n, 1, n + 1],
          ["2026-02-05", 1, 3001, 3001],
        ]);
      });
    });

    it("refuses UPDATE and DELETE in the database itself", async () => {
      await use(async (journal) => {
        await journal.append("live", SESSION, [cycle(1)]);
        await expect(backend.rawWrite(journal, "UPDATE events SET ts = 2")).rejects.toThrow(/immutable/);
        await expect(backend.rawWrite(journal, "DELETE FROM events")).rejects.toThrow(/immutable/);
        expect(await journal.lastSeq()).toBe(1);
      });
    });

    it("catches a changed payload byte at exactly its seq", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(arbNewEvent, { minLength: 2, maxLength: 10 }),
          fc.nat(),
          fc.nat(),
          (events, rowPick, bytePick) =>
            use(async (journal) => {
              const stored = await journal.append("live", SESSION, events);
              const target = stored[rowPick % stored.length]!;
              const payload = await backend.rawPayload(journal, target.seq);
              const i = bytePick % payload.length;
              const flipped =
                payload.slice(0, i) + String.fromCharCode(payload.charCodeAt(i) ^ 1) + payload.slice(i + 1);
              const tampered = await backend.tamper(journal, target.seq, flipped);
              const report = await tampered.verify();
              if (tampered !== journal) await tampered.close();
              expect(report.ok).toBe(false);
              expect(report.firstBad?.seq).toBe(target.seq);
            }),
        ),
        { numRuns: backend === postgres ? 6 : 15 },
      );
    });

    it("reads a v1 GatewayNotice stored by hand as the current v2", async () => {
      await use(async (journal) => {
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
          payload: canonicalJson({
            code: 2104,
            message: "Market data farm connection is OK:usfarm",
            reqId: -1,
          }),
        };
        await backend.rawInsert(journal, { ...row, hash: rowHash(GENESIS_HASH, row) });
        const [event] = await all(journal);
        expect(event?.version).toBe(2);
        expect(event?.payload).toEqual({
          code: 2104,
          message: "Market data farm connection is OK:usfarm",
          reqId: -1,
          severity: "info",
        });
        expect((await journal.verify()).ok).toBe(true);
        // The next append continues the chain from the hand-written row.
        await journal.append("live", SESSION, [cycle(1)]);
        expect((await journal.verify()).ok).toBe(true);
      });
    });
  });
}
