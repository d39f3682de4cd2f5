/**
 * The catalogue and its basics, the bottom part of src/events: the event schemas (as types: the zod
 * schemas load on first validation), the envelope, versions and upcasters, validation, time and ids,
 * trading dates, errors, canonical JSON, and the Journal contract every store and tool is written to.
 */
export * from "./alert-kinds.js";
export { canonicalJson, sameJson } from "./canonical-json.js";
// Types only: the zod schemas load on first validation (catalogue-lazy.ts), not with this door.
export type * from "./catalogue.js";
export { catalogueSchemas, importLineSchema, loadCatalogue } from "./catalogue-lazy.js";
export * from "./catalogue-meta.js";
export * from "./clock.js";
export * from "./envelope.js";
export * from "./errors.js";
export * from "./journal-api.js";
export { forPeople, maskPassword, printable } from "./printable.js";
export { isRealSessionDate } from "./session-date.js";
export * from "./trading-hours.js";
export * from "./trading-session.js";
export { ulidIdGen } from "./ulid-id-gen.js";
export { noticeSeverity, upcast } from "./upcasters.js";
export { parseEventBody, parsePayload, trustedPayload } from "./validation.js";
