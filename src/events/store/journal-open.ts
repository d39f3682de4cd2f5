/**
 * Opening the SQLite file, and turning SQLite's environment failures into messages that name the
 * file and the fix. Read-only opens work on a read-only file and in a read-only directory.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { JournalError, JournalUnavailable, JournalWriteFailed } from "../catalogue/index.js";

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
    return new JournalUnavailable(path, "is not a SQLite journal (file is not a database); check the path");
  }
  if (
    !readonly &&
    (/readonly|read-only/i.test(message) || code(error).startsWith("SQLITE_READONLY") || !writable(path))
  ) {
    return needsWriteAccess(path);
  }
  return describeSqliteFailure(path, error) ?? new JournalUnavailable(path, `cannot open: ${message}`);
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

/** The error a write command gets on a file or directory it may not write. */
export function needsWriteAccess(path: string): JournalUnavailable {
  return new JournalUnavailable(
    path,
    `this command writes to the journal and needs write access to the file and its directory (${dirname(path)}); read commands (sessions, verify, sql, export, positions, orders, replay --out) work on a read-only journal — or copy it somewhere writable`,
  );
}

/**
 * Map SQLite's environment failures (disk full, I/O error, read-only) to a `JournalWriteFailed`
 * that names the file and the fix; undefined for anything else (a bug, a constraint…).
 */
export function describeSqliteFailure(path: string, error: unknown): JournalError | undefined {
  const c = code(error);
  const dir = dirname(path);
  if (c === "SQLITE_FULL")
    return new JournalWriteFailed(
      path,
      c,
      `the disk is full (or the journal reached its size limit); nothing of this write was kept and the journal is intact — free space on the disk holding ${dir} (df -h ${dir}) and retry`,
    );
  if (c.startsWith("SQLITE_IOERR"))
    return new JournalWriteFailed(
      path,
      c,
      `the disk reported an I/O error (${c}); the journal keeps only whole commits — check the disk (dmesg, df -h ${dir}), then run \`journal verify --journal ${path}\``,
    );
  if (c.startsWith("SQLITE_READONLY")) return needsWriteAccess(path);
  if (c === "SQLITE_CORRUPT" || c === "SQLITE_NOTADB")
    return new JournalUnavailable(
      path,
      `the database file is damaged (${c}); run \`journal verify --journal ${path}\` and restore from a \`journal backup\``,
    );
  return undefined;
}
