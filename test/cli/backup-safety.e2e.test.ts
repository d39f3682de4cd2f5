/**
 * Backups that cannot destroy: `journal backup --out` on the built CLI, aimed at the journal under
 * other spellings, at its companions while a writer appends, at files that are not journals, over
 * the partial files of killed backups, and from a journal only its owner may read.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  watch,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { JOURNAL_WRITER } from "../support/journal-writer.js";
import { BIN, cli, expectOneLineFailure, stopChild } from "./support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "backup-safety-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const count = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  } finally {
    db.close();
  }
};
const fresh = (name: string) => {
  const path = join(dir, name);
  copyFileSync(inject("sampleJournal"), path);
  return path;
};

describe("journal backup never replaces the journal or its files", () => {
  it("refuses the journal itself under another spelling: a symlink, a relative path, a hard link", () => {
    const journal = fresh("self.db");
    const n = count(journal);
    symlinkSync("self.db", join(dir, "self-link.db"));
    mkdirSync(join(dir, "sub"));
    linkSync(journal, join(dir, "self-hard.db"));
    for (const out of ["self-link.db", "sub/../self.db", "self-hard.db", join(dir, "self.db")]) {
      const r = cli(["backup", "--journal", "self.db", "--out", out], dir);
      expectOneLineFailure(r, /is the journal itself/, out);
    }
    expect(count(journal)).toBe(n);
    expect(cli(["verify", "--journal", journal], dir).status).toBe(0);
  });

  it("never replaces a file of the journal, even with --force: the live -wal, -shm, -seq, lock and clientId counter keep their contents and every acknowledged event survives", async () => {
    const journal = fresh("live.db");
    const writer: ChildProcess = spawn(process.execPath, [JOURNAL_WRITER, journal, "bk"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let acked = 0;
    writer.stdout!.on("data", (c: Buffer) => {
      acked += c.toString().split("\n").length - 1;
    });
    const base = count(journal);
    writeFileSync(`${journal}.clientid`, "117\n");
    symlinkSync("live.db-wal", join(dir, "wal-alias.db"));
    try {
      while (acked < 200 || !existsSync(`${journal}-seq`)) await new Promise((r) => setTimeout(r, 10));
      for (const out of [
        "live.db-wal",
        "live.db-shm",
        "live.db-seq",
        "live.db.lock",
        "live.db.clientid",
        "wal-alias.db",
      ]) {
        for (const force of [[], ["--force"]]) {
          const r = cli(["backup", "--journal", "live.db", "--out", out, ...force], dir);
          expectOneLineFailure(r, /a file that belongs to the journal .*live\.db.*even with --force/, out);
        }
      }
      expect(readFileSync(`${journal}.clientid`, "utf8")).toBe("117\n");
    } finally {
      await stopChild(writer);
    }
    // The writer was SIGKILLed mid-append: what it acknowledged is in the journal, through its -wal.
    expect(count(journal)).toBeGreaterThanOrEqual(base + acked);
    expect(cli(["verify", "--journal", journal], dir).status).toBe(0);
  }, 120_000);
});

describe("what --out may replace", () => {
  it("an existing file that is not a journal only with --force; an earlier backup always, written through a symlink", () => {
    const journal = fresh("source.db");
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "not a journal\n");
    const sqlite = join(dir, "other-app.db");
    const db = new Database(sqlite);
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    db.close();
    for (const out of [notes, sqlite]) {
      const r = cli(["backup", "--journal", journal, "--out", out], dir);
      expectOneLineFailure(r, /exists and is not a journal: .*pass --force to replace it/, out);
    }
    expect(readFileSync(notes, "utf8")).toBe("not a journal\n");
    const forced = cli(["backup", "--journal", journal, "--out", notes, "--force"], dir);
    expect(forced.status, forced.stderr).toBe(0);
    expect(count(notes)).toBe(count(journal));

    // An earlier backup, reached through a symlink: replaced, and the link still names it.
    const earlier = join(dir, "backups", "latest.db");
    mkdirSync(join(dir, "backups"));
    expect(cli(["backup", "--journal", journal, "--out", earlier], dir).status).toBe(0);
    symlinkSync("backups/latest.db", join(dir, "latest-link.db"));
    const again = cli(["backup", "--journal", journal, "--out", "latest-link.db"], dir);
    expect(again.status, again.stderr).toBe(0);
    expect(lstatSync(join(dir, "latest-link.db")).isSymbolicLink()).toBe(true);
    expect(count(earlier)).toBe(count(journal));

    const folder = cli(["backup", "--journal", journal, "--out", "backups"], dir);
    expectOneLineFailure(folder, /backups: is a directory; give --out a file name/, "a folder");
  });

  it("removes the partial files of killed backups of the same target, keeps those of a backup still running and of other targets", () => {
    const journal = fresh("partial-source.db");
    // A pid that ran and is gone: a child that exited.
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    }).stdout;
    const stale = [
      `.target.db.partial-${gone}`,
      `.target.db.partial-${gone}-wal`,
      `.target.db.partial-${gone}-shm`,
    ];
    const kept = [`.target.db.partial-${process.pid}`, `.other.db.partial-${gone}`];
    for (const name of [...stale, ...kept]) writeFileSync(join(dir, name), "left by a killed backup");
    const r = cli(["backup", "--journal", journal, "--out", "target.db"], dir);
    expect(r.status, r.stderr).toBe(0);
    const left = readdirSync(dir).filter((f) => f.includes(".partial-"));
    expect(left.sort()).toEqual(kept.sort());
  });

  it("a backup SIGKILLed half-way leaves its partial file; the next backup to the same target removes it", async () => {
    const journal = fresh("killed-source.db");
    const target = join(dir, "killed-target.db");
    const watcher = watch(dir);
    const started = spawn(process.execPath, [BIN, "backup", "--journal", journal, "--out", target], {
      stdio: "ignore",
    });
    // Killed the moment its partial file appears: the copy and its verification take far longer.
    const partial = await new Promise<string>((resolve) =>
      watcher.on("change", (_event, name) => {
        if (String(name).startsWith(".killed-target.db.partial-")) {
          started.kill("SIGKILL");
          resolve(String(name));
        }
      }),
    );
    watcher.close();
    await new Promise((r) => started.once("exit", r));
    expect(started.signalCode).toBe("SIGKILL");
    expect(existsSync(join(dir, partial))).toBe(true);
    expect(existsSync(target)).toBe(false);
    const next = cli(["backup", "--journal", journal, "--out", target], dir);
    expect(next.status, next.stderr).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith(".killed-target.db.partial-"))).toEqual([]);
  });

  it("the copy keeps the source's file mode: a mode-600 journal gives a mode-600 backup, even over a mode-644 one", () => {
    const journal = fresh("private.db");
    chmodSync(journal, 0o600);
    const out = join(dir, "private-backup.db");
    // An earlier, world-readable backup at the target: the new one is not.
    copyFileSync(journal, out);
    chmodSync(out, 0o644);
    const r = cli(["backup", "--journal", journal, "--out", out], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });
});
