/**
 * The asynchronous face of a journal, which both stores implement: SQLite (the synchronous
 * `Journal` behind an adapter) and PostgreSQL (a fleet's central journal, reached over the network).
 *
 * Why a second, async interface instead of making `Journal` async: the live loop on the Pi appends
 * to an embedded SQLite file, and "record before you react" reads best when `append` has returned
 * only once the event is committed — no `await` between the journal write and the order it guards,
 * no event-loop turn in which something else could act first. A network database cannot be read
 * synchronously, so the commands that read a fleet's journal (`sessions`, `verify`, `sql`, `ship`,
 * …) go through this interface, and the live writer keeps its synchronous one. Opening one by its
 * location (a file or a `postgres://` URL) is the fleet's `openAsyncJournal` (fleet/open-async-journal.ts).
 */
import type {
  AppendOptions,
  EventFilter,
  Journal,
  NewEvent,
  SessionId,
  SessionSummaryRow,
  StoredEvent,
  StreamId,
  VerifyReport,
} from "../catalogue/index.js";
import { openJournal } from "./journal.js";

/** A session as a fleet lists it: which bot's journal it came from (absent for a single SQLite file). */
export interface FleetSessionRow extends SessionSummaryRow {
  bot?: string;
}

/** Read side of a journal, every call async. */
export interface JournalReader {
  /** Where the journal lives: a file path, or a connection string (password masked). */
  readonly location: string;
  /** Events in order (seq; on PostgreSQL bot then seq), validated and upcast, fetched in pages. */
  read(filter?: EventFilter): AsyncIterableIterator<StoredEvent>;
  /** One event by id, or undefined. */
  get(id: string): Promise<StoredEvent | undefined>;
  /** The highest seq, 0 when empty. */
  lastSeq(): Promise<number>;
  sessions(stream?: StreamId): Promise<FleetSessionRow[]>;
  sessionIds(stream?: StreamId): Promise<SessionId[]>;
  /** Check the hash chain (one per bot on PostgreSQL), every payload's schema, seq and pos gaps. */
  verify(): Promise<VerifyReport>;
  /**
   * Check only what `sessions` need, in time proportional to them (SQLite: each row's schema and
   * its links in the chain; PostgreSQL: the bot's chain, which is already one bot's).
   */
  verifySession(sessions: string | readonly string[]): Promise<VerifyReport>;
  /**
   * Run one SQL statement read-only (a read-only transaction and, on PostgreSQL, the reader role):
   * a write is refused by the database itself.
   */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** A journal that can also be appended to, asynchronously; the contract suite runs against it. */
export interface AsyncJournal extends JournalReader {
  readonly readonly: boolean;
  /** Same contract as `Journal.append`: all or nothing, idempotent by id, optimistic `expectedPos`. */
  append(
    stream: StreamId,
    session: SessionId,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<StoredEvent[]>;
  nextPos(stream: StreamId, session: SessionId): Promise<number>;
}

// Masking lives with the catalogue's printable text (catalogue/printable.ts), below the errors that use it.
export { maskPassword } from "../catalogue/index.js";

/** True for `postgres://…` and `postgresql://…` locations. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * The synchronous SQLite journal behind the async interface (every call resolves at once).
 *
 * @example
 * const reader = asyncJournal(openJournal("data/journal.db", { readonly: true }));
 * for await (const event of reader.read({ session: "2026-02-04" })) …
 */
export function asyncJournal(journal: Journal): AsyncJournal {
  return {
    location: journal.location,
    readonly: journal.readonly,
    async append(stream, session, events, options) {
      return journal.append(stream, session, events, options);
    },
    async nextPos(stream, session) {
      return journal.nextPos(stream, session);
    },
    async *read(filter) {
      yield* journal.read(filter);
    },
    async get(id) {
      return journal.get(id);
    },
    async lastSeq() {
      return journal.lastSeq();
    },
    async sessions(stream) {
      return journal.sessions(stream);
    },
    async sessionIds(stream) {
      return journal.sessionIds(stream);
    },
    async verify() {
      return journal.verify();
    },
    async verifySession(sessions) {
      return journal.verifySession(sessions);
    },
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      if (!journal.readonly)
        throw new Error("query() runs read-only SQL: open the SQLite journal with { readonly: true }");
      return journal.sql.all<Row>(sql, params);
    },
    async close() {
      journal.close();
    },
  };
}

/**
 * Copy the events matching `filter` into an in-memory SQLite journal (ids, times and payloads
 * kept; seq renumbered), for code that reads synchronously — the HTML report of a fleet session.
 */
export async function snapshotJournal(reader: JournalReader, filter: EventFilter): Promise<Journal> {
  const copy = openJournal(":memory:");
  let batch: NewEvent[] = [];
  let stream = "";
  let session = "";
  const flush = () => {
    if (batch.length) copy.append(stream, session, batch);
    batch = [];
  };
  for await (const event of reader.read(filter)) {
    if (event.stream !== stream || event.session !== session || batch.length >= 2000) {
      flush();
      stream = event.stream;
      session = event.session;
    }
    batch.push({
      id: event.id,
      type: event.type,
      version: event.version,
      ts: event.ts,
      causation: event.causation,
      correlation: event.correlation,
      payload: event.payload,
    } as NewEvent);
  }
  flush();
  return copy;
}
