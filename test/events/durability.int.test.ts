/**
 * What SQLite alone would not refuse: a journal whose -wal was lost after an unclean stop (the
 * seq mark), and writes that fail in the environment (disk full) — with real files, a real
 * SIGKILLed writer process and a real full filesystem.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type JournalError,
  type NewEvent,
  openJournal,
  SeededIdGen,
  seqMarkPath,
} from "../../src/events/index.js";
import { JOURNAL_WRITER as WRITER } from "../support/journal-writer.js";

const dir = mkdtempSync(join(tmpdir(), "journal-durability-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startWriter(path: string): { child: ChildProcess; acked: () => number } {
  const child = spawn(process.execPath, [WRITER, path, "w"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let lines = 0;
  child.stdout!.on("data", (chunk: Buffer) => {
    lines += chunk.toString().split("\n").length - 1;
  });
  return { child, acked: () => lines };
}

async function killAfter(path: string, acks: number): Promise<number> {
  const w = startWriter(path);
  const start = performance.now();
  while (w.acked() < acks) {
    if (performance.now() - start > 60_000) throw new Error("writer too slow");
    await new Promise((r) => setTimeout(r, 5));
  }
  const exited = new Promise((r) => w.child.on("exit", r));
  w.child.kill("SIGKILL");
  await exited;
  return w.acked();
}

const errorOf = (fn: () => unknown): JournalError => {
  try {
    fn();
  } catch (error) {
    return error as JournalError;
  }
  throw new Error("expected a refusal");
};

const cycle = (i: number): NewEvent => ({
  type: "CycleStarted",
  version: 1,
  ts: 1_770_000_000_000 + i,
  payload: { cycle: i, symbols: ["SPY"], gatewayTimeMs: 1_770_000_000_000 + i },
});

describe("a journal that lost its -wal is refused, never replaced", () => {
  it("refuses a young journal whose whole content was in the deleted -wal, for readers and writers", async () => {
    const path = join(dir, "young.db");
    const acked = await killAfter(path, 10);
    expect(existsSync(`${path}-wal`)).toBe(true);
    const wal = readFileSync(`${path}-wal`);
    rmSync(`${path}-wal`);
    rmSync(`${path}-shm`, { force: true });
    const size = statSync(path).size;
    for (const readonly of [false, true]) {
      const error = errorOf(() => openJournal(path, { readonly }));
      expect(error.code).toBe("JOURNAL_BEHIND");
      expect(error.message).toMatch(
        /(missing or empty|no events table), but .*young\.db-seq records that seq \d+ was committed/,
      );
      expect(error.message).toMatch(/journal restore --from BACKUP/);
    }
    // Nothing was initialised in its place.
    expect(statSync(path).size).toBe(size);
    // Putting the -wal back brings every acknowledged event back.
    writeFileSync(`${path}-wal`, wal);
    const j = openJournal(path, { readonly: true });
    expect(j.lastSeq()).toBeGreaterThanOrEqual(acked);
    expect(j.verify().ok).toBe(true);
    j.close();
  }, 90_000);

  it("refuses a journal whose .db is behind its seq mark, naming both seqs and how to accept the loss", async () => {
    const path = join(dir, "older.db");
    const j = openJournal(path, { idGen: new SeededIdGen(3) });
    j.append(
      "live",
      "2026-02-04",
      Array.from({ length: 500 }, (_, i) => cycle(i)),
    );
    j.close();
    await killAfter(path, 50);
    rmSync(`${path}-wal`);
    rmSync(`${path}-shm`, { force: true });
    const error = errorOf(() => openJournal(path));
    expect(error.code).toBe("JOURNAL_BEHIND");
    expect(error.message).toMatch(
      /it holds events up to seq 500, but .*older\.db-seq records that seq \d+ was committed/,
    );
    // Accepting the loss is an explicit act: delete the mark.
    rmSync(seqMarkPath(path));
    const k = openJournal(path);
    expect(k.lastSeq()).toBe(500);
    expect(k.verify().ok).toBe(true);
    k.close();
  }, 90_000);

  it("keeps the mark at or below the truth through a clean close, so a normal reopen is never refused", () => {
    const path = join(dir, "clean.db");
    const j = openJournal(path, { idGen: new SeededIdGen(4) });
    j.append("live", "2026-02-04", [cycle(1), cycle(2)]);
    j.sql.transaction(() => j.append("live", "2026-02-04", [cycle(3)]));
    j.close();
    expect(Number(readFileSync(seqMarkPath(path), "utf8"))).toBe(3);
    expect(openJournal(path, { readonly: true }).lastSeq()).toBe(3);
  });
});

describe("disk full", () => {
  function fillUp(path: string, limitPages?: number): { error: JournalError; stored: number } {
    const j = openJournal(path, { idGen: new SeededIdGen(5) });
    if (limitPages !== undefined) j.sql.all(`PRAGMA max_page_count = ${limitPages}`);
    let stored = 0;
    try {
      for (let batch = 0; batch < 100_000; batch++) {
        j.append(
          "live",
          "2026-02-04",
          Array.from({ length: 50 }, (_, i) => cycle(stored + i)),
        );
        stored += 50;
      }
    } catch (error) {
      return { error: error as JournalError, stored };
    } finally {
      j.close();
    }
    throw new Error("never filled up");
  }

  it("says a journal at its page limit reached a size limit (the disk has room), names the file and what to do, and keeps every committed event", () => {
    const path = join(dir, "limited.db");
    const { error, stored } = fillUp(path, 200);
    expect(error.code).toBe("JOURNAL_WRITE_FAILED");
    expect(error.message).toMatch(
      /limited\.db: the journal reached a size limit \(SQLITE_FULL, yet .* free on the disk holding .*max_page_count.*raise the limit.*nothing of a failed write is in it/,
    );
    const j = openJournal(path, { readonly: true });
    expect(j.lastSeq()).toBe(stored);
    expect(j.verify().ok).toBe(true);
    j.close();
  });

  let mounted = false;
  const mnt = join(dir, "tmpfs");
  try {
    mkdirSync(mnt);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt], { stdio: "ignore" });
    mounted = true;
  } catch {
    mounted = false;
  }
  afterAll(() => {
    if (mounted) execFileSync("umount", [mnt]);
  });

  it.skipIf(!mounted)(
    "on a really full filesystem (1 MB tmpfs): a clear message and an intact journal",
    () => {
      const path = join(mnt, "full.db");
      const { error, stored } = fillUp(path);
      expect(error.code).toBe("JOURNAL_WRITE_FAILED");
      expect(error.message).toMatch(/full\.db: the disk is full/);
      expect(stored).toBeGreaterThan(0);
      const j = openJournal(path, { readonly: true });
      expect(j.lastSeq()).toBe(stored);
      expect(j.verify().ok).toBe(true);
      j.close();
    },
  );
});
