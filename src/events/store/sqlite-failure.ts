/**
 * SQLite's (and the file system's) environment failures in words: a damaged file, a full disk, an
 * I/O error, a lock held by another program, a file we may not write. Each names the file and
 * what to do next; anything else (a bug, a constraint) is left to its caller.
 */
import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import type { VerifiedSessionStream } from "../catalogue/index.js";
import { JournalError, JournalUnavailable, JournalWriteFailed } from "../catalogue/index.js";

/** SQLite's own lock on the journal is held by another program (SQLITE_BUSY after the busy timeout). */
export class JournalBusy extends JournalError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(
      "JOURNAL_BUSY",
      `JournalBusy: ${path}: the journal is locked by another process (${detail}) — a program other than journal (a sqlite3 shell inside a transaction, a copy or backup tool) holds SQLite's lock on it; finish or close that program, then retry`,
    );
  }
}

/** The error a write command gets on a file or directory it may not write. */
export function needsWriteAccess(path: string): JournalUnavailable {
  return new JournalUnavailable(
    path,
    `this command writes to the journal and needs write access to the file and its directory (${dirname(path)}); read commands (sessions, verify, sql, export, positions, orders, replay --out) work on a read-only journal — or copy it somewhere writable`,
  );
}

// Under this much free space a failed write is the disk being full: SQLite reports a full disk
// met while growing its -shm or writing a page as an I/O error (SQLITE_IOERR_SHMSIZE, _WRITE).
const FULL_BELOW_BYTES = 1 << 20;

/** Free bytes on the file system holding `dir` (for this user: root may use the reserved blocks). */
export function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return (process.getuid?.() === 0 ? s.bfree : s.bavail) * s.bsize;
  } catch {
    return undefined;
  }
}

const size = (bytes: number) =>
  bytes < 1e6 ? `${Math.floor(bytes / 1024)} KB` : `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * Why a write (or the index SQLite needs even to read) failed, in words: a full disk, or an I/O
 * error when the disk has room. Undefined for failures that are not the disk's.
 */
export function diskReason(path: string, error: unknown): string | undefined {
  const c = code(error);
  const dir = dirname(path);
  const full = c === "SQLITE_FULL" || c === "ENOSPC" || c === "EDQUOT";
  if (!full && !c.startsWith("SQLITE_IOERR") && c !== "EIO") return undefined;
  const free = freeBytes(dir);
  const left = free === undefined ? "" : `, ${size(free)} free`;
  const roomy = free !== undefined && free >= FULL_BELOW_BYTES;
  // SQLITE_FULL with room on the disk is a limit on the file, not the disk.
  if (c === "SQLITE_FULL" && roomy)
    return `the journal reached a size limit (SQLITE_FULL, yet ${size(free)} free on the disk holding ${dir}: SQLite's max_page_count, or a file size limit such as ulimit -f): raise the limit, or free space (df -h ${dir}), and retry`;
  if (full || !roomy)
    return `the disk is full (${c}${left} on the disk holding ${dir}): free space there (df -h ${dir}) and retry`;
  return `the disk reported an I/O error (${c}${left}): check the disk (dmesg, df -h ${dir}), then run \`journal verify --journal ${path}\``;
}

/** The database file is damaged (SQLite's own check failed): what SQLite said, and the way back. */
export class JournalDamaged extends JournalError {
  constructor(
    readonly path: string,
    /** SQLite's code and words, e.g. `SQLITE_CORRUPT: database disk image is malformed`. */
    readonly problem: string,
  ) {
    super(
      "JOURNAL_DAMAGED",
      `JournalDamaged: ${path}: the database file is damaged (${problem}); nothing was changed. Restore the last good backup with \`journal restore --from BACKUP --journal ${path}\` (the damaged file is kept aside), and keep backups with \`journal backup --out FILE\``,
    );
  }
}

function code(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? "");
}

/**
 * Map SQLite's environment failures (and a full disk met by a plain file write) to an error that
 * names `path` and the fix; undefined for anything else (a bug, a constraint…).
 */
export function describeSqliteFailure(path: string, error: unknown): JournalError | undefined {
  if (error instanceof JournalError) return error;
  const c = code(error);
  const message = error instanceof Error ? error.message : String(error);
  const disk = diskReason(path, error);
  if (disk)
    return new JournalWriteFailed(
      path,
      c,
      `${disk}; the journal keeps only whole commits, so nothing of a failed write is in it`,
    );
  if (c.startsWith("SQLITE_BUSY") || c.startsWith("SQLITE_LOCKED"))
    return new JournalBusy(path, `${c}: ${message}`);
  if (c.startsWith("SQLITE_READONLY")) return needsWriteAccess(path);
  if (c.startsWith("SQLITE_CORRUPT") || c === "SQLITE_NOTADB")
    return new JournalDamaged(path, `${c}: ${message}`);
  return undefined;
}

/** Run `read`, throwing SQLite's environment failures as `describeSqliteFailure` words them. */
export function inWords<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw describeSqliteFailure(path, error) ?? error;
  }
}

/** `rows` with each step run through `inWords`: a damaged page may be met at any row. */
export function eachInWords<T>(path: string, rows: IterableIterator<T>): IterableIterator<T> {
  const guarded: IterableIterator<T> = {
    next: () => inWords(path, () => rows.next()),
    return: (value?: unknown) => rows.return?.(value) ?? { done: true, value: undefined },
    [Symbol.iterator]: () => guarded,
  };
  return guarded;
}

/** A verified session stream (integrity's) whose opening, rows and verdict are all in words. */
export function streamInWords(path: string, open: () => VerifiedSessionStream): VerifiedSessionStream {
  const stream = inWords(path, open);
  return {
    events: eachInWords(path, stream.events),
    report: () => inWords(path, () => stream.report()),
    close: () => stream.close(),
  };
}
