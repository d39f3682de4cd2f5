/**
 * One writer per journal. `live`, `import` and `rebuild` take the writer lock before they append;
 * readers (`sql`, `replay`, `report`, `verify`) never touch it and are never blocked.
 *
 * The lock is an open write transaction (`BEGIN IMMEDIATE`, SQLite's RESERVED lock) on a small
 * side file, `<journal>.lock`. The kernel releases it when the holder's file descriptors close, so
 * a SIGKILLed bot leaves no stale lock and a restart is never blocked by a pid that no longer
 * exists (or, worse, by a pid reused by another program). Who holds it is written beside it in
 * `<journal>.lock.json`, for the refusal message.
 */

import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { JournalError } from "../catalogue/index.js";
import { needsWriteAccess } from "./journal-open.js";

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
// (and, on close, drop) them, so the process remembers which journals it already holds.
const heldHere = new Map<string, LockHolder>();

/**
 * Take the writer lock of `journalPath` or throw `JournalLocked` naming the holder.
 * `nowIso` is injected so the core stays clock-free; the CLI passes the wall clock.
 */
export function acquireWriterLock(journalPath: string, command: string, nowIso: string): WriterLock {
  const lockPath = `${journalPath}.lock`;
  const infoPath = `${lockPath}.json`;
  const here = heldHere.get(lockPath);
  if (here) throw new JournalLocked(journalPath, here);
  if (!existsSync(dirname(lockPath)))
    throw new JournalError(
      "JOURNAL_DIR_MISSING",
      `cannot write ${journalPath}: directory ${dirname(lockPath)} does not exist — create it or pass another --journal`,
    );
  let db: Database.Database;
  try {
    db = new Database(lockPath, { timeout: 0 });
  } catch (error) {
    // A read-only file or directory: the writer cannot even create its lock.
    if (/CANTOPEN|READONLY|PERM/.test((error as { code?: string }).code ?? ""))
      throw needsWriteAccess(journalPath);
    throw error;
  }
  try {
    db.pragma("journal_mode = DELETE");
    db.exec("BEGIN IMMEDIATE");
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY")) throw new JournalLocked(journalPath, readHolder(infoPath));
    if (/READONLY|CANTOPEN|PERM/.test(code)) throw needsWriteAccess(journalPath);
    throw error;
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), since: nowIso, command };
  // Written after the lock is ours, atomically, so a refused contender never reads half a record.
  writeFileSync(`${infoPath}.${process.pid}`, `${JSON.stringify(holder)}\n`);
  renameSync(`${infoPath}.${process.pid}`, infoPath);
  heldHere.set(lockPath, holder);
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

function readHolder(infoPath: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(infoPath, "utf8")) as LockHolder;
  } catch {
    return null;
  }
}
