/**
 * The SQLite store: the journal on better-sqlite3 (its SQL precompiled), its file, lock, seq mark,
 * views and backup, and the async face both stores implement. `journal-schema.ts` (kysely, the
 * source of the precompiled SQL) is left out on purpose: only its test loads it.
 */
export {
  BackupFailed,
  type BackupOptions,
  type BackupPhase,
  type BackupResult,
  backupJournal,
} from "./backup.js";
export { type OpenJournalOptions, openJournal } from "./journal.js";
export {
  checkGuards,
  describeGuardProblems,
  type Guard,
  type GuardProblem,
  type GuardReport,
  ifNotExists,
  JournalUnguarded,
  repairGuards,
  WIRE_GUARDS,
} from "./journal-guards.js";
export { writable } from "./journal-open.js";
export * from "./journal-reader.js";
export { SCHEMA_VERSION } from "./journal-sql.js";
export { prepareItem, prepareRows } from "./prepared-rows.js";
export { RestoreFailed, type RestoreOptions, type RestoreResult, restoreJournal } from "./restore.js";
export { journalFiles, readSeqMark, seqMarkPath } from "./seq-mark.js";
export { describeSqliteFailure, JournalBusy, JournalDamaged, needsWriteAccess } from "./sqlite-failure.js";
export { storedFromRow } from "./stored-event.js";
export { POSTMORTEM_VIEWS } from "./views.js";
export { checkBeforeWriting, JournalBroken } from "./writer-checks.js";
export {
  acquireWriterLock,
  JournalLocked,
  type LockHolder,
  type WriterLock,
  writerLockPath,
} from "./writer-lock.js";
