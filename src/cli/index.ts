/** The CLI wiring: the only folder that imports every other one. */

export { DEFAULT_JOURNAL_PATH, journalPathOption } from "./options.js";
export { buildProgram, runCli } from "./program.js";
export { NotFound, UsageError } from "./usage-error.js";
