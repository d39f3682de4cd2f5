/**
 * `restoreJournal`: put a backup in the journal's place so that every command works on it, and
 * keep what it replaces.
 *
 * Why not `cp backup.db journal.db`: the journal's seq mark (`-seq`) still records the old
 * journal's last seq, so every command then refuses the restored file as behind it; and a `-wal`
 * left beside the old file would be replayed onto the new one. A restore therefore:
 *
 * 1. refuses while a writer holds the journal's writer lock, and holds it (and SQLite's own write
 *    lock on the old file) until the end, so no writer starts in between;
 * 2. copies the backup next to the journal with SQLite's online backup API, verifies the copy in
 *    full (integrity_check and the hash chain) and fsyncs it — nothing is moved before that passed;
 * 3. moves the old journal and every file of it (`-wal`, `-shm`, `-seq`) into a timestamped folder
 *    beside it — the database first, so that until the copy is in place the seq mark still makes
 *    every command refuse the half-moved journal instead of starting an empty one;
 * 4. renames the copy into place and fsyncs the folder.
 *
 * The writer lock and live's clientId counter stay: the lock is held by the restore itself, and
 * the counter belongs to the gateway (reusing a clientId after a restore would collide with the
 * gateway's memory of it), not to the events.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Journal } from "../catalogue/index.js";
import { JournalError, JournalUnavailable } from "../catalogue/index.js";
import { fsyncPath, refuseOwnFiles, verifiedCopy } from "./backup.js";
import { realFilePath } from "./file-identity.js";
import { holdSqliteWriteLock, isJournalFile } from "./journal-open.js";
import { journalFiles, seqMarkPath } from "./seq-mark.js";
import { describeSqliteFailure } from "./sqlite-failure.js";
import { acquireWriterLock } from "./writer-lock.js";

/** A restore that did not happen: the journal and its files are as they were. */
export class RestoreFailed extends JournalError {
  constructor(from: string, journal: string, reason: string) {
    super("RESTORE_FAILED", `RestoreFailed: ${from}: ${reason}; nothing was moved, ${journal} is as it was`);
  }
}

export interface RestoreOptions {
  /** The wall clock's ISO time (the folder's name, the lock's record); src/events reads no clock. */
  nowIso: string;
  /** What the writer lock names as its holder. */
  command?: string;
  /** A further check of the verified copy (e.g. its wire frames); a string refuses the restore. */
  check?: (copy: Journal) => string | undefined;
}

export interface RestoreResult {
  journal: string;
  from: string;
  /** Events in the restored journal (its last seq). */
  events: number;
  /** The folder the replaced journal's files were moved to, with what was moved; undefined when there was none. */
  aside?: { folder: string; files: string[] };
}

/** Replace the journal at `journalPath` with a verified copy of the backup `from` (module comment). */
export async function restoreJournal(
  journalPath: string,
  from: string,
  options: RestoreOptions,
): Promise<RestoreResult> {
  refuseOwnFiles(journalPath, from, "--from");
  if (!existsSync(from)) throw new JournalUnavailable(from, "no such backup; check --from");
  if (isJournalFile(from) !== true)
    throw new JournalUnavailable(
      from,
      "is not a journal backup (no SQLite database with an events table); give --from a file made by `journal backup`",
    );
  const real = realFilePath(journalPath);
  const dir = dirname(real);
  if (!existsSync(dir))
    throw new JournalUnavailable(journalPath, `directory ${dir} does not exist; create it first`);
  const lock = acquireWriterLock(journalPath, options.command ?? "journal restore", options.nowIso);
  let sqliteLock: { release(): void } | undefined;
  const tmp = join(dir, `.${basename(real)}.restore-${process.pid}`);
  const cleanTmp = () => {
    for (const p of journalFiles(tmp)) rmSync(p, { force: true });
  };
  try {
    sqliteLock = holdSqliteWriteLock(real);
    cleanTmp();
    const fail = (reason: string) => new RestoreFailed(from, journalPath, reason);
    let events: number;
    try {
      ({ events } = await verifiedCopy(from, tmp, {
        fail,
        ifBad:
          "give --from an older backup, or copy the sessions that still verify out of it (`journal export`)",
        ...(options.check ? { check: options.check } : {}),
      }));
      keepOwnership(real, tmp);
    } catch (error) {
      cleanTmp();
      throw error;
    }
    let aside: RestoreResult["aside"];
    try {
      aside = moveAside(journalPath, real, options.nowIso);
      renameSync(tmp, real);
      fsyncPath(dir);
    } catch (error) {
      cleanTmp();
      if (error instanceof JournalError) throw error;
      throw describeSqliteFailure(real, error) ?? error;
    }
    return { journal: journalPath, from, events, ...(aside ? { aside } : {}) };
  } finally {
    sqliteLock?.release();
    lock.release();
  }
}

/**
 * The copy takes the replaced journal's mode, and its owner when root restores (a journal the bot
 * cannot open after `sudo journal restore` would stop the bot at its next start).
 */
function keepOwnership(real: string, tmp: string): void {
  const old = existsSync(real) ? statSync(real) : undefined;
  if (old) chmodSync(tmp, old.mode & 0o7777);
  // No journal there yet: the folder's owner is the bot's user.
  const owner = old ?? statSync(dirname(real));
  if (process.getuid?.() === 0) chownSync(tmp, owner.uid, owner.gid);
}

/** Move the journal's database and side files into a new folder beside it; undefined when there are none. */
function moveAside(journalPath: string, real: string, nowIso: string): RestoreResult["aside"] {
  // The database first: see the module comment (3).
  const files = [real, `${real}-wal`, `${real}-shm`, `${real}-journal`, seqMarkPath(real)];
  // Our side files follow the path given: a journal reached through a symlink has its mark there.
  const given = resolve(journalPath);
  if (given !== real) files.push(seqMarkPath(given));
  const present = files.filter((p) => existsSync(p));
  if (present.length === 0) return undefined;
  const owner = statSync(present[0]!);
  const folder = newFolder(
    join(dirname(real), `${basename(real)}.before-restore-${nowIso.replace(/:/g, "-")}`),
  );
  // Root restoring a user's journal: the user keeps access to what was moved aside.
  if (process.getuid?.() === 0) chownSync(folder, owner.uid, owner.gid);
  const moved: string[] = [];
  for (const path of present) {
    let name = basename(path);
    if (moved.includes(name)) name = `link-${name}`;
    try {
      renameSync(path, join(folder, name));
    } catch (error) {
      // Half moved: say exactly where each file is, so nothing is lost by a second attempt.
      throw new JournalError(
        "RESTORE_HALF_MOVED",
        `RestoreFailed: ${journalPath}: moving ${path} aside failed (${(error as Error).message}); already in ${folder}: ${moved.join(", ") || "nothing"}. Nothing was deleted: fix the cause and run the restore again (it moves what is left), or move the files back by hand`,
      );
    }
    moved.push(name);
  }
  fsyncPath(folder);
  fsyncPath(dirname(real));
  return { folder, files: moved };
}

/** `path`, or `path-2`, `path-3`… when a restore in the same second made it already. */
function newFolder(path: string): string {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? path : `${path}-${n}`;
    try {
      mkdirSync(candidate, { mode: 0o700 });
      return candidate;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
  }
}
