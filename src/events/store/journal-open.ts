/**
 * Opening the SQLite file, and turning SQLite's environment failures into messages that name the
 * file and the fix. Read-only opens work on a read-only file and in a read-only directory.
 */
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { JournalError, JournalUnavailable } from "../catalogue/index.js";
import { describeSqliteFailure, needsWriteAccess } from "./sqlite-failure.js";

// SQLite reads `file:` URIs only when enabled before the addon loads; `immutable=1` is how a
// WAL-mode journal in a read-only directory is read (see openReadOnly). Plain paths are unaffected.
process.env.SQLITE_USE_URI ??= "1";

/** Open the journal's database file; `readonly` never writes (not even `-shm` where it cannot). */
export function openDatabase(path: string, readonly: boolean, busyTimeoutMs: number): Database.Database {
  const inMemory = path === ":memory:";
  if (!inMemory) {
    const dir = dirname(path);
    if (!existsSync(dir)) {
      throw new JournalUnavailable(
        path,
        `directory ${dir} does not exist; create it (mkdir -p ${dir}) or pass another --journal`,
      );
    }
    if (readonly && !existsSync(path)) {
      throw new JournalUnavailable(path, "no such journal; check --journal (or JOURNAL_PATH)");
    }
    if (existsSync(path) && statSync(path).isDirectory()) {
      throw new JournalUnavailable(path, "is a directory, not a journal file");
    }
  }
  if (readonly && !inMemory) return openReadOnly(path, busyTimeoutMs);
  // SQLite would silently open an unwritable file read-only and fail at the first write.
  if (!inMemory && !writable(path)) throw needsWriteAccess(path);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: false });
  } catch (error) {
    throw cannotOpen(path, error, false);
  }
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // Reading the schema is the first touch of the file: a non-SQLite file fails here.
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
  } catch (error) {
    db.close();
    throw cannotOpen(path, error, false);
  }
  return db;
}

function openReadOnly(path: string, busyTimeoutMs: number): Database.Database {
  try {
    return probe(new Database(path, { readonly: true, fileMustExist: true }), busyTimeoutMs);
  } catch (error) {
    const first = cannotOpen(path, error, true);
    if (
      !/SQLITE_CANTOPEN|unable to open|readonly|read-only/i.test(
        String((error as Error).message) + code(error),
      )
    )
      throw first;
    // A WAL journal needs its `-shm` (and `-wal`) to exist or be creatable. In a read-only
    // directory they cannot be created; with no `-wal` holding commits, the `.db` alone is the
    // whole journal and nobody can be writing it (a writer would need that directory), so
    // SQLite's `immutable` mode reads it safely without any side file.
    const wal = `${path}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) {
      throw new JournalUnavailable(
        path,
        `cannot be read here: it has a ${wal} holding events not yet in the .db, and SQLite cannot create ${path}-shm in this read-only directory; copy the .db and its -wal together to a writable directory (or run \`journal backup\` where it was written) and open the copy`,
      );
    }
    try {
      return probe(
        new Database(`file:${encodeURI(resolve(path))}?immutable=1`, { readonly: true }),
        busyTimeoutMs,
      );
    } catch {
      throw first;
    }
  }
}

function probe(db: Database.Database, busyTimeoutMs: number): Database.Database {
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function code(error: unknown): string {
  return String((error as { code?: unknown }).code ?? "");
}

function cannotOpen(path: string, error: unknown, readonly: boolean): JournalError {
  if (error instanceof JournalError) return error;
  const message = (error as Error).message;
  if (/file is not a database|file is encrypted/i.test(message)) {
    return new JournalUnavailable(
      path,
      `is not a SQLite journal (file is not a database): check the path; if it is your journal, its header is damaged — restore the last backup with \`journal restore --from BACKUP --journal ${path}\``,
    );
  }
  if (
    !readonly &&
    (/readonly|read-only/i.test(message) || code(error).startsWith("SQLITE_READONLY") || !writable(path))
  ) {
    return needsWriteAccess(path);
  }
  return describeSqliteFailure(path, error) ?? new JournalUnavailable(path, `cannot open: ${message}`);
}

/**
 * Whether the existing file at `path` is a journal (a SQLite database with an `events` table):
 * true, false, or "unreadable" for a SQLite header whose schema cannot be read. Nothing is
 * written: the header is read by hand and the schema with `immutable=1` (no lock, no side file).
 */
export function isJournalFile(path: string): boolean | "unreadable" {
  const header = Buffer.alloc(16);
  try {
    const fd = openSync(path, "r");
    try {
      if (readSync(fd, header, 0, 16, 0) < 16) return false;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  if (header.toString("latin1") !== "SQLite format 3\u0000") return false;
  try {
    // A file URL encodes `?` and `#` in the name, which encodeURI would leave to end the path.
    const db = new Database(`${pathToFileURL(resolve(path)).href}?immutable=1`, { readonly: true });
    try {
      return (
        db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined
      );
    } finally {
      db.close();
    }
  } catch {
    return "unreadable";
  }
}

/**
 * Take SQLite's own write lock on the journal at `path` (BEGIN IMMEDIATE), waiting `waitMs` for a
 * program that holds it, and keep it until `release()`: for moving the files of a journal aside
 * with no other program in the middle of a write. Throws `JournalBusy` when another process keeps
 * it; undefined when the file cannot be locked as a database at all (missing, damaged), where
 * there is nothing to wait for. Released after the files moved, the connection does not
 * checkpoint or delete anything at the old names (SQLite sees the file moved).
 */
export function holdSqliteWriteLock(path: string, waitMs = 2000): { release(): void } | undefined {
  if (isJournalFile(path) === false) return undefined;
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true, timeout: waitMs });
  } catch {
    return undefined;
  }
  try {
    db.exec("BEGIN IMMEDIATE");
  } catch (error) {
    db.close();
    if (code(error).startsWith("SQLITE_BUSY") || code(error).startsWith("SQLITE_LOCKED"))
      throw describeSqliteFailure(path, error) ?? error;
    return undefined;
  }
  return {
    release() {
      try {
        if (db.inTransaction) db.exec("ROLLBACK");
      } finally {
        db.close();
      }
    },
  };
}

/** True when this process may write the file (or create it) and its directory. */
export function writable(path: string): boolean {
  try {
    accessSync(dirname(path), constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
