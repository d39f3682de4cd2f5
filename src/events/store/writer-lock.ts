/**
 * One writer per journal. `live`, `import` and `rebuild` take the writer lock before they append;
 * readers (`sql`, `replay`, `report`, `verify`) never touch it and are never blocked.
 *
 * The lock is an open write transaction (`BEGIN IMMEDIATE`, SQLite's RESERVED lock) on a small
 * side file, `<journal>.lock`. The kernel releases it when the holder's file descriptors close, so
 * a SIGKILLed bot leaves no stale lock and a restart is never blocked by a pid that no longer
 * exists (or, worse, by a pid reused by another program). Who holds it is written beside it in
 * `<journal>.lock.json`, for the refusal message.
 *
 * The lock belongs to the file, not to the path given: it sits beside the journal's real path
 * (symlinks resolved, relative paths made absolute), so `other/b.db -> a.db` and `./a.db` meet the
 * same lock. A hard link is another name no path can reveal, and locking by inode would not be
 * enough: SQLite names the `-wal` and `-shm` after the path, so two names of one file get two WALs
 * and a writer through one overwrites what the other's WAL holds (sqlite.org/howtocorrupt.html,
 * "multiple links to the same file"). So a writer refuses a journal with more than one link.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { JournalError, JournalUnavailable } from "../catalogue/index.js";
import { linkCount, realFilePath } from "./file-identity.js";
import { describeSqliteFailure, needsWriteAccess } from "./sqlite-failure.js";

/** Who holds a journal's writer lock. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** What the holder runs, e.g. `journal live`. */
  command: string;
}

/** Another process holds the journal's writer lock. */
export class JournalLocked extends JournalError {
  constructor(
    readonly journalPath: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder
      ? `pid ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.since})`
      : "another process (no holder record)";
    super(
      "JOURNAL_LOCKED",
      `${journalPath} is being written by ${who}: one writer per journal. Stop that process first, or read the journal (sql, replay, report, verify work while it runs).`,
    );
  }
}

/** A held writer lock; `release()` is idempotent, and process death releases it too. */
export interface WriterLock {
  readonly holder: LockHolder;
  release(): void;
}

// POSIX locks belong to the process: a second open of the same file in this process would share
// (and, on close, drop) them, so the process remembers which journals it already holds. The map
// also keeps the lock's connection reachable: a caller that drops the WriterLock must not lose the
// lock to the garbage collector (better-sqlite3 closes a collected connection, and the kernel
// then drops the lock while the process still writes).
const heldHere = new Map<string, { holder: LockHolder; db: Database.Database }>();

/**
 * Take the writer lock of `journalPath` or throw `JournalLocked` naming the holder.
 * `nowIso` is injected so the core stays clock-free; the CLI passes the wall clock.
 */
export function acquireWriterLock(journalPath: string, command: string, nowIso: string): WriterLock {
  const real = realFilePath(journalPath);
  const lockPath = writerLockPath(journalPath);
  const infoPath = `${lockPath}.json`;
  // Named by both spellings when they differ, so the user sees why another path is refused.
  const named = real === resolve(journalPath) ? journalPath : `${journalPath} (${real})`;
  const here = heldHere.get(lockPath);
  if (here) throw new JournalLocked(named, here.holder);
  if (!existsSync(dirname(lockPath)))
    throw new JournalError(
      "JOURNAL_DIR_MISSING",
      `cannot write ${journalPath}: directory ${dirname(journalPath)} does not exist — create it or pass another --journal`,
    );
  const links = linkCount(real);
  if (links > 1)
    throw new JournalUnavailable(
      journalPath,
      `the file has ${links} names (hard links): SQLite keeps the -wal beside each name, so writing through two of them corrupts the journal — remove the other names (find / -xdev -samefile ${real}) or write to a copy (\`journal backup\`)`,
    );
  for (const side of [lockPath, infoPath]) notAFile(side, journalPath);
  let db: Database.Database;
  try {
    db = new Database(lockPath, { timeout: 0 });
  } catch (error) {
    // A read-only file or directory: the writer cannot even create its lock.
    if (/CANTOPEN|READONLY|PERM/.test((error as { code?: string }).code ?? ""))
      throw needsWriteAccess(journalPath);
    throw describeSqliteFailure(lockPath, error) ?? error;
  }
  try {
    db.pragma("journal_mode = DELETE");
    db.exec("BEGIN IMMEDIATE");
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY")) throw new JournalLocked(named, readHolder(infoPath));
    if (/READONLY|CANTOPEN|PERM/.test(code)) throw needsWriteAccess(journalPath);
    throw describeSqliteFailure(lockPath, error) ?? error;
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), since: nowIso, command };
  try {
    // Written after the lock is ours, atomically, so a refused contender never reads half a record.
    writeFileSync(`${infoPath}.${process.pid}`, `${JSON.stringify(holder)}\n`);
    renameSync(`${infoPath}.${process.pid}`, infoPath);
  } catch (error) {
    db.close();
    throw describeSqliteFailure(infoPath, error) ?? error;
  }
  heldHere.set(lockPath, { holder, db });
  let released = false;
  return {
    holder,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(lockPath);
      try {
        db.exec("ROLLBACK");
      } finally {
        db.close();
      }
    },
  };
}

/** Where the writer lock of the journal at `journalPath` lives: beside its real file. */
export function writerLockPath(journalPath: string): string {
  return `${realFilePath(journalPath)}.lock`;
}

/** A lock path taken by a folder (or a fifo, a device…) can hold no lock: say which path it is. */
function notAFile(path: string, journalPath: string): void {
  let kind: string | undefined;
  try {
    const st = statSync(path);
    if (!st.isFile()) kind = st.isDirectory() ? "a directory" : "not a regular file";
  } catch {
    return;
  }
  if (kind)
    throw new JournalUnavailable(
      path,
      `is ${kind}, but it is where the writer lock of ${journalPath} lives; move it out of the way (it is not part of the journal), then retry`,
    );
}

function readHolder(infoPath: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(infoPath, "utf8")) as LockHolder;
  } catch {
    return null;
  }
}
