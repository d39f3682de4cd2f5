/**
 * Faults in words, never stack traces: the built CLI on a real journal with a page zeroed (and one
 * with its header zeroed), on a real full disk (a small tmpfs), and writing its output to a full
 * disk or a closed pipe. Each command ends with exit 1 and one line naming the file, the problem
 * and what to do next.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BIN, cli, expectOneLineFailure, SAMPLE_0204, SAMPLE_0205, zeroPage } from "./support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "faults-"));
const disk = join(dir, "small-disk");
mkdirSync(disk);
// A real full disk: a 16 MB tmpfs (root may mount one here; elsewhere the full-disk cases skip).
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", disk]).status === 0;
afterAll(() => {
  if (mounted) spawnSync("umount", ["-l", disk]);
  rmSync(dir, { recursive: true, force: true });
});

const count = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe("a damaged journal file", () => {
  const damaged = join(dir, "damaged.db");
  beforeAll(() => {
    copyFileSync(inject("sampleJournal"), damaged);
    zeroPage(damaged, { table: "events", offset: 40 });
  });

  it("every command names the file and the damage and points at journal restore, exit 1, one line", () => {
    const words =
      /JournalDamaged: .*damaged\.db: the database file is damaged \(SQLITE_CORRUPT: database disk image is malformed\).*journal restore --from BACKUP --journal .*damaged\.db/;
    for (const args of [
      ["sessions"],
      ["verify"],
      ["verify", "--session", "2026-02-04"],
      ["export", "--session", "2026-02-04"],
      ["positions"],
      ["orders"],
      ["sql", "SELECT count(*), sum(length(payload)) FROM events"],
      ["replay", "--session", "2026-02-04", "--out", join(dir, "replay-of-damaged.db"), "--json"],
      ["report", "--session", "2026-02-04", "--out", join(dir, "report-of-damaged.html")],
      ["import", SAMPLE_0205],
      ["rebuild"],
    ]) {
      const r = cli([...args, "--journal", damaged], dir);
      expectOneLineFailure(r, words, args.join(" "));
    }
  }, 120_000);

  it("a backup of it says the journal is damaged (not the copy), makes none and leaves no partial file", () => {
    const out = join(dir, "backup-of-damaged.db");
    const r = cli(["backup", "--journal", damaged, "--out", out], dir);
    expectOneLineFailure(
      r,
      /BackupFailed: .*backup-of-damaged\.db: .*damaged\.db is damaged \(SQLITE_CORRUPT.*none was made — see `journal verify --journal .*damaged\.db`, and restore the last good backup with `journal restore/,
      "backup",
    );
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes(".partial-"))).toEqual([]);
  });

  it("a zeroed header: every command says it is not a SQLite journal, or a damaged one to restore", () => {
    const headless = join(dir, "headless.db");
    copyFileSync(inject("sampleJournal"), headless);
    zeroPage(headless, "header");
    for (const args of [
      ["sessions"],
      ["verify"],
      ["import", SAMPLE_0205],
      ["backup", "--out", join(dir, "h.db")],
    ]) {
      const r = cli([...args, "--journal", headless], dir);
      expectOneLineFailure(r, /headless\.db: .*(not a SQLite journal|damaged).*journal restore/, args[0]);
    }
  });
});

/** Fill the small disk until `leave` bytes are free (a filler file; the previous one replaced). */
function fillDisk(leave: number): void {
  const filler = join(disk, "filler");
  rmSync(filler, { force: true });
  const s = statfsSync(disk);
  const toWrite = s.bavail * s.bsize - leave;
  const fd = openSync(filler, "w");
  const chunk = Buffer.alloc(1 << 16);
  try {
    for (let written = 0; written < toWrite; ) {
      const n = writeSync(fd, chunk, 0, Math.min(chunk.length, toWrite - written));
      written += n;
    }
  } catch {
    // Full already: that is the point.
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!mounted)("a full disk (a 16 MB tmpfs, filled)", () => {
  const full = /the disk is full \((SQLITE_FULL|SQLITE_IOERR\w*|ENOSPC)/;
  let journal: string;
  beforeAll(() => {
    journal = join(disk, "journal.db");
    const r = cli(["import", SAMPLE_0204, "--journal", journal], dir);
    expect(r.status, r.stderr).toBe(0);
  });

  it("an import, a replay, a backup and a restore onto it say the disk is full; the journal is intact", () => {
    fillDisk(96 << 10);
    const before = count(journal);
    for (const [args, words] of [
      [["import", SAMPLE_0205, "--journal", journal], /JournalWriteFailed: .*journal\.db: the disk is full/],
      [
        [
          "replay",
          "--session",
          "2026-02-04",
          "--journal",
          journal,
          "--out",
          join(disk, "replay.db"),
          "--json",
        ],
        /replay\.db: the disk is full/,
      ],
      [
        ["backup", "--journal", journal, "--out", join(disk, "backup.db")],
        /BackupFailed: .*backup\.db: the disk is full/,
      ],
      [
        ["restore", "--from", inject("sampleJournal"), "--journal", journal],
        /RestoreFailed: .*: the disk is full .*nothing was moved/,
      ],
    ] as const) {
      const r = cli(args, dir);
      expectOneLineFailure(r, words, args[0]);
      expect(r.stderr).toMatch(full);
    }
    expect(count(journal)).toBe(before);
    expect(readdirSync(disk).filter((f) => /partial|restore-|before-restore/.test(f))).toEqual([]);
  }, 120_000);

  it("with not a byte left, readers and live say the disk is full too (SQLite's -shm cannot grow: an I/O error)", () => {
    // Readers left an empty -wal and the -shm index beside it; with neither, a reader must create the index.
    for (const side of ["-wal", "-shm"]) {
      if (side === "-wal" && existsSync(journal + side)) expect(statSync(journal + side).size).toBe(0);
      rmSync(journal + side, { force: true });
    }
    fillDisk(0);
    for (const args of [
      ["sessions"],
      ["verify"],
      ["export", "--session", "2026-02-04"],
      ["sql", "SELECT count(*) FROM events"],
    ]) {
      const r = cli([...args, "--journal", journal], dir);
      expectOneLineFailure(r, /journal\.db: the disk is full \(SQLITE_IOERR_SHMSIZE/, args[0]);
    }
    // live stops before it connects anywhere: the writer lock beside a new journal cannot be written.
    const live = cli(["live", "--quiet", "--port", "9", "--journal", join(disk, "live.db")], dir);
    expectOneLineFailure(live, /live\.db.*: the disk is full/, "live");
  }, 60_000);

  it("export and sql to a file on the full disk end with one line, not an unhandled 'error' event", () => {
    for (const args of [
      ["export", "--session", "2026-02-04"],
      // The rows come from the SQL child, which writes stdout itself.
      ["sql", "--format", "csv", "SELECT * FROM events"],
    ]) {
      const file = join(disk, "output");
      rmSync(file, { force: true });
      fillDisk(64 << 10);
      const out = openSync(file, "w");
      const r = spawnSync(process.execPath, [BIN, ...args, "--journal", inject("sampleJournal")], {
        stdio: ["ignore", out, "pipe"],
        encoding: "utf8",
      });
      closeSync(out);
      expectOneLineFailure(
        { status: r.status, stdout: "", stderr: r.stderr },
        /cannot write the output to stdout \(ENOSPC\), so it is incomplete: the disk is full/,
        args[0]!,
      );
    }
  });
});

describe("output to a reader that went away", () => {
  it("export into a pipe closed after the first chunk (| head) ends quietly with exit 0, not an unhandled 'error' event", async () => {
    const child = spawn(
      process.execPath,
      [BIN, "export", "--session", "2026-02-04", "--journal", inject("sampleJournal")],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
  });
});
