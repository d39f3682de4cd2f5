/**
 * The fleet journal's PostgreSQL schema: one `events` table holding every bot's chain (primary key
 * bot + seq, so each bot's seq stays gap-free and its hashes stay exactly those its Pi wrote),
 * immutability enforced by triggers, a `journal_reader` role that may only SELECT, and the
 * post-mortem views.
 */
import { hash } from "node:crypto";
import { type Generated, type Kysely, sql } from "kysely";
import { JournalUnavailable } from "../catalogue/index.js";
import { PG_POSTMORTEM_VIEWS } from "./pg-views.js";

/** The events table as kysely sees it (bigint columns arrive as numbers: see pg-journal.ts). */
export interface PgEventsTable {
  bot: string;
  seq: number;
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
  shipped_at: Generated<Date>;
}

export interface PgJournalDb {
  events: PgEventsTable;
  journal_meta: { key: string; value: string };
}

/** The schema version this code writes; a database with a higher one is refused. */
export const PG_SCHEMA_VERSION = 1;

/** The role `journal sql` switches to, and the one to grant to people who only read. */
export const READER_ROLE = "journal_reader";

const MIGRATIONS: Record<number, readonly string[]> = {
  1: [
    `CREATE TABLE events (
       bot text NOT NULL,
       seq bigint NOT NULL CHECK (seq > 0),
       id text NOT NULL UNIQUE,
       stream text NOT NULL,
       session text NOT NULL,
       pos integer NOT NULL CHECK (pos >= 0),
       type text NOT NULL,
       version integer NOT NULL,
       ts bigint NOT NULL,
       causation text,
       correlation text,
       payload text NOT NULL,
       hash text NOT NULL,
       shipped_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (bot, seq),
       CONSTRAINT events_bot_stream_session_pos UNIQUE (bot, stream, session, pos)
     )`,
    "CREATE INDEX events_session_stream ON events (bot, session, stream, seq)",
    "CREATE INDEX events_type_seq ON events (type, bot, seq)",
    "CREATE INDEX events_ts ON events (ts)",
    "CREATE INDEX events_correlation ON events (correlation)",
    "CREATE INDEX events_causation ON events (causation)",
    // Immutability lives in the database, so psql is held to it as much as our code.
    `CREATE FUNCTION journal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'journal events are immutable: % is not allowed (append a correcting event instead)', TG_OP
         USING ERRCODE = 'restrict_violation';
     END $$`,
    `CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
       FOR EACH ROW EXECUTE FUNCTION journal_refuse_change()`,
    `CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
       FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change()`,
  ],
};

/**
 * Bring the database to PG_SCHEMA_VERSION under an advisory lock (two shippers starting together
 * migrate once), refresh the views when their definitions changed, and grant the reader role.
 */
export async function migratePg(db: Kysely<PgJournalDb>, location: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('journal:migrate'))`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS journal_meta (key text PRIMARY KEY, value text NOT NULL)`.execute(
      trx,
    );
    const row = await trx
      .selectFrom("journal_meta")
      .select("value")
      .where("key", "=", "schema_version")
      .executeTakeFirst();
    const current = row ? Number(row.value) : 0;
    if (current > PG_SCHEMA_VERSION) {
      throw new JournalUnavailable(
        location,
        `schema version ${current} was written by a newer version of this program (this one knows ${PG_SCHEMA_VERSION}); upgrade it`,
      );
    }
    for (let version = current + 1; version <= PG_SCHEMA_VERSION; version++) {
      for (const step of MIGRATIONS[version] ?? []) await sql.raw(step).execute(trx);
    }
    if (current !== PG_SCHEMA_VERSION) await setMeta(trx, "schema_version", String(PG_SCHEMA_VERSION));

    // A digest, not the text: PostgreSQL text cannot hold the NUL separators.
    const signature = hash(
      "sha256",
      PG_POSTMORTEM_VIEWS.map((v) => `${v.name}\u0000${v.sql}`).join("\u0001"),
      "hex",
    );
    const stored = await trx
      .selectFrom("journal_meta")
      .select("value")
      .where("key", "=", "views")
      .executeTakeFirst();
    if (stored?.value !== signature) {
      for (const view of [...PG_POSTMORTEM_VIEWS].reverse())
        await sql.raw(`DROP VIEW IF EXISTS ${view.name} CASCADE`).execute(trx);
      for (const view of PG_POSTMORTEM_VIEWS) await sql.raw(view.sql).execute(trx);
      await setMeta(trx, "views", signature);
      await grantReader(trx);
    }
  });
}

/** Check, without writing, that the database holds a journal this code can read. */
export async function checkPgSchema(db: Kysely<PgJournalDb>, location: string): Promise<void> {
  const found = await sql<{ t: string | null }>`SELECT to_regclass('journal_meta')::text AS t`.execute(db);
  if (!found.rows[0]?.t)
    throw new JournalUnavailable(location, "holds no journal yet (run `journal ship --to` this URL first)");
  const row = await db
    .selectFrom("journal_meta")
    .select("value")
    .where("key", "=", "schema_version")
    .executeTakeFirst();
  const current = row ? Number(row.value) : 0;
  if (current > PG_SCHEMA_VERSION)
    throw new JournalUnavailable(
      location,
      `schema version ${current} was written by a newer version of this program (this one knows ${PG_SCHEMA_VERSION}); upgrade it`,
    );
}

async function setMeta(db: Kysely<PgJournalDb>, key: string, value: string): Promise<void> {
  await db
    .insertInto("journal_meta")
    .values({ key, value })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
    .execute();
}

/**
 * The reader role (cluster-wide, created once) may SELECT the events and views, nothing else.
 * Without the right to create roles this is skipped: grant SELECT to your readers by hand.
 */
async function grantReader(db: Kysely<PgJournalDb>): Promise<void> {
  await sql
    .raw(`DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${READER_ROLE}') THEN
    BEGIN
      CREATE ROLE ${READER_ROLE} NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO ${READER_ROLE}', current_database());
  GRANT USAGE ON SCHEMA public TO ${READER_ROLE};
  GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${READER_ROLE};
  REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public FROM ${READER_ROLE};
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot create role ${READER_ROLE}: grant SELECT on events and the v_* views to readers by hand';
END $$`)
    .execute(db);
}
