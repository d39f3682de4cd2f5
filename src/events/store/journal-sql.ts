/**
 * The journal's SQL as text: schema, migrations and statements, with no query builder loaded at
 * run time. kysely remains the source of truth: `journal-schema.ts` builds the same statements with
 * kysely's SQLite compiler and test/events/journal-sql.test.ts checks that both agree, so a read
 * (`journal sessions`, `sql`, `verify`) no longer pays ~150 ms to load kysely on every start.
 */
import type { EventFilter } from "../catalogue/index.js";
import { JournalUnavailable } from "../catalogue/index.js";
import { POSTMORTEM_INDEXES, POSTMORTEM_VIEWS, viewsSignature } from "./views.js";

/**
 * The part of better-sqlite3's `Database` the migrations use (a narrow interface, the way kysely's
 * SQLite dialect declares it, so this file needs no driver types).
 */
export interface MigratableDatabase {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  prepare(source: string): {
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
    run(...params: unknown[]): unknown;
  };
  exec(source: string): unknown;
  transaction(fn: () => void): { immediate(): void };
}

/** The schema version this code writes; a file with a higher `user_version` is refused. */
export const SCHEMA_VERSION = 1;

/**
 * The triggers that make `events` append-only. Named here because `journal verify` compares them
 * with what the file holds (journal-guards.ts): a journal whose triggers were dropped accepts any
 * UPDATE or DELETE from the sqlite3 shell.
 */
export const EVENTS_NO_UPDATE = `CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'journal events are immutable: UPDATE is not allowed (append a correcting event instead)'); END`;
export const EVENTS_NO_DELETE = `CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'journal events are immutable: DELETE is not allowed'); END`;

/** Each migration's statements (kysely's output; see journal-schema.ts). */
export const MIGRATION_SQL: Readonly<Record<number, readonly string[]>> = {
  1: [
    'create table "events" ("seq" integer primary key, "id" text not null unique, "stream" text not null, "session" text not null, "pos" integer not null, "type" text not null, "version" integer not null, "ts" integer not null, "causation" text, "correlation" text, "payload" text not null, "hash" text not null, constraint "events_stream_session_pos" unique ("stream", "session", "pos"))',
    'create index "events_type_seq" on "events" ("type", "seq")',
    'create index "events_ts" on "events" ("ts")',
    'create index "events_session_stream" on "events" ("session", "stream", "seq")',
    'create index "events_correlation" on "events" ("correlation")',
    // Immutability lives in the database, so the sqlite3 shell is held to it as much as our code.
    EVENTS_NO_UPDATE,
    EVENTS_NO_DELETE,
    'create table "journal_meta" ("key" text primary key, "value" text not null)',
  ],
};

/** Every fixed statement the journal runs (kysely's output; see journal-schema.ts). */
export const STATEMENTS = {
  insert:
    'insert into "events" ("seq", "id", "stream", "session", "pos", "type", "version", "ts", "causation", "correlation", "payload", "hash") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict ("id") do nothing',
  byId: 'select * from "events" where "id" = ?',
  lastRow: 'select "seq", "hash" from "events" order by "seq" desc limit 1',
  nextPos: 'select coalesce(max(pos) + 1, 0) as "next" from "events" where "stream" = ? and "session" = ?',
  // DISTINCT would walk every index entry (a 1M-event journal: ~0.5 s before a one-day replay).
  // These hop from one session to the next with one index seek each: O(sessions × log events).
  sessionIds: `WITH RECURSIVE s(session) AS (
        SELECT min(session) FROM events
        UNION ALL
        SELECT (SELECT min(session) FROM events WHERE session > s.session) FROM s WHERE s.session IS NOT NULL)
      SELECT session FROM s WHERE session IS NOT NULL`,
  sessionIdsOfStream: `WITH RECURSIVE s(session) AS (
        SELECT min(session) FROM events WHERE stream = ?
        UNION ALL
        SELECT (SELECT min(session) FROM events WHERE stream = ? AND session > s.session) FROM s WHERE s.session IS NOT NULL)
      SELECT session FROM s WHERE session IS NOT NULL`,
  page: 'select * from "events" where "seq" > ? order by "seq" limit ?',
  sessions:
    'select "stream", "session", count(*) as "events", min("ts") as "firstTs", max("ts") as "lastTs", min("seq") as "firstSeq", max("seq") as "lastSeq" from "events" group by "stream", "session" order by "session", "stream"',
} as const;

/** A compiled read with a filter, paged by seq. */
export interface FilterStatement {
  sql: string;
  params(filter: EventFilter, afterSeq: number, limit: number): unknown[];
}

const marks = (n: number) => Array.from({ length: Math.max(1, n) }, () => "?").join(", ");

/**
 * The paged, filtered read for the fields `filter` sets (the SQL depends only on which are set).
 * Every page must come out in seq order without sorting the rest of the table: only the
 * (session, stream, seq) and (type, seq) indexes deliver that, so other filters are written with a
 * unary `+`, which keeps SQLite walking the primary key and testing them row by row.
 */
export function filteredStatement(filter: EventFilter): FilterStatement {
  const where = ['"seq" > ?'];
  const both = filter.stream !== undefined && filter.session !== undefined;
  if (filter.stream !== undefined) where.push(both ? "stream = ?" : "+stream = ?");
  if (filter.session !== undefined) where.push(both ? "session = ?" : "+session = ?");
  if (filter.sessions !== undefined) where.push(`+session in (${marks(filter.sessions.length)})`);
  if (filter.types !== undefined && filter.types.length === 1) where.push('"type" = ?');
  // Several types: walk the primary key in seq order and test the type (`+type` keeps SQLite off
  // the (type, seq) index, which would need a sort of every remaining row for each page).
  else if (filter.types !== undefined) where.push(`+type in (${marks(filter.types.length)})`);
  if (filter.fromTs !== undefined) where.push("+ts >= ?");
  if (filter.toTs !== undefined) where.push("+ts < ?");
  if (filter.toSeq !== undefined) where.push('"seq" < ?');
  return {
    sql: `select * from "events" where ${where.join(" and ")} order by "seq" limit ?`,
    params(f, afterSeq, limit) {
      const params: unknown[] = [afterSeq];
      if (f.stream !== undefined) params.push(f.stream);
      if (f.session !== undefined) params.push(f.session);
      if (f.sessions !== undefined) params.push(...(f.sessions.length ? f.sessions : ["\u0000none"]));
      if (f.types !== undefined) params.push(...(f.types.length ? f.types : ["\u0000none"]));
      if (f.fromTs !== undefined) params.push(f.fromTs);
      if (f.toTs !== undefined) params.push(f.toTs);
      if (f.toSeq !== undefined) params.push(f.toSeq);
      params.push(limit);
      return params;
    },
  };
}

/** The statements, with the filtered reads cached by the shape of their filter. */
export function journalStatements() {
  const filteredCache = new Map<string, FilterStatement>();
  return {
    ...STATEMENTS,
    filtered(filter: EventFilter): FilterStatement {
      const shape = [
        filter.stream !== undefined,
        filter.session !== undefined,
        filter.sessions?.length ?? -1,
        filter.types?.length ?? -1,
        filter.fromSeq !== undefined,
        filter.fromTs !== undefined,
        filter.toTs !== undefined,
        filter.toSeq !== undefined,
      ].join(",");
      let statement = filteredCache.get(shape);
      if (!statement) {
        statement = filteredStatement(filter);
        filteredCache.set(shape, statement);
      }
      return statement;
    },
  };
}

/**
 * Bring the file to SCHEMA_VERSION, one migration per transaction. With `checkOnly` (read-only
 * opens) it only checks that the file is a journal this code can read.
 */
export function migrate(db: MigratableDatabase, path: string, options: { checkOnly?: boolean } = {}): void {
  const current = Number(db.pragma("user_version", { simple: true }));
  if (current > SCHEMA_VERSION) {
    throw new JournalUnavailable(
      path,
      `schema version ${current} was written by a newer version of this program (this one knows ${SCHEMA_VERSION}); upgrade it`,
    );
  }
  if (options.checkOnly) {
    if (current === 0)
      throw new JournalUnavailable(path, "is a SQLite file but not a journal (no events table)");
    return;
  }
  if (current === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
      n: number;
    };
    if (tables.n > 0) {
      throw new JournalUnavailable(
        path,
        "is a SQLite database of something else (it has tables but no journal schema); refusing to touch it",
      );
    }
  }
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    const steps = MIGRATION_SQL[version] ?? [];
    db.transaction(() => {
      for (const step of steps) db.exec(step);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}

/**
 * (Re)create the post-mortem views and their indexes. They are derived from the events, so
 * dropping and creating them is safe; done only when their definitions changed, to keep opens
 * cheap.
 */
export function refreshViews(db: MigratableDatabase): void {
  const derived = [...POSTMORTEM_VIEWS, ...POSTMORTEM_INDEXES];
  const signature = viewsSignature();
  const stored = db.prepare("SELECT value FROM journal_meta WHERE key = 'views'").get() as
    | { value: string }
    | undefined;
  if (stored?.value === signature) return;
  db.transaction(() => {
    const existing = db
      .prepare(
        // v_wire belongs to the wire store (created with its table, wire/wire-store.ts): kept.
        "SELECT type, name FROM sqlite_master WHERE (type = 'view' AND name != 'v_wire') OR (type = 'index' AND name GLOB 'events_pm_*')",
      )
      .all() as {
      type: string;
      name: string;
    }[];
    for (const old of existing)
      db.exec(`DROP ${old.type === "view" ? "VIEW" : "INDEX"} IF EXISTS "${old.name}"`);
    for (const view of derived) db.exec(view.sql);
    db.prepare(
      "INSERT INTO journal_meta (key, value) VALUES ('views', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(signature);
  }).immediate();
}
