/** The event catalogue and the journal: the only public door of src/events. */

export { BackupFailed, type BackupPhase, type BackupResult, backupJournal } from "./backup.js";
export { canonicalJson, sameJson } from "./canonical-json.js";
// Types only: the zod schemas load on first validation (catalogue-lazy.ts), not with this door.
export type * from "./catalogue.js";
export { catalogueSchemas, loadCatalogue } from "./catalogue-lazy.js";
export * from "./catalogue-meta.js";
export * from "./clock.js";
export * from "./envelope.js";
export * from "./errors.js";
export { columnsHash, type EventColumns, GENESIS_HASH, type HashedRow, rowHash } from "./hash-chain.js";
export { type ImportResult, importJsonLines, importParsedLines } from "./import-plan.js";
export { type OpenJournalOptions, openJournal } from "./journal.js";
export * from "./journal-api.js";
export { needsWriteAccess, writable } from "./journal-open.js";
export * from "./journal-reader.js";
export { SCHEMA_VERSION } from "./journal-sql.js";
export { type ImportLine, ImportLineError, MAX_LINE_DEPTH, parseImportLines, toJsonLine } from "./jsonl.js";
export { ChainBroken, type ChainRow } from "./pg/pg-chain.js";
export { journalFiles, readSeqMark, seqMarkPath } from "./seq-mark.js";
export { type ShipOptions, type ShipResult, type ShipTarget, shipJournal } from "./ship.js";
export * from "./trading-session.js";
export { ulidIdGen } from "./ulid-id-gen.js";
export { noticeSeverity, upcast } from "./upcasters.js";
export { parseEventBody } from "./validation.js";
export * from "./wire-store.js";
export { acquireWriterLock, JournalLocked, type LockHolder, type WriterLock } from "./writer-lock.js";
