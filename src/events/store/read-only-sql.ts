/**
 * What `journal sql` (the journal's `sql.query`) lets through: statements that only read. SQLite
 * decides, not a pattern over the text: a prepared statement knows whether it returns rows
 * (`reader`) and whether it can change the database (`readonly`, sqlite3_stmt_readonly), whatever
 * comments, spacing or quoting it is written with.
 */
import { JournalError } from "../catalogue/index.js";

/** The part of better-sqlite3's `Statement` this needs (no driver types here). */
export interface PreparedStatementFlags {
  readonly reader: boolean;
  readonly readonly: boolean;
}

/**
 * `PRAGMA journal_mode` without a value only reads, yet SQLite flags every journal_mode pragma as
 * one that may write (the same pragma sets it): this one form is let through.
 */
const READS_JOURNAL_MODE = /^\s*pragma\s+(?:["`[]?\w+["`\]]?\s*\.\s*)?["`[]?journal_mode["`\]]?\s*;?\s*$/i;

/**
 * True when `statement` would change the journal or returns no rows: INSERT/UPDATE/DELETE (with
 * RETURNING too), DDL, ATTACH, VACUUM, ANALYZE, REINDEX, a checkpoint, a PRAGMA that sets a value.
 * Left to run on a read-only connection, some fail with a misleading error (`PRAGMA
 * journal_mode=DELETE`: "disk I/O error"), so they are refused before they run.
 */
export function statementWrites(statement: PreparedStatementFlags, text: string): boolean {
  if (!statement.reader) return true;
  return !statement.readonly && !READS_JOURNAL_MODE.test(text);
}

/** A statement given to the read-only query door would write; nothing ran. */
export class StatementWouldWrite extends JournalError {
  constructor(readonly path: string) {
    super(
      "STATEMENT_WOULD_WRITE",
      `${path}: this statement would change the journal (a write, DDL, ATTACH, VACUUM or a PRAGMA that sets a value) and did not run; the journal is append-only evidence — query it with SELECT, or experiment on a copy (journal backup --out copy.db)`,
    );
  }
}
