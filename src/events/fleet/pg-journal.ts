/**
 * PgJournal: the fleet's central journal on PostgreSQL (kysely's Postgres dialect over `pg`).
 *
 * One database holds every bot's journal: rows are keyed by (bot, seq), so each bot keeps its own
 * gap-free seq and its own hash chain — the very hashes its Pi computed, which `ship` copies
 * unchanged and `verify` recomputes with the same `rowHash`. A journal opened with a `bot` reads
 * and appends that bot's chain only; opened without one, it reads the whole fleet (ordered by bot,
 * then seq). Appends of one bot are serialised by a transaction-scoped advisory lock, so seq, pos
 * and the chain stay gap-free with many writers.
 */
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type {
  AppendOptions,
  EventFilter,
  IdGen,
  NewEvent,
  SessionId,
  StoredEvent,
  StreamId,
  VerifyReport,
} from "../catalogue/index.js";
import { JournalConflict, JournalError, JournalUnavailable, ulidIdGen } from "../catalogue/index.js";
import { type AsyncJournal, type FleetSessionRow, maskPassword } from "../store/index.js";
import {
  type ChainHead,
  type ChainRow,
  chainRows,
  prepareAppend,
  toStoredEvent,
  verifyChain,
  verifyPage,
} from "./pg-chain.js";
import { isConnectionLost, ShipInterrupted } from "./pg-connection-lost.js";
import { copyRows } from "./pg-copy.js";
import { checkPgSchema, migratePg, type PgJournalDb, READER_ROLE } from "./pg-schema.js";

export interface OpenPgJournalOptions {
  /** Whose chain to read and append (`--bot`); absent: read every bot (appends are refused). */
  bot?: string;
  /** Open without writing anything (no migration; the schema must exist). Default false. */
  readonly?: boolean;
  /** Where new event ids come from; default: monotonic ULIDs. */
  idGen?: IdGen;
  /** Connections in the pool. Default 2. */
  poolSize?: number;
}

/** Rows per page when reading: bounded memory whatever the journal's size. */
const READ_PAGE = 2000;
/** Rows per INSERT: one statement with 13 array parameters whatever the count. */
const INSERT_CHUNK = 5000;

const COLUMNS = [
  "bot",
  "seq",
  "id",
  "stream",
  "session",
  "pos",
  "type",
  "version",
  "ts",
  "causation",
  "correlation",
  "payload",
  "hash",
] as const;

/**
 * Open (creating the schema unless read-only) the journal at a `postgres://` URL.
 *
 * @example
 * const journal = await openPgJournal("postgres://journal@db.lan/fleet", { bot: "pi-spy" });
 * await journal.append("live", "2026-02-04", [event]);
 */
export async function openPgJournal(url: string, options: OpenPgJournalOptions = {}): Promise<PgJournal> {
  const location = maskPassword(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 2,
    // seq and ts are bigint: exact as numbers up to 2^53, which epoch milliseconds and seqs stay
    // under; a bigger one (a `journal sql` result) comes as a bigint rather than rounded.
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === 20 ? int8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A connection the server or the network drops emits "error" (on the pool when idle, on the
  // client when checked out); unhandled, that would kill the process. The pending or the next query
  // rejects with the failure anyway, and the pool discards the broken connection.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db: Kysely<PgJournalDb> = new Kysely<PgJournalDb>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (options.readonly) await checkPgSchema(db, location);
    else await migratePg(db, location);
  } catch (error) {
    await db.destroy();
    if (error instanceof JournalUnavailable) throw error;
    throw new JournalUnavailable(
      location,
      `cannot open: ${(error as Error).message}; check the URL and that the server is up`,
    );
  }
  return new PgJournal(location, db, pool, options);
}

/** A bigint column's text as a number when that is exact, else as a bigint. */
function int8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** The PostgreSQL store; see the file comment. */
export class PgJournal implements AsyncJournal {
  readonly readonly: boolean;
  readonly bot: string | undefined;
  private readonly idGen: IdGen;

  constructor(
    readonly location: string,
    private readonly db: Kysely<PgJournalDb>,
    private readonly pool: pg.Pool,
    options: OpenPgJournalOptions,
  ) {
    this.readonly = options.readonly ?? false;
    this.bot = options.bot;
    this.idGen = options.idGen ?? ulidIdGen();
  }

  async append(
    stream: StreamId,
    session: SessionId,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<StoredEvent[]> {
    const bot = this.writableBot();
    // Validate everything before any round trip: an invalid event writes nothing.
    const prepared = prepareAppend(stream, session, events, this.idGen);
    return this.db.transaction().execute(async (trx) => {
      await lockBot(trx, bot);
      const pos = await nextPosOf(trx, bot, stream, session);
      if (options.expectedPos !== undefined && options.expectedPos !== pos)
        throw new JournalConflict(stream, session, options.expectedPos, pos);
      const ids = [...new Set(prepared.map((p) => p.id))];
      const existing = ids.length
        ? await trx.selectFrom("events").select(COLUMNS).where("id", "in", ids).execute()
        : [];
      const head = await headOf(trx, bot);
      const { rows, result } = chainRows(prepared, head, pos, existing, this.location);
      await insertRows(trx, bot, rows);
      return result;
    });
  }

  /** The last seq and hash of this bot's chain (seq 0 and the genesis hash when empty). */
  async head(): Promise<ChainHead> {
    return headOf(this.db, this.writableBot(true));
  }

  /**
   * Append rows already hashed elsewhere (a Pi's SQLite journal), unchanged. Inside one locked
   * transaction: rows at or below the current head are skipped (another shipper got there first),
   * the rest must continue the chain — seq + 1 and the recomputed hash — or nothing is written.
   * `verifiedFrom`: the caller has already checked that `rows` continue the chain from this head
   * (`verifyChain`); when it is still the head, the hashes are not computed twice. Returns how
   * many rows were inserted.
   */
  async appendChain(rows: readonly ChainRow[], verifiedFrom?: ChainHead): Promise<number> {
    const bot = this.writableBot();
    // COPY, which kysely cannot issue: a pooled connection of our own, one transaction per batch.
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`journal:bot:${bot}`]);
      const found = await client.query<ChainHead>(
        "SELECT seq, hash FROM events WHERE bot = $1 ORDER BY seq DESC LIMIT 1",
        [bot],
      );
      const head = found.rows[0] ?? { seq: 0, hash: null };
      const fresh = rows.filter((r) => r.seq > head.seq);
      const checked =
        verifiedFrom !== undefined && verifiedFrom.seq === head.seq && verifiedFrom.hash === head.hash;
      if (!checked) verifyChain(fresh, head, `shipping bot ${bot}`);
      await copyRows(client, bot, fresh);
      await client.query("COMMIT");
      return fresh.length;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      if (isConnectionLost(error) && rows.length > 0)
        throw new ShipInterrupted(this.location, rows[0]!.seq, rows[rows.length - 1]!.seq, error as Error);
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code !== "23505" || constraint !== "events_id_key") throw error;
      // Ids are unique across the fleet: these events came in before, under another bot name.
      const owner = await this.db
        .selectFrom("events")
        .select(["bot", "id"])
        .where(
          "id",
          "in",
          rows.map((r) => r.id),
        )
        .limit(1)
        .executeTakeFirst();
      throw new JournalError(
        "ALREADY_SHIPPED",
        `AlreadyShipped: event ${owner?.id} is already in ${this.location} under bot ${owner?.bot}: this journal was shipped under that name; ship it with --bot ${owner?.bot}`,
      );
    } finally {
      client.release();
    }
  }

  async nextPos(stream: StreamId, session: SessionId): Promise<number> {
    return nextPosOf(this.db, this.writableBot(true), stream, session);
  }

  async *read(filter: EventFilter = {}): AsyncIterableIterator<StoredEvent> {
    let afterBot = "";
    let afterSeq = (filter.fromSeq ?? 1) - 1;
    for (;;) {
      let q = this.db.selectFrom("events").select(COLUMNS);
      if (this.bot !== undefined) q = q.where("bot", "=", this.bot).where("seq", ">", afterSeq);
      else {
        q = q.where(sql<boolean>`(bot, seq) > (${afterBot}, ${afterSeq})`);
        if (filter.fromSeq !== undefined) q = q.where("seq", ">=", filter.fromSeq);
      }
      if (filter.stream !== undefined) q = q.where("stream", "=", filter.stream);
      if (filter.session !== undefined) q = q.where("session", "=", filter.session);
      if (filter.sessions !== undefined)
        q = filter.sessions.length ? q.where("session", "in", filter.sessions) : q.where(sql<boolean>`false`);
      if (filter.types !== undefined)
        q = filter.types.length ? q.where("type", "in", filter.types) : q.where(sql<boolean>`false`);
      if (filter.fromTs !== undefined) q = q.where("ts", ">=", filter.fromTs);
      if (filter.toTs !== undefined) q = q.where("ts", "<", filter.toTs);
      if (filter.toSeq !== undefined) q = q.where("seq", "<", filter.toSeq);
      const rows = await q.orderBy("bot").orderBy("seq").limit(READ_PAGE).execute();
      for (const row of rows) yield toStoredEvent(row, this.location);
      if (rows.length < READ_PAGE) return;
      const last = rows[rows.length - 1]!;
      afterBot = last.bot;
      afterSeq = last.seq;
    }
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const row = await this.db.selectFrom("events").select(COLUMNS).where("id", "=", id).executeTakeFirst();
    return row && (this.bot === undefined || row.bot === this.bot)
      ? toStoredEvent(row, this.location)
      : undefined;
  }

  async lastSeq(): Promise<number> {
    let q = this.db.selectFrom("events").select((eb) => eb.fn.max<number | null>("seq").as("seq"));
    if (this.bot !== undefined) q = q.where("bot", "=", this.bot);
    return (await q.executeTakeFirst())?.seq ?? 0;
  }

  async sessions(stream?: StreamId): Promise<FleetSessionRow[]> {
    let q = this.db
      .selectFrom("events")
      .select((eb) => [
        "bot",
        "stream",
        "session",
        eb.fn.countAll<number>().as("events"),
        eb.fn.min<number>("ts").as("firstTs"),
        eb.fn.max<number>("ts").as("lastTs"),
        eb.fn.min<number>("seq").as("firstSeq"),
        eb.fn.max<number>("seq").as("lastSeq"),
      ])
      .groupBy(["bot", "stream", "session"])
      .orderBy("session")
      .orderBy("bot")
      .orderBy("stream");
    if (this.bot !== undefined) q = q.where("bot", "=", this.bot);
    if (stream !== undefined) q = q.where("stream", "=", stream);
    return q.execute();
  }

  async sessionIds(stream?: StreamId): Promise<SessionId[]> {
    let q = this.db.selectFrom("events").select("session").distinct().orderBy("session");
    if (this.bot !== undefined) q = q.where("bot", "=", this.bot);
    if (stream !== undefined) q = q.where("stream", "=", stream);
    return (await q.execute()).map((r) => r.session);
  }

  /** A bot's chain links every row to its genesis, so a session is checked with its bot's chain. */
  async verifySession(_sessions: string | readonly string[]): Promise<VerifyReport> {
    return this.verify();
  }

  /** Every bot's chain from its genesis (or this bot's only): seq, pos, hash and schema. */
  async verify(): Promise<VerifyReport> {
    const bots =
      this.bot !== undefined
        ? [this.bot]
        : (await this.db.selectFrom("events").select("bot").distinct().orderBy("bot").execute()).map(
            (r) => r.bot,
          );
    let checked = 0;
    for (const bot of bots) {
      let state: ChainHead | undefined;
      const positions = new Map<string, number>();
      let after = 0;
      for (;;) {
        const rows = await this.db
          .selectFrom("events")
          .select(COLUMNS)
          .where("bot", "=", bot)
          .where("seq", ">", after)
          .orderBy("seq")
          .limit(READ_PAGE)
          .execute();
        const bad = verifyPage(rows, state, positions);
        if (bad)
          return {
            ok: false,
            checked: checked + bad.index,
            firstBad: { seq: bad.seq, problem: `bot ${bot}: ${bad.problem}` },
          };
        checked += rows.length;
        if (rows.length < READ_PAGE) break;
        const last = rows[rows.length - 1]!;
        state = { seq: last.seq, hash: last.hash };
        after = last.seq;
      }
    }
    return { ok: true, checked };
  }

  async query<Row = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN READ ONLY");
      // The reader role may only SELECT: a write fails in the database, whatever the statement says.
      const member = await client.query<{ ok: boolean }>(
        "SELECT coalesce(pg_has_role(current_user, oid, 'MEMBER'), false) AS ok FROM pg_roles WHERE rolname = $1",
        [READER_ROLE],
      );
      if (member.rows[0]?.ok) await client.query(`SET LOCAL ROLE ${READER_ROLE}`);
      // The extended protocol runs exactly one statement: no "COMMIT; …" escapes the transaction.
      const result = await client.query({
        text,
        values: [...params],
        queryMode: "extended",
      } as pg.QueryConfig);
      return result.rows as Row[];
    } finally {
      await client.query("ROLLBACK").catch(() => undefined);
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  private writableBot(readOnlyUse = false): string {
    if (!readOnlyUse && this.readonly)
      throw new JournalUnavailable(this.location, "opened read-only; appends go to a writable journal");
    if (this.bot === undefined)
      throw new JournalUnavailable(this.location, "a fleet journal appends per bot: name one (--bot NAME)");
    return this.bot;
  }
}

async function lockBot(trx: Kysely<PgJournalDb>, bot: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`journal:bot:${bot}`}))`.execute(trx);
}

async function headOf(db: Kysely<PgJournalDb>, bot: string): Promise<ChainHead> {
  const row = await db
    .selectFrom("events")
    .select(["seq", "hash"])
    .where("bot", "=", bot)
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ?? { seq: 0, hash: null };
}

async function nextPosOf(
  db: Kysely<PgJournalDb>,
  bot: string,
  stream: string,
  session: string,
): Promise<number> {
  const row = await db
    .selectFrom("events")
    .select(sql<number>`coalesce(max(pos) + 1, 0)`.as("next"))
    .where("bot", "=", bot)
    .where("stream", "=", stream)
    .where("session", "=", session)
    .executeTakeFirst();
  return row?.next ?? 0;
}

/** One multi-row INSERT per chunk: every column passed as one array and expanded by `unnest`. */
async function insertRows(db: Kysely<PgJournalDb>, bot: string, rows: readonly ChainRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const chunk = rows.slice(start, start + INSERT_CHUNK);
    const col = <K extends keyof ChainRow>(key: K) => chunk.map((r) => r[key]);
    await sql`INSERT INTO events (bot, seq, id, stream, session, pos, type, version, ts, causation, correlation, payload, hash)
      SELECT ${bot}, * FROM unnest(${col("seq")}::bigint[], ${col("id")}::text[], ${col("stream")}::text[],
        ${col("session")}::text[], ${col("pos")}::int[], ${col("type")}::text[], ${col("version")}::int[],
        ${col("ts")}::bigint[], ${col("causation")}::text[], ${col("correlation")}::text[],
        ${col("payload")}::text[], ${col("hash")}::text[])`.execute(db);
  }
}
