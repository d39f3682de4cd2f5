/**
 * Captured wire frames in the journal commands (`verify` checks their chain itself): `export` writes them
 * after the session's events as `{"frame":…}` lines, `import` takes those lines back byte for byte.
 */
import {
  importWireLines,
  isWireJsonLine,
  type Journal,
  readWireFrames,
  toWireJsonLine,
} from "../events/index.js";
import { UsageError } from "./usage-error.js";

/** The session's frames as export lines (each ends with a newline). */
export function* wireExportLines(journal: Journal, session: string): IterableIterator<string> {
  for (const frame of readWireFrames(journal.sql, { session })) yield `${toWireJsonLine(frame)}\n`;
}

/**
 * Take the frame lines out of an export file: returns the text with those lines blanked (so the
 * events' line numbers stay right for their errors) and the frame lines, parsed.
 */
export function splitWireLines(
  text: string,
  file: string,
): { events: string; frames: { json: unknown; where: string }[] } {
  const frames: { json: unknown; where: string }[] = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (!line.startsWith('{"frame"')) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new UsageError(
        `${file}:${index + 1}: not JSON (${(error as Error).message}); nothing was imported`,
      );
    }
    if (!isWireJsonLine(json)) return;
    frames.push({ json, where: `${file}:${index + 1}` });
    lines[index] = "";
  });
  return { events: lines.join("\n"), frames };
}

/** Import parsed frame lines inside the caller's transaction. */
export function importWire(journal: Journal, frames: { json: unknown; where: string }[]) {
  if (frames.length === 0) return { added: 0, alreadyPresent: 0 };
  try {
    return importWireLines(journal.sql, frames);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; nothing was imported`);
  }
}
