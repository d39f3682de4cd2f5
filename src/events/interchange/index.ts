/** Interchange: the JSON-lines export and import of events, and the plan that decides what an import adds. */
export { type ImportResult, importJsonLines, importParsedLines } from "./import-plan.js";
export { type ImportLine, ImportLineError, MAX_LINE_DEPTH, parseImportLines, toJsonLine } from "./jsonl.js";
