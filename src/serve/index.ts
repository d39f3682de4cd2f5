/** `journal serve`: a read-only, phone-first HTTP server on the journal (pages, live updates, SQL). */

export { CONTENT_SECURITY_POLICY } from "./access.js";
export type { SqlOutcome } from "./pages.js";
export { type JournalServer, type ServeOptions, startJournalServer } from "./server.js";
