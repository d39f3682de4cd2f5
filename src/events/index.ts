/** The event catalogue and the journal: the only public door of src/events. */
export * from "./catalogue.js";
export * from "./envelope.js";
export * from "./clock.js";
export * from "./errors.js";
export * from "./journal-api.js";
export * from "./trading-session.js";
export { openJournal, type OpenJournalOptions } from "./journal.js";
export { canonicalJson } from "./canonical-json.js";
export { GENESIS_HASH, rowHash, type HashedRow } from "./hash-chain.js";
export { noticeSeverity, upcast } from "./upcasters.js";
export { isKnownType, parseEventBody } from "./validation.js";
export { ulidIdGen } from "./ulid-id-gen.js";
export { SCHEMA_VERSION } from "./journal-schema.js";
export { ImportLineError, importJsonLines, toJsonLine, type ImportResult } from "./jsonl.js";
