/**
 * SqliteJournal: the append-only event store on SQLite (better-sqlite3, WAL), with its SQL built
 * by kysely (ahead of time: see journal-sql.ts).
 *
 * Why kysely only *compiles* here: better-sqlite3 is synchronous and kysely's SQLite driver is
 * not, and "record before you react" reads best when `append` has returned only once the event is
 * committed. So every statement is built with kysely's SQLite compiler once, then run through a
 * cached better-sqlite3 prepared statement. A PostgreSQL store for a fleet of bots implements the
 * same `Journal` interface with kysely's Postgres dialect; nothing outside this file (and
 * `journal-schema.ts`) knows which database sits behind it.
 *
 * Durability: WAL with synchronous=NORMAL by default — a commit survives a crash of the process
 * (SIGKILL included) but the last commits may be lost if the Pi loses power. A batch holding an
 * order event (or `durable: true`) is committed with synchronous=FULL, so nothing is sent to the
 * gateway before its intent is on disk.
 */
import { existsSync, statSync } from "node:fs";
import type Database from "better-sqlite3";
import type {
  AppendBatch,
  AppendOptions,
  EventFilter,
  IdGen,
  InlineProjection,
  Journal,
  SessionId,
  SessionSummaryRow,
  SqlExecutor,
  SqlRows,
  VerifiedSessionStream,
  VerifyReport,
} from "../catalogue/index.js";
import {
  JournalConflict,
  JournalError,
  JournalUnavailable,
  type NewEvent,
  ORDER_EVENT_TYPES,
  type PreparedRows,
  type StoredEvent,
  type StreamId,
  ulidIdGen,
} from "../catalogue/index.js";
import {
  type EventColumns,
  type EventRow,
  GENESIS_HASH,
  type HashedRow,
  readVerifiedPoint,
  recordVerifiedPoint,
  rowHash,
  streamCheckedSession,
  trustedUpTo,
  type VerifiedPoint,
  verifyAll,
  verifyNew,
  verifySessions,
} from "../integrity/index.js";
import { openDatabase } from "./journal-open.js";
import { type FilterStatement, journalStatements, migrate, refreshViews } from "./journal-sql.js";
import { checkStreamName, itemsOf, type PreparedItem, prepareItem } from "./prepared-rows.js";
import { StatementWouldWrite, statementWrites } from "./read-only-sql.js";
import { retriedEvent } from "./same-event.js";
import { journalBehind, readSeqMark, SeqMark } from "./seq-mark.js";
import { describeSqliteFailure, eachInWords, inWords, streamInWords } from "./sqlite-failure.js";
import { storedFromColumns, storedFromRow, storedFromWritten } from "./stored-event.js";

export interface OpenJournalOptions {
  /** Open without writing anything (the file must exist). Default false. */
  readonly?: boolean;
  /** Where new event ids come from; default: monotonic ULIDs. Inject a `SeededIdGen` for determinism. */
  idGen?: IdGen;
  /** Inline projections kept up to date inside every append's transaction. */
  projections?: readonly InlineProjection[];
  /** How long to wait for another process's write lock, ms. Default 5000. */
  busyTimeoutMs?: number;
}

/** Rows per page when reading: bounded memory whatever the journal's size. */
const READ_PAGE = 2000;

/**
 * Open (or create) a journal file.
 *
 * @example
 * const journal = openJournal("data/journal.db");
 * journal.append("live", "2026-02-04", [{ type: "GatewayNotice", version: 2, ts, payload }]);
 */
export function openJournal(path: string, options: OpenJournalOptions = {}): Journal {
  return new SqliteJournal(path, options);
}

class SqliteJournal implements Journal {
  readonly location: string;
  readonly readonly: boolean;
  readonly sql: SqlExecutor;
  private readonly db: Database.Database;
  private readonly idGen: IdGen;
  private readonly projections: InlineProjection[] = [];
  private readonly statements: ReturnType<typeof journalStatements>;
  private readonly prepared = new Map<string, Database.Statement>();
  private synchronous: "NORMAL" | "FULL" = "NORMAL";
  private readonly seqMark: SeqMark | undefined;
  /** `read`, with SQLite's environment failures (damage, a full disk, a lock) in words. */
  private readonly worded = <T>(read: () => T): T => inWords(this.location, read);
  /** The last seq written by the current (outer) transaction, for the seq mark once it commits. */
  private pendingSeq: number | undefined;

  constructor(path: string, options: OpenJournalOptions) {
    this.location = path;
    this.readonly = options.readonly ?? false;
    this.idGen = options.idGen ?? ulidIdGen();
    // Read the mark before the database: a writer updates it only after its commit, so the
    // journal read next can never be legitimately behind the mark read first.
    const inMemory = path === ":memory:";
    const mark = inMemory ? undefined : readSeqMark(path);
    if (mark !== undefined && mark > 0 && (!existsSync(path) || statSync(path).size === 0))
      throw journalBehind(path, 0, mark, "the journal file is missing or empty");
    this.db = openDatabase(path, this.readonly, options.busyTimeoutMs ?? 5000);
    try {
      // A marked journal whose schema is gone lost its whole WAL: never initialise it afresh.
      if (
        mark !== undefined &&
        mark > 0 &&
        !this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'events'").get()
      )
        throw journalBehind(path, 0, mark, "it holds no events table");
      if (!this.readonly) {
        migrate(this.db, path);
        refreshViews(this.db);
      } else {
        migrate(this.db, path, { checkOnly: true });
      }
    } catch (error) {
      this.db.close();
      if (error instanceof JournalError) throw error;
      throw describeSqliteFailure(path, error) ?? error;
    }
    this.statements = journalStatements();
    const has = this.lastSeq();
    if (mark !== undefined && has < mark) {
      this.db.close();
      throw journalBehind(path, has, mark, `it holds events up to seq ${has}`);
    }
    if (!this.readonly && !inMemory) {
      this.seqMark = new SeqMark(path);
      this.seqMark.init(has);
    }
    this.sql = {
      run: (text, params = []) => {
        this.worded(() => this.stmt(text).run(...(params as unknown[])));
      },
      all: <Row>(text: string, params: readonly unknown[] = []) =>
        this.worded(() => this.stmt(text).all(...(params as unknown[])) as Row[]),
      transaction: <T>(fn: () => T): T => {
        if (this.db.inTransaction) return fn();
        let result: T;
        try {
          result = this.db.transaction(fn).immediate();
        } catch (error) {
          this.pendingSeq = undefined;
          if (error instanceof JournalError) throw error;
          throw describeSqliteFailure(this.location, error) ?? error;
        }
        this.markCommitted();
        return result;
      },
      query: (text: string): SqlRows => {
        const statement = this.db.prepare(text);
        if (statementWrites(statement, text)) throw new StatementWouldWrite(this.location);
        return {
          columns: statement.columns().map((c) => c.name),
          // Integers as bigint, so a value beyond 2^53 is shown exactly (`SELECT 9007199254740993`).
          rows: eachInWords(
            this.location,
            statement.raw(true).safeIntegers(true).iterate() as IterableIterator<unknown[]>,
          ),
        };
      },
    };
    for (const projection of options.projections ?? []) this.addProjection(projection);
  }

  append(
    stream: StreamId,
    session: SessionId,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): StoredEvent[] {
    this.assertWritable();
    checkStreamName(stream);
    // Validate everything before taking the write lock: an invalid event writes nothing.
    const prepared = events.map((event, index) =>
      prepareItem(stream, session, event, index, event.id ?? this.idGen.next(event.ts)),
    );
    return this.writeItems(stream, session, prepared, options, true).stored;
  }

  appendPrepared(
    stream: StreamId,
    session: SessionId,
    rows: PreparedRows,
    options: AppendOptions = {},
  ): number {
    this.assertWritable();
    checkStreamName(stream);
    // Inline projections fold the stored events, payloads and all; a plain write needs only the text.
    return this.writeItems(stream, session, itemsOf(rows), options, this.projections.length > 0).added;
  }

  /**
   * Chain and insert prepared events in one transaction: how many were new, and (`keep`) every
   * event as stored; without `keep` nothing is built per row but the row itself.
   */
  private writeItems(
    stream: StreamId,
    session: SessionId,
    prepared: readonly PreparedItem[],
    options: AppendOptions,
    keep: boolean,
  ): { stored: StoredEvent[]; added: number } {
    const durable =
      options.durable === true ||
      prepared.some((p) => ORDER_EVENT_TYPES.has(p.body.type as StoredEvent["type"]));
    this.setSynchronous(durable ? "FULL" : "NORMAL");
    const write = () => {
      const result: StoredEvent[] = [];
      const fresh: StoredEvent[] = [];
      let added = 0;
      let pos = this.nextPos(stream, session);
      if (options.expectedPos !== undefined && options.expectedPos !== pos) {
        throw new JournalConflict(stream, session, options.expectedPos, pos);
      }
      const last = this.stmt(this.statements.lastRow).get() as { seq: number; hash: string } | undefined;
      let seq = last?.seq ?? 0;
      let prevHash = last?.hash ?? GENESIS_HASH;
      const insert = this.stmt(this.statements.insert);
      for (const p of prepared) {
        seq += 1;
        const row: HashedRow = {
          seq,
          id: p.id,
          stream,
          session,
          pos,
          type: p.body.type,
          version: p.body.version,
          ts: p.ts,
          causation: p.causation,
          correlation: p.correlation,
          payload: p.payloadText,
        };
        const hash = rowHash(prevHash, row);
        // ON CONFLICT(id) DO NOTHING: a retried id is detected by "no change", with no lookup per row.
        const { changes } = insert.run(
          row.seq,
          row.id,
          row.stream,
          row.session,
          row.pos,
          row.type,
          row.version,
          row.ts,
          row.causation,
          row.correlation,
          row.payload,
          hash,
        );
        if (changes === 0) {
          seq -= 1;
          const row = this.stmt(this.statements.byId).get(p.id) as EventRow | undefined;
          const retried = retriedEvent(this.location, row, stream, session, p);
          if (keep) result.push(retried);
          continue;
        }
        prevHash = hash;
        pos += 1;
        added += 1;
        if (!keep) continue;
        const stored = storedFromWritten(row, p.body.payload, hash);
        result.push(stored);
        fresh.push(stored);
      }
      if (added > 0) {
        for (const projection of this.projections) projection.apply(this.sql, fresh);
        this.pendingSeq = seq;
      }
      return { stored: result, added };
    };
    let stored: { stored: StoredEvent[]; added: number };
    try {
      stored = this.db.transaction(write).immediate();
    } catch (error) {
      if (!this.db.inTransaction) this.pendingSeq = undefined;
      if (error instanceof JournalError) throw error;
      const code = (error as { code?: string }).code;
      if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        // Another connection slipped in between our read and our write: report it as a conflict.
        throw new JournalConflict(stream, session, options.expectedPos ?? -1, this.nextPos(stream, session));
      }
      throw describeSqliteFailure(this.location, error) ?? error;
    }
    // Only after the commit (an outer transaction marks when it commits: see `sql.transaction`).
    if (!this.db.inTransaction) this.markCommitted();
    return stored;
  }

  beginBatch(): AppendBatch {
    this.assertWritable();
    if (this.db.inTransaction) throw new Error("beginBatch: a transaction is already open on this journal");
    // A batch may hold order events: it commits as durably as an append of them would.
    this.setSynchronous("FULL");
    try {
      this.db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      throw describeSqliteFailure(this.location, error) ?? error;
    }
    return {
      commit: () => {
        if (!this.db.inTransaction) return;
        try {
          this.db.exec("COMMIT");
        } catch (error) {
          if (this.db.inTransaction) this.db.exec("ROLLBACK");
          this.pendingSeq = undefined;
          throw describeSqliteFailure(this.location, error) ?? error;
        }
        this.markCommitted();
      },
      rollback: () => {
        if (this.db.open && this.db.inTransaction) this.db.exec("ROLLBACK");
        this.pendingSeq = undefined;
      },
    };
  }

  private markCommitted(): void {
    if (this.pendingSeq !== undefined) this.seqMark?.write(this.pendingSeq);
    this.pendingSeq = undefined;
  }

  *read(filter: EventFilter = {}): IterableIterator<StoredEvent> {
    const statement: FilterStatement = this.statements.filtered(filter);
    const stmt = this.rawStmt(statement.sql);
    let after = (filter.fromSeq ?? 1) - 1;
    for (;;) {
      // Rows as arrays (column order of the table): cheaper than an object per row.
      const rows = this.worded(
        () => stmt.all(...statement.params(filter, after, READ_PAGE)) as EventColumns[],
      );
      for (const r of rows) yield storedFromColumns(this.location, r);
      if (rows.length < READ_PAGE) return;
      after = rows[rows.length - 1]![0];
    }
  }

  get(id: string): StoredEvent | undefined {
    const row = this.worded(() => this.stmt(this.statements.byId).get(id) as EventRow | undefined);
    return row ? storedFromRow(this.location, row) : undefined;
  }

  nextPos(stream: StreamId, session: SessionId): number {
    const row = this.stmt(this.statements.nextPos).get(stream, session) as { next: number };
    return row.next;
  }

  lastSeq(): number {
    const row = this.worded(() => this.stmt(this.statements.lastRow).get() as { seq: number } | undefined);
    return row?.seq ?? 0;
  }

  sessions(stream?: StreamId): SessionSummaryRow[] {
    const rows = this.worded(() => this.stmt(this.statements.sessions).all() as SessionSummaryRow[]);
    return stream === undefined ? rows : rows.filter((r) => r.stream === stream);
  }

  sessionIds(stream?: StreamId): SessionId[] {
    const rows = this.worded(() =>
      stream === undefined
        ? this.stmt(this.statements.sessionIds).all()
        : this.stmt(this.statements.sessionIdsOfStream).all(stream, stream),
    ) as { session: string }[];
    return rows.map((r) => r.session);
  }

  verify(): VerifyReport {
    return this.recordVerified(this.worded(() => verifyAll(this.verifyContext(), this.verifiedPoint())));
  }

  verifySince(): VerifyReport {
    return this.recordVerified(this.worded(() => verifyNew(this.verifyContext(), this.verifiedPoint())));
  }

  verifySession(sessions: SessionId | readonly SessionId[]): VerifyReport {
    return this.worded(() =>
      verifySessions(this.verifyContext(), typeof sessions === "string" ? [sessions] : sessions),
    );
  }

  readVerifiedSession(
    session: SessionId,
    filter: Pick<EventFilter, "stream" | "fromTs" | "toTs"> = {},
  ): { report: VerifyReport; events: StoredEvent[] } {
    const stream = this.streamVerifiedSession(session, filter);
    const events = [...stream.events];
    const report = stream.report();
    return { report, events: report.ok ? events : [] };
  }

  streamVerifiedSession(
    session: SessionId,
    filter: Pick<EventFilter, "stream" | "fromTs" | "toTs"> = {},
  ): VerifiedSessionStream {
    const ctx = this.verifyContext();
    return streamInWords(this.location, () =>
      streamCheckedSession(ctx, this.db, session, filter, () => trustedUpTo(ctx, this.verifiedPoint())),
    );
  }

  verifiedUpTo(): number {
    return this.worded(() => this.verifiedPoint()?.seq ?? 0);
  }

  async backupTo(destination: string): Promise<void> {
    // One step for every page: the copy is taken inside one read transaction, a consistent
    // snapshot that another process's appends (in the WAL) neither block nor restart.
    await this.db.backup(destination, { progress: () => 2 ** 30 });
  }

  private verifyContext() {
    return {
      stmt: (text: string) => this.stmt(text),
      iterateRaw: (text: string, ...params: unknown[]) =>
        this.rawStmt(text).iterate(...params) as IterableIterator<unknown[]>,
      integrityCheck: () =>
        (this.db.pragma("integrity_check(20)") as { integrity_check: string }[]).map(
          (r) => r.integrity_check,
        ),
    };
  }

  private verifiedPoint(): VerifiedPoint | undefined {
    return readVerifiedPoint((text) => this.stmt(text));
  }

  private recordVerified(report: VerifyReport): VerifyReport {
    try {
      if (!this.readonly) recordVerifiedPoint((text) => this.stmt(text), report);
    } catch (error) {
      // The point only saves the next verify work: a full disk or a busy file must not turn a
      // verification that passed into a failure.
      if (!describeSqliteFailure(this.location, error)) throw error;
    }
    return report;
  }

  addProjection(projection: InlineProjection): void {
    if (!this.readonly) this.sql.transaction(() => projection.setup(this.sql, (filter) => this.read(filter)));
    this.projections.push(projection);
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.seqMark?.close();
  }

  private rawStmt(text: string): Database.Statement {
    const key = `raw:${text}`;
    let statement = this.prepared.get(key);
    if (!statement) {
      statement = this.db.prepare(text).raw(true);
      this.prepared.set(key, statement);
    }
    return statement;
  }

  private stmt(text: string): Database.Statement {
    let statement = this.prepared.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.prepared.set(text, statement);
    }
    return statement;
  }

  private setSynchronous(level: "NORMAL" | "FULL"): void {
    if (this.synchronous === level || this.db.inTransaction) return;
    this.db.pragma(`synchronous = ${level}`);
    this.synchronous = level;
  }

  private assertWritable(): void {
    if (this.readonly) {
      throw new JournalUnavailable(
        this.location,
        "opened read-only; appends go to a writable journal (e.g. --out)",
      );
    }
  }
}
