/** The CLI wiring: the only folder that imports every other one. */
export { buildProgram, runCli, UsageError } from "./program.js";
export { DEFAULT_JOURNAL_PATH, journalPathOption } from "./options.js";
