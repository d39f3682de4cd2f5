/**
 * The seq mark: a tiny file beside the journal (`journal.db-seq`) holding the last seq this
 * journal is known to have committed. It exists to catch one failure SQLite cannot see: a `-wal`
 * deleted (or left behind when copying) after an unclean stop. SQLite then opens the `.db` as
 * it was at the last checkpoint — or, for a young journal, as an empty file it would happily
 * initialise — and the events that were only in the WAL are gone without a word.
 *
 * Why a sidecar and not a row in the database: a row would live in the same WAL that was lost.
 * Why it is written after commits without fsync, paced to once a second (see SeqMark): the mark
 * only ever has to be ≤ the truth for concurrent readers (written after the commit, read before
 * the database). A power loss may leave the mark ahead of a synchronous=NORMAL journal
 * that lost its last commits; the refusal then says exactly that and how to accept the loss.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { JournalBehind } from "../catalogue/index.js";

const WIDTH = 20;

/** The mark's path for a journal file. */
export function seqMarkPath(journalPath: string): string {
  return `${journalPath}-seq`;
}

/** The recorded last seq, or undefined when there is no (readable) mark. */
/** Every file a journal at `journalPath` may consist of: the database, its WAL and index, its seq mark. */
export function journalFiles(journalPath: string): string[] {
  return [journalPath, `${journalPath}-wal`, `${journalPath}-shm`, seqMarkPath(journalPath)];
}

export function readSeqMark(journalPath: string): number | undefined {
  const path = seqMarkPath(journalPath);
  if (!existsSync(path)) return undefined;
  try {
    const value = Number(readFileSync(path, "utf8").trim());
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A writer's handle on the mark: one fd, overwritten in place. Paced: a commit is written at once
 * when no write happened in the last second, later ones by a trailing timer (or every 1000th, for
 * a writer that never yields to the event loop), and the last at close. Each write dirties the
 * file's inode, and on ext4 the next fsync of the journal carries it too: writing the mark on
 * every commit cost durable single-event appends a visible share of their rate. The pacing uses
 * a timer, not the wall clock (src/events reads no clock).
 */
export class SeqMark {
  private fd: number | undefined;
  private written = -1;
  private latest = -1;
  private sinceWrite = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(journalPath: string) {
    try {
      this.fd = openSync(seqMarkPath(journalPath), "a+");
      closeSync(this.fd);
      this.fd = openSync(seqMarkPath(journalPath), "r+");
    } catch {
      // A mark we cannot write only weakens the lost-WAL check; it must never stop a write.
      this.fd = undefined;
    }
  }

  /** Record the seq found at open; the first commit after it is written at once too. */
  init(seq: number): void {
    this.latest = seq;
    this.flush();
  }

  /** Record `seq` (only ever called after the commit that reached it). */
  write(seq: number): void {
    this.latest = seq;
    this.sinceWrite += 1;
    if (!this.timer) {
      this.flush();
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, 1000);
      this.timer.unref();
    } else if (this.sinceWrite >= 1000) this.flush();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private flush(): void {
    if (this.fd === undefined || this.latest === this.written) return;
    try {
      writeSync(this.fd, `${String(this.latest).padStart(WIDTH)}\n`, 0);
      this.written = this.latest;
      this.sinceWrite = 0;
    } catch {
      // Disk full or similar: the mark stays lower than the truth, which is the safe side.
    }
  }
}

/**
 * The refusal for a journal behind its mark: what is missing, the likely cause, and the three ways
 * on (put the -wal back, restore a backup, or accept the loss by deleting the mark).
 */
export function journalBehind(path: string, has: number, mark: number, state: string): JournalBehind {
  const markPath = seqMarkPath(path);
  return new JournalBehind(
    path,
    has,
    mark,
    `${state}, but ${markPath} records that seq ${mark} was committed: ${mark - has} event(s) are missing — its -wal was deleted (or not copied with it) after an unclean stop, or the machine lost power before they reached the disk. Nothing was changed or created. Put the -wal back, or restore the last backup (\`journal restore --from BACKUP --journal ${path}\`); to accept the loss and continue from seq ${has}, delete ${markPath}`,
  );
}
