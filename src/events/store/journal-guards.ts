/**
 * The guards of a journal file: the triggers that make `events` (and `wire_frames`) append-only,
 * and the post-mortem views people read the journal through. The hash chain says whether a row
 * changed; the guards are what stops the change in the first place, and a view rewritten to leave
 * rows out hides them from every post-mortem. So `journal verify` holds the file's own definitions
 * (`sqlite_master.sql`) against the ones this code creates, every writer refuses a file whose
 * guards are missing or changed, and `journal verify --repair-guards` puts them back (DDL only:
 * no event, frame or hash is touched).
 */
import type { SqlExecutor } from "../catalogue/index.js";
import { JournalError } from "../catalogue/index.js";
import { EVENTS_NO_DELETE, EVENTS_NO_UPDATE } from "./journal-sql.js";
import { POSTMORTEM_VIEWS, viewsSignature } from "./views.js";

/** One schema object a journal must hold exactly as defined here. */
export interface Guard {
  kind: "trigger" | "view";
  name: string;
  /** The CREATE statement, as this code runs it. */
  sql: string;
}

/** wire_frames' guards, defined here with the events' (the store owns the file's schema); wire-store.ts creates them. */
export const WIRE_GUARDS: readonly Guard[] = [
  {
    kind: "trigger",
    name: "wire_frames_no_update",
    sql: `CREATE TRIGGER wire_frames_no_update BEFORE UPDATE ON wire_frames
    BEGIN SELECT RAISE(ABORT, 'wire_frames is append-only'); END`,
  },
  {
    kind: "trigger",
    name: "wire_frames_no_delete",
    sql: `CREATE TRIGGER wire_frames_no_delete BEFORE DELETE ON wire_frames
    BEGIN SELECT RAISE(ABORT, 'wire_frames is append-only'); END`,
  },
  // The view for SQL post-mortems: the message id is the frame's first field (the client hello,
  // `API\0`, shows as 'API'). It exists only where frames do.
  {
    kind: "view",
    name: "v_wire",
    sql: `CREATE VIEW v_wire AS
    SELECT seq, session, n, conn, dir, ts,
      strftime('%H:%M:%f', ts / 1000.0, 'unixepoch') AS utc_time,
      length(bytes) AS size,
      CASE WHEN substr(bytes, 1, 4) = CAST('API' || char(0) AS BLOB) THEN 'API'
        ELSE CAST(substr(bytes, 5, instr(substr(bytes, 5), char(0)) - 1) AS TEXT) END AS msg_id,
      replace(CAST(substr(bytes, 5) AS TEXT), char(0), '|') AS text
    FROM wire_frames`,
  },
];

const EVENT_GUARDS: readonly Guard[] = [
  { kind: "trigger", name: "events_no_update", sql: EVENTS_NO_UPDATE },
  { kind: "trigger", name: "events_no_delete", sql: EVENTS_NO_DELETE },
];

/** `CREATE TRIGGER x …` → `CREATE TRIGGER IF NOT EXISTS x …`, for idempotent creation. */
export function ifNotExists(guard: Guard): string {
  return guard.sql.replace(/^CREATE (TRIGGER|VIEW) /, "CREATE $1 IF NOT EXISTS ");
}

/** What is wrong with one guard: gone, different from its definition, or a trigger nobody defined. */
export interface GuardProblem {
  kind: "trigger" | "view";
  name: string;
  problem: "missing" | "changed" | "unexpected";
  /** The file's own definition, for `changed` and `unexpected`. */
  found?: string;
}

/** What `checkGuards` saw. */
export interface GuardReport {
  problems: GuardProblem[];
  triggers: number;
  views: number;
  /**
   * The views were made by another version of this program (their signature in journal_meta is
   * not this code's): a writable open refreshes them, so their text is not held against this
   * code's. Only read-only opens of an older or newer journal see this.
   */
  viewsFromAnotherVersion: boolean;
}

// SQLite keeps a CREATE statement's text as written, minus IF NOT EXISTS and leading blanks;
// blanks are not what a guard is about, so runs of them compare equal.
const normal = (sql: string) =>
  sql
    .replace(/^CREATE (TRIGGER|VIEW) IF NOT EXISTS /i, "CREATE $1 ")
    .replace(/\s+/g, " ")
    .trim();

interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

/** The guards this journal must hold: wire_frames' only where the table exists. */
function expectedGuards(rows: readonly SchemaRow[]): Guard[] {
  const hasWire = rows.some((r) => r.type === "table" && r.name === "wire_frames");
  const views: Guard[] = POSTMORTEM_VIEWS.map((v) => ({ kind: "view", name: v.name, sql: v.sql }));
  return [...EVENT_GUARDS, ...views, ...(hasWire ? WIRE_GUARDS : [])];
}

/**
 * Hold the file's triggers and views against their definitions. A trigger on `events`,
 * `wire_frames` or `journal_meta` that this code did not define is a problem too: a BEFORE INSERT
 * trigger with RAISE(IGNORE) would drop events without a word.
 */
export function checkGuards(sql: SqlExecutor): GuardReport {
  const rows = sql.all<SchemaRow>("SELECT type, name, tbl_name, sql FROM sqlite_master");
  const expected = expectedGuards(rows);
  const signature = sql.all<{ value: string }>("SELECT value FROM journal_meta WHERE key = 'views'")[0]
    ?.value;
  const viewsFromAnotherVersion = signature !== undefined && signature !== viewsSignature();
  const problems: GuardProblem[] = [];
  for (const guard of expected) {
    const row = rows.find((r) => r.type === guard.kind && r.name === guard.name);
    if (!row) problems.push({ kind: guard.kind, name: guard.name, problem: "missing" });
    else if (normal(row.sql ?? "") !== normal(guard.sql)) {
      if (guard.kind === "view" && guard.name !== "v_wire" && viewsFromAnotherVersion) continue;
      problems.push({ kind: guard.kind, name: guard.name, problem: "changed", found: row.sql ?? "" });
    }
  }
  for (const row of rows) {
    if (row.type !== "trigger" || expected.some((g) => g.kind === "trigger" && g.name === row.name)) continue;
    if (["events", "wire_frames", "journal_meta"].includes(row.tbl_name))
      problems.push({ kind: "trigger", name: row.name, problem: "unexpected", found: row.sql ?? "" });
  }
  return {
    problems,
    triggers: expected.filter((g) => g.kind === "trigger").length,
    views: expected.filter((g) => g.kind === "view").length,
    viewsFromAnotherVersion,
  };
}

/** One line per problem, for messages. */
export function describeGuardProblems(problems: readonly GuardProblem[]): string {
  return problems
    .map((p) =>
      p.problem === "missing"
        ? `${p.kind} ${p.name} is missing`
        : p.problem === "changed"
          ? `${p.kind} ${p.name} is not as the schema defines it`
          : `trigger ${p.name} is not part of the schema`,
    )
    .join("; ");
}

/**
 * Put the guards back as defined: drop what is changed or unexpected, create what is missing, in
 * one transaction. DDL only — no row of `events` or `wire_frames` is read or written, so no hash
 * changes. Returns what was repaired.
 */
export function repairGuards(sql: SqlExecutor): GuardProblem[] {
  const { problems } = checkGuards(sql);
  if (problems.length === 0) return [];
  const rows = sql.all<SchemaRow>("SELECT type, name, tbl_name, sql FROM sqlite_master");
  const expected = expectedGuards(rows);
  sql.transaction(() => {
    for (const p of problems) {
      if (p.problem !== "missing")
        sql.run(`DROP ${p.kind === "view" ? "VIEW" : "TRIGGER"} IF EXISTS "${p.name}"`);
      const guard = expected.find((g) => g.kind === p.kind && g.name === p.name);
      if (guard) sql.run(guard.sql);
    }
  });
  return problems;
}

/** A writer was asked to append to a journal whose guards are missing or changed. */
export class JournalUnguarded extends JournalError {
  constructor(
    readonly path: string,
    readonly command: string,
    readonly problems: readonly GuardProblem[],
  ) {
    super(
      "JOURNAL_UNGUARDED",
      `JournalUnguarded: ${path}: ${describeGuardProblems(problems)} — the file was changed outside this program (e.g. with the sqlite3 shell), so ${command} refuses to write to it. Check its events with \`journal verify --journal ${path}\`; if they verify, restore the guards with \`journal verify --repair-guards --journal ${path}\` (it changes no event), or restore a backup`,
    );
  }
}
