/** Interchange: the JSON-lines export and import of events, and the plan that decides what an import adds. */
export { type ImportResult, importJsonLines, importParsedLines } from "./import-plan.js";
export { SESSION_SLACK_MS, sessionWindow } from "./import-rules.js";
export {
  type ForcedExport,
  forcedExportLine,
  type ImportLine,
  ImportLineError,
  MAX_LINE_DEPTH,
  parseImportLines,
  takeForcedExport,
  toJsonLine,
} from "./jsonl.js";
