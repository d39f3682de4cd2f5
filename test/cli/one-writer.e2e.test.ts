/**
 * One writer per file, whatever the path: the built CLI against a journal whose writer lock a
 * child process holds, reached through a symlink, a symlinked folder, relative spellings and a
 * hard link; a lock path taken by a folder; and SQLite's own lock held by another program (the
 * sqlite3 shell), for writers and readers alike.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LOCK_HOLDER } from "../support/journal-writer.js";
import {
  cli,
  cliAsync,
  expectOneLineFailure,
  ROOT,
  SAMPLE_0204,
  SAMPLE_0205,
  startChild,
  stopChild,
} from "./support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "one-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const count = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  } finally {
    db.close();
  }
};

/** A journal holding session 2026-02-04 only: importing 2026-02-05 into it would append. */
let oneDay: string;
beforeAll(() => {
  oneDay = join(dir, "one-day.db");
  const r = cli(["import", SAMPLE_0204, "--journal", oneDay], dir);
  expect(r.status, r.stderr).toBe(0);
});

describe("the writer lock belongs to the file, not to the path given", () => {
  it("a symlink, a symlinked folder and relative spellings of a journal a writer holds are refused, naming the holder; nothing is appended", async () => {
    mkdirSync(join(dir, "data"));
    mkdirSync(join(dir, "other"));
    const journal = join(dir, "data", "a.db");
    copyFileSync(oneDay, journal);
    symlinkSync("../data/a.db", join(dir, "other", "b.db"));
    symlinkSync("data", join(dir, "linked"));
    const before = count(journal);
    const holder = await startChild(["--expose-gc", LOCK_HOLDER, journal], "locked");
    try {
      for (const [spelling, cwd] of [
        ["other/b.db", dir],
        ["linked/a.db", dir],
        ["../data/a.db", join(dir, "other")],
        ["./data//a.db", dir],
      ] as const) {
        const r = cli(["import", SAMPLE_0205, "--journal", spelling], cwd);
        expectOneLineFailure(r, new RegExp(`is being written by pid ${holder.pid} `), spelling);
        expect(count(journal), spelling).toBe(before);
      }
      const rebuild = cli(["rebuild", "--journal", "other/b.db"], dir);
      expectOneLineFailure(rebuild, /other\/b\.db \(.*data\/a\.db\) is being written by pid/, "rebuild");
    } finally {
      await stopChild(holder);
    }
    // The holder gone (SIGKILL), the same symlink writes at once.
    const after = cli(["import", SAMPLE_0205, "--journal", "other/b.db"], dir);
    expect(after.status, after.stderr).toBe(0);
    expect(count(journal)).toBeGreaterThan(before);
  });

  it("a holder that dropped its lock handle and collected garbage still holds the lock", async () => {
    const journal = join(dir, "collected.db");
    copyFileSync(oneDay, journal);
    // The fixture keeps no reference to its lock and runs gc() before it says "locked".
    const holder = await startChild(["--expose-gc", LOCK_HOLDER, journal], "locked");
    try {
      const r = cli(["import", SAMPLE_0205, "--journal", journal], dir);
      expectOneLineFailure(r, new RegExp(`is being written by pid ${holder.pid} `), "after gc");
    } finally {
      await stopChild(holder);
    }
  });

  it("a journal with a second name (a hard link) is refused to every writer, since each name would get its own -wal", () => {
    const journal = join(dir, "linked-twice.db");
    copyFileSync(oneDay, journal);
    linkSync(journal, join(dir, "second-name.db"));
    const before = count(journal);
    for (const name of ["linked-twice.db", "second-name.db"]) {
      const r = cli(["import", SAMPLE_0205, "--journal", name], dir);
      expectOneLineFailure(r, /has 2 names \(hard links\).*remove the other names/, name);
    }
    expect(count(journal)).toBe(before);
    unlinkSync(join(dir, "second-name.db"));
    const alone = cli(["import", SAMPLE_0205, "--journal", "linked-twice.db"], dir);
    expect(alone.status, alone.stderr).toBe(0);
  });

  it("a lock path taken by a folder is named in the error", () => {
    for (const side of ["folder-lock.db.lock", "folder-info.db.lock.json"]) {
      const name = side.replace(/\.lock(\.json)?$/, "");
      copyFileSync(oneDay, join(dir, name));
      mkdirSync(join(dir, side));
      const r = cli(["import", SAMPLE_0205, "--journal", name], dir);
      expectOneLineFailure(
        r,
        new RegExp(
          `${side.replace(/\./g, "\\.")}: is a directory, but it is where the writer lock of ${name}`,
        ),
        side,
      );
    }
  });
});

/** A `sqlite3` shell (or, where there is none, a node child) holding `sql`'s locks on `path` until killed. */
async function sqliteShellHolding(path: string, sql: string): Promise<ChildProcess> {
  const shell = spawnSync("sqlite3", ["-version"]).status === 0;
  const child = shell
    ? spawn("sqlite3", [path], { stdio: ["pipe", "pipe", "pipe"] })
    : spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { createRequire } from "node:module"; const D = createRequire(process.argv[1])("better-sqlite3"); const db = new D(process.argv[2]); for (const s of process.argv[3].split(";").filter((s) => s.trim())) { const st = db.prepare(s); st.reader ? st.all() : st.run(); } console.log("ready"); setInterval(() => {}, 1 << 30);`,
          join(ROOT, "package.json"),
          path,
          sql,
        ],
        { stdio: ["pipe", "pipe", "pipe"] },
      );
  if (shell) child.stdin!.write(`${sql}\nSELECT 'ready';\n`);
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("ready")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`the lock holder exited ${code}`)));
  });
  return child;
}

describe("SQLite's own lock held by another program", () => {
  const locked = /the journal is locked by another process \(SQLITE_BUSY/;

  it("every writer says the journal is locked by another process, in one line, exit 1", async () => {
    // A journal and a shell per command: they run side by side (each waits out the busy timeout)
    // and must meet SQLite's lock, not each other's writer lock.
    const commands = [
      ["import", SAMPLE_0205],
      ["rebuild"],
      ["replay", "--session", "2026-02-04", "--in-place", "--json"],
      ["restore", "--from", inject("sampleJournal")],
    ];
    const shells: ChildProcess[] = [];
    try {
      const runs = await Promise.all(
        commands.map(async (args) => {
          const journal = join(dir, `shell-writes-${args[0]}.db`);
          copyFileSync(inject("sampleJournal"), journal);
          // Opened once as a writer first, so the command meets the lock at its first write.
          expect(cli(["rebuild", "--journal", journal], dir).status).toBe(0);
          shells.push(await sqliteShellHolding(journal, "BEGIN IMMEDIATE;"));
          return [args[0]!, await cliAsync([...args, "--journal", journal], dir)] as const;
        }),
      );
      for (const [what, r] of runs) expectOneLineFailure(r, locked, what);
    } finally {
      for (const shell of shells) await stopChild(shell);
    }
  }, 60_000);

  it("readers say so too when the program locks the file exclusively", async () => {
    const journal = join(dir, "shell-exclusive.db");
    copyFileSync(inject("sampleJournal"), journal);
    const shell = await sqliteShellHolding(
      journal,
      "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; SELECT count(*) FROM events;",
    );
    try {
      const runs = await Promise.all(
        [
          ["sessions"],
          ["export", "--session", "2026-02-04"],
          ["positions"],
          ["sql", "SELECT count(*) FROM events"],
          ["backup", "--out", join(dir, "exclusive-backup.db")],
        ].map((args) => cliAsync([...args, "--journal", journal], dir).then((r) => [args[0]!, r] as const)),
      );
      for (const [what, r] of runs) expectOneLineFailure(r, locked, what);
    } finally {
      await stopChild(shell);
    }
  }, 60_000);
});
