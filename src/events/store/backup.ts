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
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { JournalError, JournalUnavailable } from "../catalogue/index.js";
import { openJournal } from "./journal.js";
import { writable } from "./journal-open.js";
import { journalFiles, seqMarkPath } from "./seq-mark.js";
import { describeSqliteFailure } from "./sqlite-failure.js";

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

/** Copy `source` to `out` (see the module comment). The source is opened read-only. */
export async function backupJournal(
  source: string,
  out: string,
  onPhase: (phase: BackupPhase) => void = () => {},
): Promise<BackupResult> {
  if (resolve(source) === resolve(out))
    throw new JournalUnavailable(out, "is the journal itself; give --out a different file");
  const dir = dirname(out);
  if (!existsSync(dir)) throw new JournalUnavailable(out, `directory ${dir} does not exist; create it first`);
  if (!writable(out))
    throw new JournalUnavailable(out, `cannot write here; choose an --out in a writable directory`);
  if (existsSync(`${out}-wal`) && statSync(`${out}-wal`).size > 0)
    throw new JournalUnavailable(
      out,
      `has a ${out}-wal: it is open in another process or was not closed cleanly; close it or choose another --out`,
    );
  const tmp = join(dir, `.${basename(out)}.partial-${process.pid}`);
  const cleanTmp = () => {
    for (const p of journalFiles(tmp)) rmSync(p, { force: true });
  };
  cleanTmp();
  const journal = openJournal(source, { readonly: true });
  let lastSeqAtStart: number;
  try {
    lastSeqAtStart = journal.lastSeq();
    await journal.backupTo(tmp);
    onPhase("copied");
  } catch (error) {
    cleanTmp();
    if (error instanceof JournalError) throw error;
    throw describeSqliteFailure(tmp, error) ?? error;
  } finally {
    journal.close();
  }
  let events: number;
  try {
    const copy = openJournal(tmp);
    try {
      const report = copy.verify();
      if (!report.ok)
        throw new BackupFailed(
          out,
          `the copy fails verify at seq ${report.firstBad?.seq}: ${report.firstBad?.problem}`,
        );
      events = copy.lastSeq();
    } finally {
      copy.close();
    }
    onPhase("verified");
    const fd = openSync(tmp, "r");
    fsyncSync(fd);
    closeSync(fd);
    // A stale -shm or seq mark at `out` belongs to the file being replaced.
    for (const p of [`${out}-wal`, `${out}-shm`, seqMarkPath(out), seqMarkPath(tmp)])
      rmSync(p, { force: true });
    renameSync(tmp, out);
    const dirFd = openSync(dir, "r");
    fsyncSync(dirFd);
    closeSync(dirFd);
    onPhase("renamed");
  } catch (error) {
    cleanTmp();
    throw error;
  }
  return { out, lastSeqAtStart, events, bytes: statSync(out).size };
}
