/**
 * The journal's interchange format: one envelope per line, JSON. `seq` and `hash` are left out —
 * they belong to the journal that holds the event — so a session exported from the Pi imports
 * into any journal, and importing it twice adds nothing (ids are kept).
 *
 * Reading a file is strict: every envelope and payload field must be known (a silently dropped
 * field would be evidence lost), streams and sessions are checked, nesting is bounded. Whether
 * the lines may join a given journal is decided in import-plan.ts.
 */
import type { StoredEvent } from "../catalogue/index.js";
import { importLineSchema, JournalError, parseEventBody } from "../catalogue/index.js";

/** Deeper JSON than any catalogue payload needs; deeper is refused before zod recurses into it. */
export const MAX_LINE_DEPTH = 32;

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

/**
 * What the first line of a file written by `journal export --force` says: the session failed its
 * verify where it was exported, at `seq`. Its events would get a valid chain in any journal they
 * were imported into — tampering laundered — so an import refuses such a file unless forced too.
 */
export interface ForcedExport {
  session: string;
  stream: string | null;
  seq: number;
  problem: string;
}

/** The header line of a forced export (without its newline). */
export function forcedExportLine(forced: ForcedExport): string {
  return JSON.stringify({ forced });
}

const isForcedLine = (line: string) => /^\{\s*"forced"\s*:/.test(line);

function forcedOf(line: string): ForcedExport | undefined {
  try {
    const f = (JSON.parse(line) as { forced?: Partial<ForcedExport> }).forced;
    return {
      session: String(f?.session ?? "?"),
      stream: typeof f?.stream === "string" ? f.stream : null,
      seq: Number(f?.seq ?? 0),
      problem: String(f?.problem ?? "?"),
    };
  } catch {
    return undefined;
  }
}

/**
 * Take a forced export's header off `text` (its line blanked, so the events' line numbers stay
 * right): what it says, or undefined for an ordinary file.
 */
export function takeForcedExport(text: string): { forced: ForcedExport | undefined; text: string } {
  const end = text.indexOf("\n");
  const first = end < 0 ? text : text.slice(0, end);
  if (!isForcedLine(first.trim())) return { forced: undefined, text };
  return {
    forced: forcedOf(first.trim()) ?? { session: "?", stream: null, seq: 0, problem: "?" },
    text: end < 0 ? "" : text.slice(end),
  };
}

/** A line of an import file that is not a valid event, or may not join this journal. */
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

/** One valid line of an import file, with its body validated (and upcast) once. */
export interface ImportLine {
  line: number;
  id: string;
  stream: string;
  session: string;
  pos: number;
  type: string;
  version: number;
  ts: number;
  causation: string | null;
  correlation: string | null;
  /** The payload as written in the file (what is appended; the journal validates it again). */
  payload: unknown;
  /** The validated, upcast payload, to compare with a stored event. */
  parsed: unknown;
}

/**
 * Parse and check every line of an import file, without touching any journal. Throws
 * `ImportLineError` naming file:line for the first bad line.
 */
export function parseImportLines(text: string, file: string): ImportLine[] {
  const out: ImportLine[] = [];
  const seen = new Map<string, number>();
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === "") continue;
    const lineNo = index + 1;
    const fail = (problem: string) => new ImportLineError(file, lineNo, problem);
    if (isForcedLine(line)) {
      const f = forcedOf(line);
      throw fail(
        `written by \`journal export --force\`: session ${f?.session ?? "?"} failed verify where it was exported (seq ${f?.seq ?? "?"}: ${f?.problem ?? "?"}), and importing it would give its events a valid chain here; import it only if you mean to keep them anyway, with \`journal import --force\``,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw fail(`not JSON (${(error as Error).message})`);
    }
    const depth = jsonDepth(json, MAX_LINE_DEPTH);
    if (depth > MAX_LINE_DEPTH)
      throw fail(`nested deeper than ${MAX_LINE_DEPTH} levels; no event is that deep`);
    const envelope = importLineSchema().safeParse(json);
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      if (issue?.code === "unrecognized_keys")
        throw fail(`unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")} in the envelope`);
      throw fail(`field "${issue?.path.join(".")}" ${issue?.message}`);
    }
    const e = envelope.data;
    let parsed: unknown;
    try {
      parsed = parseEventBody(e.type, e.version, e.payload, `line ${lineNo}`).payload;
    } catch (error) {
      throw fail((error as Error).message);
    }
    const unknown = unknownField(e.payload, parsed, "payload");
    if (unknown !== undefined)
      throw fail(`unknown field "${unknown}" (not in the ${e.type} v${e.version} schema)`);
    const earlier = seen.get(e.id);
    if (earlier !== undefined) throw fail(`id ${e.id} is used again (first at line ${earlier})`);
    seen.set(e.id, lineNo);
    out.push({ ...e, line: lineNo, parsed });
  }
  return out;
}

/** Depth of a JSON value, counted without recursion (stops early past `limit`). */
function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Object.values(v as object)) stack.push([child, d + 1]);
  }
  return max;
}

/**
 * The first path present in `input` but dropped by the schema (zod strips unknown keys; here that
 * is an error). Defaults only add keys and records keep theirs, so a missing key means unknown.
 */
function unknownField(input: unknown, output: unknown, path: string): string | undefined {
  if (input === null || typeof input !== "object" || output === null || typeof output !== "object") return;
  if (Array.isArray(input)) {
    if (!Array.isArray(output)) return;
    for (let i = 0; i < input.length; i++) {
      const found = unknownField(input[i], output[i], `${path}[${i}]`);
      if (found) return found;
    }
    return;
  }
  const out = output as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(out, key)) return `${path}.${key}`;
    const found = unknownField(value, out[key], `${path}.${key}`);
    if (found) return found;
  }
  return;
}
