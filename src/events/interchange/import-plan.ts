/**
 * Importing JSON lines without rewriting history. A file may
 *  - add a whole stream+session the journal does not have (its lines start at pos 0), or
 *  - repeat events the journal already holds (same id, same pos, same body: skipped), and then
 *  - continue a stream+session at its current end, pos for pos, but only if the file also holds
 *    the journal's last event of that stream+session (its link to the history it continues).
 * A `pos` already taken by another event, a gap, a reused id with another body, or a stream
 * continued without its previous event is refused, naming file:line; nothing is written then.
 * What an added event must be in itself (its time, what it refers to, a closed run) is checked by
 * import-rules.ts, also before anything is written.
 */
import type { Journal, NewEvent } from "../catalogue/index.js";
import { canonicalJson, JournalError } from "../catalogue/index.js";
import { checkAddedLines } from "./import-rules.js";
import { type ImportLine, ImportLineError, parseImportLines } from "./jsonl.js";

/** What an import did: lines read, events appended, and lines that were already in the journal. */
export interface ImportResult {
  lines: number;
  added: number;
  alreadyPresent: number;
}

interface Group {
  stream: string;
  session: string;
  lines: ImportLine[];
}

/**
 * Import JSON lines into `journal`: every line is checked against the file's own rules and then
 * against the journal's history; only then is anything appended, in one transaction (all or
 * nothing), one append per stream+session in file order.
 */
export function importJsonLines(journal: Journal, text: string, file: string): ImportResult {
  return importParsedLines(journal, parseImportLines(text, file), file);
}

/** The second half of `importJsonLines`, for callers that parsed the file before opening a journal. */
export function importParsedLines(
  journal: Journal,
  lines: readonly ImportLine[],
  file: string,
): ImportResult {
  const groups = new Map<string, Group>();
  for (const line of lines) {
    const key = `${line.stream}\u0000${line.session}`;
    let group = groups.get(key);
    if (!group) {
      group = { stream: line.stream, session: line.session, lines: [] };
      groups.set(key, group);
    }
    group.lines.push(line);
  }
  const appends: { group: Group; start: number; events: NewEvent[] }[] = [];
  const adding: ImportLine[][] = [];
  let present = 0;
  for (const group of groups.values()) {
    const plan = planGroup(journal, group, file);
    present += plan.present;
    if (plan.events.length > 0) appends.push({ group, start: plan.start, events: plan.events });
    adding.push(plan.added);
  }
  checkAddedLines(journal, lines, adding, file);
  const before = journal.lastSeq();
  journal.sql.transaction(() => {
    for (const { group, start, events } of appends) {
      try {
        journal.append(group.stream, group.session, events, { expectedPos: start });
      } catch (error) {
        // Checked above; only another writer between the check and the append gets here.
        if (error instanceof JournalError && !(error instanceof ImportLineError)) {
          const first = group.lines.find((l) => l.pos === start) ?? group.lines[0]!;
          throw new ImportLineError(file, first.line, error.message);
        }
        throw error;
      }
    }
  });
  const added = journal.lastSeq() - before;
  return { lines: lines.length, added, alreadyPresent: present };
}

function planGroup(
  journal: Journal,
  group: Group,
  file: string,
): { present: number; start: number; events: NewEvent[]; added: ImportLine[] } {
  const { stream, session } = group;
  const where = `${stream}/${session}`;
  const end = journal.nextPos(stream, session);
  let expected = group.lines[0]!.pos;
  let present = 0;
  const events: NewEvent[] = [];
  const added: ImportLine[] = [];
  for (const line of group.lines) {
    const fail = (problem: string) => new ImportLineError(file, line.line, problem);
    if (line.pos !== expected)
      throw fail(
        `pos ${line.pos} of ${where} follows pos ${expected - 1} in the file: positions must be consecutive`,
      );
    expected += 1;
    const stored = journal.get(line.id);
    if (line.pos < end) {
      // The journal already has this position: only the very same event may stand there.
      if (!stored || stored.stream !== stream || stored.session !== session || stored.pos !== line.pos) {
        throw fail(
          `pos ${line.pos} of ${where} is already taken by another event (the journal has ${end} events there); an import cannot change a stream's past`,
        );
      }
      if (!sameBody(stored, line))
        throw fail(
          `event ${line.id} is already in the journal with a different body; ids must not be reused`,
        );
      present += 1;
      continue;
    }
    if (stored) {
      throw fail(
        `id ${line.id} is already in the journal as ${stored.stream}/${stored.session} pos ${stored.pos}; ids must not be reused`,
      );
    }
    if (events.length === 0) {
      if (line.pos > end)
        throw fail(`pos ${line.pos} of ${where} leaves a gap: the journal's next position there is ${end}`);
      if (end > 0 && present === 0) {
        const last = [...journal.read({ stream, session, fromSeq: 1 })].at(-1);
        throw fail(
          `continues ${where} at pos ${end} without its previous event (pos ${end - 1}, id ${last?.id ?? "?"}); export the whole session and import that file, so the link to the journal's history is checked`,
        );
      }
    }
    added.push(line);
    events.push({
      id: line.id,
      type: line.type,
      version: line.version,
      ts: line.ts,
      causation: line.causation,
      correlation: line.correlation,
      payload: line.payload,
    } as NewEvent);
  }
  return { present, start: end, events, added };
}

function sameBody(
  stored: {
    type: string;
    version: number;
    ts: number;
    causation: string | null;
    correlation: string | null;
    payload: unknown;
  },
  line: ImportLine,
): boolean {
  return (
    stored.type === line.type &&
    stored.ts === line.ts &&
    stored.causation === line.causation &&
    stored.correlation === line.correlation &&
    canonicalJson(stored.payload) === canonicalJson(line.parsed)
  );
}
