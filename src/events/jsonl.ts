/**
 * The journal's interchange format: one envelope per line, JSON. `seq` and `hash` are left out —
 * they belong to the journal that holds the event — so a session exported from the Pi imports
 * into any journal, and importing it twice adds nothing (ids are kept).
 */
import { z } from "zod";
import { SessionIdSchema } from "./catalogue.js";
import type { NewEvent, StoredEvent } from "./envelope.js";
import { JournalError } from "./errors.js";
import type { Journal } from "./journal-api.js";
import { parseEventBody } from "./validation.js";

const LineSchema = z.object({
  id: z.string().min(1),
  stream: z.string().min(1),
  session: SessionIdSchema,
  pos: z.number().int().nonnegative(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  ts: z.number().int(),
  causation: z.string().nullable(),
  correlation: z.string().nullable(),
  payload: z.unknown(),
});

/** One exported line for a stored event (fixed key order, so exports are byte-stable). */
export function toJsonLine(event: StoredEvent): string {
  return JSON.stringify({
    id: event.id,
    stream: event.stream,
    session: event.session,
    pos: event.pos,
    type: event.type,
    version: event.version,
    ts: event.ts,
    causation: event.causation,
    correlation: event.correlation,
    payload: event.payload,
  });
}

/** A line of an import file that is not a valid event. */
export class ImportLineError extends JournalError {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
  ) {
    super(
      "IMPORT_LINE_INVALID",
      `${file}:${line}: ${problem} — fix or remove that line; nothing of ${file} was imported`,
    );
  }
}

export interface ImportResult {
  lines: number;
  added: number;
  alreadyPresent: number;
}

/**
 * Import JSON lines into `journal`: every line is checked first, then all of them are appended in
 * one transaction per stream+session group, in file order. Ids already present are skipped.
 */
export function importJsonLines(journal: Journal, text: string, file: string): ImportResult {
  const groups = new Map<string, { stream: string; session: string; events: NewEvent[] }>();
  const lines = text.split("\n");
  let count = 0;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    const lineNo = index + 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new ImportLineError(file, lineNo, `not JSON (${(error as Error).message})`);
    }
    const envelope = LineSchema.safeParse(json);
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      throw new ImportLineError(file, lineNo, `field "${issue?.path.join(".")}" ${issue?.message}`);
    }
    const e = envelope.data;
    try {
      parseEventBody(e.type, e.version, e.payload, `line ${lineNo}`);
    } catch (error) {
      throw new ImportLineError(file, lineNo, (error as Error).message);
    }
    const key = `${e.stream}\u0000${e.session}`;
    let group = groups.get(key);
    if (!group) {
      group = { stream: e.stream, session: e.session, events: [] };
      groups.set(key, group);
    }
    group.events.push({
      id: e.id,
      type: e.type,
      version: e.version,
      ts: e.ts,
      causation: e.causation,
      correlation: e.correlation,
      payload: e.payload,
    } as NewEvent);
    count += 1;
  });
  const before = journal.lastSeq();
  journal.sql.transaction(() => {
    for (const group of groups.values()) journal.append(group.stream, group.session, group.events);
  });
  const added = journal.lastSeq() - before;
  return { lines: count, added, alreadyPresent: count - added };
}
