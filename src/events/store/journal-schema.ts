/**
 * The journal's database schema, its migrations, and its statements as kysely builds them with its
 * SQLite compiler: the source of truth for the SQL text in journal-sql.ts, which the journal runs
 * (so kysely is not loaded at run time); test/events/journal-sql.test.ts checks both agree. A
 * PostgreSQL store would compile these same builders with kysely's Postgres dialect.
 */
import {
  DummyDriver,
  type Generated,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from "kysely";
import type { EventFilter } from "../catalogue/index.js";
import type { FilterStatement } from "./journal-sql.js";

/** The events table as kysely sees it. */
interface EventsTable {
  seq: Generated<number>;
  id: string;
  stream: string;
  session: string;
  pos: number;
  type: string;
  version: number;
  ts: number;
  causation: string | null;
  correlation: string | null;
  payload: string;
  hash: string;
}

interface JournalMetaTable {
  key: string;
  value: string;
}

interface JournalDb {
  events: EventsTable;
  journal_meta: JournalMetaTable;
}

/** A compile-only kysely: builds SQLite SQL, never connects. */
const k = new Kysely<JournalDb>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/** Each migration's statements, by schema version. */
export const MIGRATIONS: Record<number, readonly string[]> = {
  1: [
    k.schema
      .createTable("events")
      .addColumn("seq", "integer", (c) => c.primaryKey())
      .addColumn("id", "text", (c) => c.notNull().unique())
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("session", "text", (c) => c.notNull())
      .addColumn("pos", "integer", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("ts", "integer", (c) => c.notNull())
      .addColumn("causation", "text")
      .addColumn("correlation", "text")
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("hash", "text", (c) => c.notNull())
      .addUniqueConstraint("events_stream_session_pos", ["stream", "session", "pos"])
      .compile().sql,
    k.schema.createIndex("events_type_seq").on("events").columns(["type", "seq"]).compile().sql,
    k.schema.createIndex("events_ts").on("events").column("ts").compile().sql,
    k.schema.createIndex("events_session_stream").on("events").columns(["session", "stream", "seq"]).compile()
      .sql,
    k.schema.createIndex("events_correlation").on("events").column("correlation").compile().sql,
    // Immutability lives in the database, so the sqlite3 shell is held to it as much as our code.
    `CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'journal events are immutable: UPDATE is not allowed (append a correcting event instead)'); END`,
    `CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'journal events are immutable: DELETE is not allowed'); END`,
    k.schema
      .createTable("journal_meta")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .compile().sql,
  ],
};

/** Every statement the journal runs, compiled once. */
export function compileStatements() {
  const placeholder = "";
  const filteredCache = new Map<string, FilterStatement>();
  return {
    insert: k
      .insertInto("events")
      .values({
        seq: 0,
        id: placeholder,
        stream: placeholder,
        session: placeholder,
        pos: 0,
        type: placeholder,
        version: 0,
        ts: 0,
        causation: null,
        correlation: null,
        payload: placeholder,
        hash: placeholder,
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .compile().sql,
    byId: k.selectFrom("events").selectAll().where("id", "=", placeholder).compile().sql,
    lastRow: k.selectFrom("events").select(["seq", "hash"]).orderBy("seq", "desc").limit(sql.lit(1)).compile()
      .sql,
    nextPos: k
      .selectFrom("events")
      .select(sql<number>`coalesce(max(pos) + 1, 0)`.as("next"))
      .where("stream", "=", placeholder)
      .where("session", "=", placeholder)
      .compile().sql,
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
    page: k.selectFrom("events").selectAll().where("seq", ">", 0).orderBy("seq").limit(0).compile().sql,
    sessions: k
      .selectFrom("events")
      .select((eb) => [
        "stream",
        "session",
        eb.fn.countAll<number>().as("events"),
        eb.fn.min<number>("ts").as("firstTs"),
        eb.fn.max<number>("ts").as("lastTs"),
        eb.fn.min<number>("seq").as("firstSeq"),
        eb.fn.max<number>("seq").as("lastSeq"),
      ])
      .groupBy(["stream", "session"])
      .orderBy("session")
      .orderBy("stream")
      .compile().sql,
    /** A paged, filtered read; the SQL depends only on which filter fields are set. */
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
      const cached = filteredCache.get(shape);
      if (cached) return cached;
      let q = k.selectFrom("events").selectAll().where("seq", ">", 0);
      // Every page must come out in seq order without sorting the rest of the table: only the
      // (session, stream, seq) and (type, seq) indexes deliver that, so other filters are written
      // with a unary `+`, which keeps SQLite walking the primary key and testing them row by row.
      if (filter.stream !== undefined) {
        q = q.where(
          filter.session !== undefined ? sql<string>`stream` : sql<string>`+stream`,
          "=",
          placeholder,
        );
      }
      if (filter.session !== undefined) {
        q = q.where(
          filter.stream !== undefined ? sql<string>`session` : sql<string>`+session`,
          "=",
          placeholder,
        );
      }
      if (filter.sessions !== undefined)
        q = q.where(
          sql<string>`+session`,
          "in",
          filter.sessions.length ? filter.sessions.map(() => placeholder) : [placeholder],
        );
      if (filter.types !== undefined && filter.types.length === 1) q = q.where("type", "=", placeholder);
      else if (filter.types !== undefined) {
        // Several types: walk the primary key in seq order and test the type (`+type` keeps SQLite off
        // the (type, seq) index, which would need a sort of every remaining row for each page).
        q = q.where(
          sql<string>`+type`,
          "in",
          filter.types.length ? filter.types.map(() => placeholder) : [placeholder],
        );
      }
      if (filter.fromTs !== undefined) q = q.where(sql<number>`+ts`, ">=", 0);
      if (filter.toTs !== undefined) q = q.where(sql<number>`+ts`, "<", 0);
      if (filter.toSeq !== undefined) q = q.where("seq", "<", 0);
      const statement: FilterStatement = {
        sql: q.orderBy("seq").limit(0).compile().sql,
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
      filteredCache.set(shape, statement);
      return statement;
    },
  };
}
