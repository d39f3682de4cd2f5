/**
 * `backupJournal`: a consistent copy of a journal that may be appended to while it runs, checked
 * before it is allowed to replace anything.
 *
 * 1. SQLite's online backup API copies every page in one step, i.e. inside one read transaction:
 *    a snapshot including the events still in the `-wal` (copying the `.db` alone misses them).
 * 2. The copy is opened as a journal and verified in full (integrity_check and the hash chain),
 *    which also records its verified point.
 * 3. It is fsynced and renamed over `out` atomically: `out` is always the old backup or the new
 *    one, never half of one.
 *
 * What `out` may be: a new file, or an earlier backup (a journal). Never the journal itself or one
 * of its companions (`-wal`, `-shm`, `-seq`, the lock, the clientId counter), however spelled: a
 * backup renamed over the live `-wal` destroys the events it holds. Any other existing file only
 * with `force` (the companions not even then). `out` given as a symlink is written through: the
 * link keeps pointing at the newest backup.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Journal } from "../catalogue/index.js";
import { JournalError, JournalUnavailable } from "../catalogue/index.js";
import { realFilePath, relationTo } from "./file-identity.js";
import { openJournal } from "./journal.js";
import { isJournalFile, writable } from "./journal-open.js";
import { journalFiles, seqMarkPath } from "./seq-mark.js";
import { describeSqliteFailure, diskReason, JournalDamaged } from "./sqlite-failure.js";

export interface BackupResult {
  out: string;
  /** The source's last seq when the backup started. */
  lastSeqAtStart: number;
  /** Events in the copy (its last seq): ≥ `lastSeqAtStart`, more if appends landed before the snapshot. */
  events: number;
  bytes: number;
}

/** A backup whose copy failed verification; the copy was deleted and `out` left as it was. */
export class BackupFailed extends JournalError {
  constructor(out: string, reason: string) {
    super("BACKUP_FAILED", `BackupFailed: ${out}: ${reason}; ${out} was not changed`);
  }
}

/** The steps of a backup, reported as each one ends (for progress and for the benchmark). */
export type BackupPhase = "copied" | "verified" | "renamed";

export interface BackupOptions {
  /** Replace an existing `out` that is not a journal (never the journal's own companions). */
  force?: boolean;
}

/** Copy `source` to `out` (see the module comment). The source is opened read-only. */
export async function backupJournal(
  source: string,
  out: string,
  onPhase: (phase: BackupPhase) => void = () => {},
  options: BackupOptions = {},
): Promise<BackupResult> {
  refuseOwnFiles(source, out, "--out");
  // Written through a symlink: the file replaced is the one `out` names.
  const target = realFilePath(out);
  const dir = dirname(target);
  if (!existsSync(dir)) throw new JournalUnavailable(out, `directory ${dir} does not exist; create it first`);
  if (!writable(target))
    throw new JournalUnavailable(out, `cannot write here; choose an --out in a writable directory`);
  if (existsSync(target)) {
    if (statSync(target).isDirectory())
      throw new JournalUnavailable(out, "is a directory; give --out a file name (e.g. backup.db) in it");
    if (!options.force && isJournalFile(target) !== true)
      throw new JournalUnavailable(
        out,
        "exists and is not a journal: a backup would replace it; choose another --out, or pass --force to replace it",
      );
  }
  if (existsSync(`${target}-wal`) && statSync(`${target}-wal`).size > 0)
    throw new JournalUnavailable(
      out,
      `has a ${target}-wal: it is open in another process or was not closed cleanly; close it or choose another --out`,
    );
  removeStalePartials(target);
  const tmp = partialPath(target, process.pid);
  const cleanTmp = () => {
    for (const p of journalFiles(tmp)) rmSync(p, { force: true });
  };
  cleanTmp();
  let copied: VerifiedCopy;
  try {
    copied = await verifiedCopy(source, tmp, {
      fail: (reason) => new BackupFailed(out, reason),
      onPhase,
      ifBad: `see \`journal verify --journal ${source}\`, and restore the last good backup with \`journal restore --from BACKUP --journal ${source}\``,
    });
  } catch (error) {
    cleanTmp();
    throw error;
  }
  try {
    // A stale -shm or seq mark at `out` belongs to the file being replaced.
    for (const p of [
      `${target}-wal`,
      `${target}-shm`,
      seqMarkPath(target),
      seqMarkPath(out),
      seqMarkPath(tmp),
    ])
      rmSync(p, { force: true });
    renameSync(tmp, target);
    fsyncPath(dir);
    onPhase("renamed");
  } catch (error) {
    cleanTmp();
    throw describeSqliteFailure(out, error) ?? error;
  }
  return { out, lastSeqAtStart: copied.lastSeqAtStart, events: copied.events, bytes: statSync(target).size };
}

/**
 * Refuse a `candidate` (`--out` of a backup, `--from` of a restore) that is the journal at
 * `journalPath` or one of its companions, under any spelling (symlink, relative path, hard link).
 */
export function refuseOwnFiles(journalPath: string, candidate: string, flag: string): void {
  const relation = relationTo(journalPath, candidate);
  if (relation?.kind === "journal")
    throw new JournalUnavailable(
      candidate,
      `is the journal itself (${journalPath}); give ${flag} a different file`,
    );
  if (relation?.kind === "companion")
    throw new JournalUnavailable(
      candidate,
      `is ${relation.path}, a file that belongs to the journal ${journalPath} (its WAL, index, seq mark, lock or clientId counter): ${flag === "--out" ? "replacing it would damage the journal, even with --force" : "it is not a backup"}; give ${flag} a different file`,
    );
}

/** What a verified copy holds. */
export interface VerifiedCopy {
  lastSeqAtStart: number;
  events: number;
}

export interface CopyOptions {
  /** The error for a copy that cannot be made or fails its checks. */
  fail: (reason: string) => JournalError;
  onPhase?: (phase: BackupPhase) => void;
  /** What to do next when the source turns out damaged or fails verification. */
  ifBad: string;
  /** A further check of the verified copy (e.g. its wire frames); a string is a failure. */
  check?: (copy: Journal) => string | undefined;
}

/**
 * Copy the journal at `source` into the new file `tmp` with SQLite's online backup API (one
 * snapshot, the `-wal` included), with the source's file mode from the first byte, verify the copy
 * in full and fsync it. A failure becomes `fail(reason)`; the caller removes `tmp`.
 */
export async function verifiedCopy(source: string, tmp: string, options: CopyOptions): Promise<VerifiedCopy> {
  const { fail, onPhase = () => {} } = options;
  const journal = openJournal(source, { readonly: true });
  let lastSeqAtStart: number;
  try {
    lastSeqAtStart = journal.lastSeq();
    // Created with the source's mode before a byte is copied: a mode-600 journal never has a
    // world-readable copy, not even while it is written (the umask can only remove bits: chmod).
    const mode = statSync(source).mode & 0o7777;
    closeSync(openSync(tmp, "wx", mode));
    chmodSync(tmp, mode);
    await journal.backupTo(tmp);
    onPhase("copied");
  } catch (error) {
    throw inWordsFor(fail, source, tmp, error);
  } finally {
    journal.close();
  }
  let events: number;
  try {
    const copy = openJournal(tmp);
    try {
      const report = copy.verify();
      if (!report.ok)
        throw fail(
          // The copy is the source page for page: its failure is the source's.
          `${source} fails verify at seq ${report.firstBad?.seq}: ${oneLine(report.firstBad?.problem ?? "")}; no copy was made — ${options.ifBad}`,
        );
      const problem = options.check?.(copy);
      if (problem !== undefined) throw fail(problem);
      events = copy.lastSeq();
    } finally {
      copy.close();
      // Opened as a writer, the copy got a seq mark of its own; the file it becomes has none.
      rmSync(seqMarkPath(tmp), { force: true });
    }
  } catch (error) {
    if (error instanceof JournalDamaged)
      throw fail(
        `${source} is damaged (${error.problem}), so a copy of it would be too and none was made — ${options.ifBad}`,
      );
    throw inWordsFor(fail, source, tmp, error);
  }
  onPhase("verified");
  fsyncPath(tmp);
  return { lastSeqAtStart, events };
}

function inWordsFor(fail: (reason: string) => JournalError, source: string, tmp: string, error: unknown) {
  if (error instanceof JournalError) return error;
  // A disk failure while copying is the destination's disk; anything else is about the source.
  const disk = diskReason(tmp, error);
  if (disk) return fail(disk);
  const failure = describeSqliteFailure(source, error);
  return failure ?? error;
}

/** SQLite's integrity report spans lines; an error is one. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ");

/** The temporary file a backup of `target` by process `pid` is written to. */
function partialPath(target: string, pid: number): string {
  return join(dirname(target), `.${basename(target)}.partial-${pid}`);
}

/**
 * Remove what killed backups of `target` left (`.backup.db.partial-<pid>` and its side files),
 * once their writer is gone; a partial whose pid still runs may be a backup in progress.
 */
function removeStalePartials(target: string): void {
  const prefix = `.${basename(target)}.partial-`;
  const dir = dirname(target);
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)(-wal|-shm|-seq|-journal)?$/.exec(name.slice(prefix.length));
    if (!match || pidRuns(Number(match[1]))) continue;
    rmSync(join(dir, name), { force: true });
  }
}

function pidRuns(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as { code?: string }).code === "EPERM";
  }
}

/** fsync a file or a folder (a rename is durable once its folder is). */
export function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
