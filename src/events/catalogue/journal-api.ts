/**
 * The journal's public contract. `SqliteJournal` (store/journal.ts) implements it on kysely +
 * better-sqlite3; a PostgreSQL store for a fleet of bots would implement the same interface.
 *
 * The API is synchronous on purpose: SQLite is embedded, and "record before you react" reads
 * best when `append` has returned only once the event is committed.
 */
import type { EventType, SessionId } from "./catalogue.js";
import type { NewEvent, StoredEvent, StreamId } from "./envelope.js";

export interface AppendOptions {
  /**
   * Optimistic concurrency: the `pos` the first new event must get (= number of events already
   * in stream+session). A mismatch throws `JournalConflict` and writes nothing.
   */
  expectedPos?: number;
  /** Force synchronous=FULL for this append (order events always get it). */
  durable?: boolean;
}

/** A filter for reads; every field narrows, an empty filter reads everything. */
export interface EventFilter {
  stream?: StreamId;
  session?: SessionId;
  /** Several sessions (inclusive list). */
  sessions?: readonly SessionId[];
  types?: readonly EventType[];
  /** Event time range, inclusive from, exclusive to (epoch ms). */
  fromTs?: number;
  toTs?: number;
  /** Global order range, inclusive from, exclusive to. */
  fromSeq?: number;
  toSeq?: number;
}

/** One session as `journal sessions` lists it. */
export interface SessionSummaryRow {
  stream: StreamId;
  session: SessionId;
  events: number;
  firstTs: number;
  lastTs: number;
  firstSeq: number;
  lastSeq: number;
}

/** A session's events as they pass their check, and the check's verdict once they have run out. */
export interface VerifiedSessionStream {
  readonly events: IterableIterator<StoredEvent>;
  /** The verdict: only once `events` has run out (it throws before). */
  report(): VerifyReport;
  /** Stop reading early (idempotent): ends the read and its transaction. */
  close(): void;
}

export interface VerifyReport {
  ok: boolean;
  /** Rows checked by this call (only the new ones for `verifySince`, one session's for `verifySession`). */
  checked: number;
  /** The first bad seq and what was wrong with it; absent when ok. */
  firstBad?: { seq: number; problem: string };
  /** For whole-chain checks that passed: the seq the journal is now verified up to, and its hash. */
  verifiedUpTo?: number;
  verifiedHash?: string;
}

/**
 * One read statement's result, streamed: the column names, then rows as arrays in that order.
 * Integers come as `bigint` (exact beyond 2^53); reals, text, blobs and nulls as usual.
 */
export interface SqlRows {
  columns: string[];
  rows: IterableIterator<unknown[]>;
}

/**
 * An inline projection kept up to date in the same transaction as the append (live mode),
 * so a crash can never leave a table ahead of or behind the events.
 */
export interface InlineProjection {
  readonly name: string;
  /**
   * Create its tables if missing and catch up: `history()` reads every event already in the
   * journal (in seq order), for projections that keep their fold state in memory.
   */
  setup(sql: SqlExecutor, history: (filter?: EventFilter) => Iterable<StoredEvent>): void;
  /** Apply newly appended events (already stored, in seq order). */
  apply(sql: SqlExecutor, events: readonly StoredEvent[]): void;
  /** Drop everything it built, for `journal rebuild`. */
  reset(sql: SqlExecutor): void;
}

/** The narrow slice of SQL a projection needs; it never sees better-sqlite3 or kysely. */
export interface SqlExecutor {
  run(sql: string, params?: readonly unknown[]): void;
  all<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Row[];
  /** Run `fn` inside one transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T;
  /**
   * Stream one statement that returns rows (memory does not grow with the result). A statement
   * that would write, or returns no data, is refused before it runs (`STATEMENT_WOULD_WRITE`).
   */
  query(sql: string): SqlRows;
}

/** An open write transaction over several appends (see `Journal.beginBatch`). */
export interface AppendBatch {
  commit(): void;
  /** Undo every append since `beginBatch`; harmless after a commit or a failed one. */
  rollback(): void;
}

/**
 * Rows ready to append (`prepareRows`): validated and serialised where they were made, column by
 * column, the payloads' texts one after another (cheap to pass to another thread).
 */
export interface PreparedRows {
  readonly ids: readonly string[];
  readonly types: readonly string[];
  readonly versions: readonly number[];
  readonly ts: readonly number[];
  readonly causations: readonly (string | null)[];
  readonly correlations: readonly (string | null)[];
  /** Every row's payload text, concatenated; row i's is `text.slice(ends[i - 1] ?? 0, ends[i])`. */
  readonly text: string;
  readonly ends: readonly number[];
}

export interface Journal {
  /** Where the journal lives (a file path, or a connection string). */
  readonly location: string;
  readonly readonly: boolean;

  /**
   * Append a batch atomically to stream+session: all or nothing. Validates every payload,
   * assigns seq/pos/hash, and returns the stored events. An id already present is a no-op that
   * returns the stored event (idempotent retry); the same id with a different body throws.
   */
  append(
    stream: StreamId,
    session: SessionId,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): StoredEvent[];

  /**
   * Append rows `prepareRows` made (in this process: the thread that made a run, not the one
   * writing it), as `append` would have stored those events: the schema is not checked again,
   * only that each row is of a current event type. Returns how many rows were new.
   */
  appendPrepared(stream: StreamId, session: SessionId, rows: PreparedRows, options?: AppendOptions): number;

  /**
   * Open one write transaction for the appends that follow, across awaits: they land together at
   * `commit()` or not at all (`rollback()`). What a replay writes its runs in as they arrive.
   */
  beginBatch(): AppendBatch;

  /** Events in seq order, validated and upcast, streamed in pages (never the whole journal at once). */
  read(filter?: EventFilter): IterableIterator<StoredEvent>;
  /** One event by id, or undefined. */
  get(id: string): StoredEvent | undefined;
  /** Next pos of stream+session (= how many events it holds). */
  nextPos(stream: StreamId, session: SessionId): number;
  /** The highest seq in the journal, 0 when empty. */
  lastSeq(): number;
  sessions(stream?: StreamId): SessionSummaryRow[];
  /** The session dates present (in one stream), sorted; cheaper than `sessions()` on a large journal. */
  sessionIds(stream?: StreamId): SessionId[];

  /**
   * Deep check of the whole journal: SQLite's `integrity_check` (pages and indexes), the hash
   * chain, every payload's schema, and that seq and pos have no gaps. On a writable journal a pass
   * records the verified point that `verifySince` continues from. Rows up to a recorded point skip
   * their second schema check when the chain recomputed from genesis still arrives at its hash.
   * Time: proportional to the journal.
   */
  verify(): VerifyReport;
  /**
   * Check only what was appended since the last recorded verified point (the chain continues from
   * the hash recorded there, which must be unchanged; each new row is looked up through every
   * index), and record the new point when writable. With no point yet, this is `verify()`.
   * Live mode calls it before trading: on a journal verified yesterday it costs today's events.
   *
   * @example
   * const report = journal.verifySince();
   * if (!report.ok) throw new Error(`journal damaged at seq ${report.firstBad?.seq}`);
   */
  verifySince(): VerifyReport;
  /**
   * Check one or more sessions (every stream in them) in time proportional to their size: each
   * row's hash against its predecessor in the global chain and its successor's hash against it,
   * pos from 0 without gaps, schemas, and the session counted through its indexes and the table.
   * Replay calls it instead of `verify()`. A session the journal does not have checks 0 rows.
   */
  verifySession(sessions: SessionId | readonly SessionId[]): VerifyReport;
  /**
   * `verifySession` of one session and its events in the same pass and the same read transaction
   * (filtered by stream and time, in seq order; none unless the check passed). Each payload is
   * parsed once: rows up to a still-standing verified point (a whole-chain verify checked their
   * schemas; the chain links and that point's hash protect them since) skip the second zod pass,
   * later rows are validated; old versions are upcast either way. What `replay` reads.
   */
  readVerifiedSession(
    session: SessionId,
    filter?: Pick<EventFilter, "stream" | "fromTs" | "toTs">,
  ): { report: VerifyReport; events: StoredEvent[] };
  /**
   * `readVerifiedSession` as a stream: each event handed on as soon as its row passed, so a day is
   * never all in memory at once. The events are provisional until they run out: then `report()`
   * says whether the whole session passed, and a caller keeps nothing of a session that failed.
   */
  streamVerifiedSession(
    session: SessionId,
    filter?: Pick<EventFilter, "stream" | "fromTs" | "toTs">,
  ): VerifiedSessionStream;
  /** The verified point recorded by the last passing `verify`/`verifySince`, if any. */
  verifiedUpTo(): number;
  /**
   * Copy the journal with SQLite's online backup API into `destination` (a new file), in one
   * step, so the copy is one consistent snapshot even while another process appends. Use
   * `backupJournal` for the whole procedure (verify, atomic rename).
   */
  backupTo(destination: string): Promise<void>;

  /** Register an inline projection (set up now, applied on every later append). */
  addProjection(projection: InlineProjection): void;
  /** The SQL executor over this journal's database, for projections, views and `journal sql`. */
  readonly sql: SqlExecutor;

  close(): void;
}
