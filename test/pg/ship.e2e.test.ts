/**
 * `journal ship` as a timer runs it: real child processes, a real PostgreSQL, two bots into one
 * database, a SIGKILL in the middle of a shipment, and a second pass that must add nothing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticSession, tradingDays } from "../../bench/synthetic-journal.js";
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
const dir = mkdtempSync(join(tmpdir(), "journal-ship-"));
let url = "";
const botA = join(dir, "bot-a.db");
const botB = join(dir, "bot-b.db");

/** The built CLI in a child process; resolves with its exit code and output. */
function journal(args: string[], onStderrLine?: (line: string, child: ChildProcess) => void) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    stderr += text;
    if (onStderrLine) for (const line of text.split("\n").filter(Boolean)) onStderrLine(line, child);
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** Every row of a SQLite journal as the chain sees it. */
function sourceRows(path: string) {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare("SELECT seq, id, hash FROM events ORDER BY seq").all() as {
    seq: number;
    id: string;
    hash: string;
  }[];
  db.close();
  return rows;
}

async function shippedRows(bot: string) {
  return asOwner<{ seq: number; id: string; hash: string }>(
    url,
    "SELECT seq::int AS seq, id, hash FROM events WHERE bot = $1 ORDER BY seq",
    [bot],
  );
}

beforeAll(async () => {
  if (!PG_URL) return;
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
  url = await freshDatabase(PG_URL);
  const a = openJournal(botA, { idGen: new SeededIdGen(1) });
  for (const session of tradingDays(8)) a.append("live", session, syntheticSession(session, 78));
  a.close();
  const b = openJournal(botB, { idGen: new SeededIdGen(2) });
  for (const day of ["2026-02-04", "2026-02-05"])
    importJsonLines(b, readFileSync(join(ROOT, "data", "sample", `${day}.jsonl`), "utf8"), `${day}.jsonl`);
  b.close();
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (url) await dropDatabase(url);
});

/**
 * Lock `url`'s events table, then (in the background) wait until another connection is queued
 * on it, end every connection but the lock's, and release it. Resolves once the lock is held,
 * with the promise of the rest (wrapped: a promise resolved with a promise would wait for it).
 */
async function dropWhileWaiting(url: string): Promise<{ done: Promise<void> }> {
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  await locker.query("BEGIN");
  await locker.query("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
  const [{ pid }] = (await locker.query("SELECT pg_backend_pid() AS pid")).rows as [{ pid: number }];
  const done = (async () => {
    try {
      await pollUntil(
        "the shipper's batch waiting on the lock",
        async () =>
          (
            await asOwner<{ n: number }>(
              url,
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
          )[0]!.n > 0,
      );
      await asOwner(
        url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> $1",
        [pid],
      );
    } finally {
      await locker.query("ROLLBACK");
      await locker.end();
    }
  })();
  return { done };
}

/** Resolve once `predicate` holds (polled every 20 ms), or fail after 10 s. */
async function pollUntil(what: string, predicate: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!PG_URL)("journal ship to PostgreSQL", () => {
  it("ships two bots into one database exactly once, through a SIGKILL mid-shipment, and a second pass adds nothing", async () => {
    const totalA = sourceRows(botA).length;
    expect(totalA).toBeGreaterThan(10_000);
    // First shipment of bot A, killed after a few committed batches.
    let batches = 0;
    const killed = await journal(
      ["ship", "--journal", botA, "--to", url, "--bot", "pi-a", "--batch", "200", "--progress"],
      (line, child) => {
        if (line.startsWith("shipped") && ++batches === 5) child.kill("SIGKILL");
      },
    );
    expect(killed.signal).toBe("SIGKILL");
    const afterKill = (await shippedRows("pi-a")).length;
    expect(afterKill).toBeGreaterThanOrEqual(1000);
    expect(afterKill).toBeLessThan(totalA);

    const resumed = await journal(["ship", "--journal", botA, "--to", url, "--bot", "pi-a", "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      bot: "pi-a",
      shipped: totalA - afterKill,
      fromSeq: afterKill,
    });
    const b = await journal(["ship", "--journal", botB, "--to", url, "--bot", "pi-b"]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/shipped 3\d{3} events of bot pi-b/);

    // Second pass over both: nothing new.
    for (const [path, bot] of [
      [botA, "pi-a"],
      [botB, "pi-b"],
    ] as const) {
      const again = await journal(["ship", "--journal", path, "--to", url, "--bot", bot, "--json"]);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).shipped).toBe(0);
      // Exactly the source's rows: same seq, ids and hashes, each once.
      expect(await shippedRows(bot)).toEqual(sourceRows(path));
    }
    const [{ n, ids }] = (await asOwner<{ n: number; ids: number }>(
      url,
      "SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM events",
    )) as [{ n: number; ids: number }];
    expect(ids).toBe(n);
    const fleet = await openAsyncJournal(url, { readonly: true });
    try {
      const report = await fleet.verify();
      expect(report).toEqual({ ok: true, checked: n });
      const bots = new Set((await fleet.sessions()).map((s) => s.bot));
      expect(bots).toEqual(new Set(["pi-a", "pi-b"]));
    } finally {
      await fleet.close();
    }
  });

  it("resumes exactly once after the database drops the connection mid-shipment", async () => {
    const other = await freshDatabase(PG_URL!);
    try {
      const source = openJournal(botB, { readonly: true });
      const first = await openShipTarget(other, "pi-drop");
      let batches = 0;
      // After two committed batches the server ends every connection of the shipper (a network drop)
      // while its third batch is in flight: a lock held on the table makes that batch wait in the
      // server, so the drop lands mid-batch however loaded the machine (dropped between batches,
      // the target's pool would just reconnect). However the client notices (a socket error, the
      // server's notice, pg's own), it is one message.
      let dropped: Promise<void> = Promise.resolve();
      await expect(
        shipJournal(source, first, {
          batchSize: 500,
          onBatch: async () => {
            if (++batches === 2) dropped = (await dropWhileWaiting(other)).done;
          },
        }),
      ).rejects.toThrow(
        /^ShipInterrupted: the connection to .* was lost while storing seq \d+\.\.\d+ .*run ship again/,
      );
      await dropped;
      await first.close().catch(() => undefined);
      const [{ n }] = (await asOwner<{ n: number }>(other, "SELECT count(*)::int AS n FROM events")) as [
        { n: number },
      ];
      expect(n).toBeGreaterThanOrEqual(1000);
      expect(n).toBeLessThan(sourceRows(botB).length);
      const again = await openShipTarget(other, "pi-drop");
      const result = await shipJournal(source, again, { batchSize: 500 });
      await again.close();
      source.close();
      expect(result).toMatchObject({ fromSeq: n, shipped: sourceRows(botB).length - n });
      const rows = await asOwner(other, "SELECT seq::int AS seq, id, hash FROM events ORDER BY seq");
      expect(rows).toEqual(sourceRows(botB));
    } finally {
      await dropDatabase(other);
    }
  });

  it("refuses a source with a changed row before it ships anything, naming its seq", async () => {
    const tampered = join(dir, "tampered.db");
    copyFileSync(botA, tampered);
    const raw = new Database(tampered);
    raw.exec("DROP TRIGGER events_no_update");
    raw.prepare("UPDATE events SET ts = ts + 1 WHERE seq = 1234").run();
    raw.close();
    // A database of its own: the untampered rows are already in the shared one (ids are unique there).
    const other = await freshDatabase(PG_URL!);
    try {
      const r = await journal([
        "ship",
        "--journal",
        tampered,
        "--to",
        other,
        "--bot",
        "pi-a",
        "--batch",
        "500",
      ]);
      expect(r.code).toBe(1);
      // The source is verified first (as live verifies before it appends): nothing is shipped.
      expect(r.stderr).toMatch(/JournalBroken: \S+ is broken at seq 1234: .*journal ship refuses/);
      // Refused before it even opened the target: not a row there, not even the table.
      const [{ n }] = (await asOwner<{ n: number }>(
        other,
        "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'events'",
      )) as [{ n: number }];
      expect(n).toBe(0);
      // Shipping itself still checks each link as it goes, and stops at the changed row's batch.
      const target = await openShipTarget(other, "pi-a");
      const source = openJournal(tampered, { readonly: true });
      try {
        await expect(shipJournal(source, target, { batchSize: 500 })).rejects.toThrow(
          /ChainBroken at seq 1234/,
        );
      } finally {
        source.close();
        await target.close();
      }
      const [{ m }] = (await asOwner<{ m: number }>(other, "SELECT count(*)::int AS m FROM events")) as [
        { m: number },
      ];
      expect(m).toBe(1000);
    } finally {
      await dropDatabase(other);
    }
  });

  it("refuses events already shipped under another bot name", async () => {
    const r = await journal(["ship", "--journal", botB, "--to", url, "--bot", "pi-b-renamed"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already in .* under bot pi-b/);
    expect(await shippedRows("pi-b-renamed")).toEqual([]);
  });

  it("refuses to ship another journal under a bot name that already holds a chain", async () => {
    const r = await journal(["ship", "--journal", botB, "--to", url, "--bot", "pi-a"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/another journal; ship it under another --bot/);
    expect((await shippedRows("pi-a")).length).toBe(sourceRows(botA).length);
  });
});
