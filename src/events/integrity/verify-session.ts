/**
 * One session's check, streamed: each row of the session (every stream in it) is checked as it is
 * read — its hash against its predecessor in the global chain, its successor's hash against it,
 * pos from 0 without gaps, its schema — and handed on at once. A replay then folds a day while it
 * is being checked, and a day's bars never pile up in memory (they were most of a replay's garbage
 * collection when the whole day was read first). At the end the session is counted through its
 * index, the (stream, session, pos) index and the table's own seq range.
 *
 * What was handed on is provisional until the rows run out: the check's report then says whether
 * the whole session passed, and a caller keeps nothing of a session that failed.
 */
import type { EventFilter, StoredEvent, VerifiedSessionStream, VerifyReport } from "../catalogue/index.js";
import { parsePayload, trustedPayload } from "../catalogue/index.js";
import type { EventRow } from "./hash-chain.js";
import { columnsHash, type EventColumns, GENESIS_HASH, rowHash } from "./hash-chain.js";
import { BY_SEQ, bad, schemaProblem, type VerifiedPoint, type VerifyContext } from "./verify.js";

const ROWS_OF_SESSION =
  "SELECT * FROM events INDEXED BY events_session_stream WHERE session = ? ORDER BY seq";

/** Where a streamed check leaves its verdict: `report` is set once the rows have run out. */
export interface SessionCheck {
  /** Rows that passed so far (across the sessions checked with this object). */
  checked: number;
  report?: VerifyReport | undefined;
}

/**
 * The seq up to which schemas may be trusted: the recorded verified point, provided its row still
 * holds the hash recorded for it. Any change to a row at or before it (short of rewriting the rest
 * of the chain and the recorded point too) breaks a link the session check sees or changes that
 * hash; a row after it gets the full schema check. 0 when there is no point or it no longer holds.
 */
export function trustedUpTo(ctx: VerifyContext, point: VerifiedPoint | undefined): number {
  if (!point || point.seq <= 0) return 0;
  const row = ctx.stmt(BY_SEQ).get(point.seq) as EventRow | undefined;
  return row?.hash === point.hash ? point.seq : 0;
}

/**
 * The given sessions (every stream in them): each row's hash against its predecessor in the global
 * chain and its successor's hash against it, pos from 0 without gaps, schemas, and the session
 * counted through its index, the (stream, session, pos) index and the table's own seq range.
 */
export function verifySessions(ctx: VerifyContext, sessions: readonly string[]): VerifyReport {
  const check: SessionCheck = { checked: 0 };
  for (const session of sessions) {
    for (const _ of checkSessionRows(ctx, session, check)) {
      // Nothing is yielded without a schema trust point: the check runs as the rows are read.
    }
    if (!check.report?.ok) return check.report ?? bad(check.checked, 0, "the check did not finish");
  }
  return { ok: true, checked: check.checked };
}

/**
 * The rows of `session`, checked as they are read; the verdict lands in `check.report` when they
 * run out (or at the first bad row, where the rows stop). With `schemaCheckedUpTo` (what a replay
 * reads), each passing row is yielded as a StoredEvent with its payload parsed once: trusted at or
 * below that seq (a whole-chain verify checked it, and the chain and that point's hash protect it
 * since), validated and upcast after it. Without it (a plain verify), every schema is checked and
 * nothing is yielded.
 */
export function* checkSessionRows(
  ctx: VerifyContext,
  session: string,
  check: SessionCheck,
  schemaCheckedUpTo?: number,
): Generator<StoredEvent, void, undefined> {
  check.report = undefined;
  const fail = (seq: number, problem: string, checked = check.checked) => {
    check.report = bad(checked, seq, problem);
  };
  const bySeq = ctx.stmt(BY_SEQ);
  /** A row outside the session right after `seq` must link to it: its hash covers this one's. */
  const successorLinks = (seq: number, hash: string): boolean => {
    const next = bySeq.get(seq + 1) as EventRow | undefined;
    return next === undefined || rowHash(hash, next) === next.hash;
  };
  const brokenAfter = (seq: number) =>
    `hash chain broken after this row: seq ${seq + 1} does not link to it (one of them was changed)`;
  const nextPos = new Map<string, number>();
  const spans = new Map<string, { first: number; last: number; count: number }>();
  let prevSeq = -1;
  let prevHash = GENESIS_HASH;
  for (const raw of ctx.iterateRaw(ROWS_OF_SESSION, session)) {
    const c = raw as EventColumns;
    const seq = c[0];
    const stream = c[2];
    const hash = c[11];
    // SQLite reads indexed columns from the index itself: a damaged entry shows up here.
    if (c[3] !== session)
      return fail(
        seq,
        `index damaged: the session index gives ${c[3]} for a row of ${session} — restore from a \`journal backup\``,
      );
    // The previous row's successor is another session's row: it must still link to it.
    if (prevSeq >= 0 && seq !== prevSeq + 1 && !successorLinks(prevSeq, prevHash))
      return fail(prevSeq, brokenAfter(prevSeq), check.checked - 1);
    const want = nextPos.get(stream) ?? 0;
    if (c[4] !== want) return fail(seq, `pos ${c[4]} in ${stream}/${session}, expected ${want}`);
    nextPos.set(stream, want + 1);
    const before =
      seq - 1 === prevSeq
        ? prevHash
        : seq === 1
          ? GENESIS_HASH
          : (bySeq.get(seq - 1) as EventRow | undefined)?.hash;
    if (before === undefined) return fail(seq, `seq ${seq - 1} is missing before this session's row`);
    if (columnsHash(before, c) !== hash)
      return fail(seq, "hash chain broken: the row (or the one before it) was changed after it was written");
    let event: StoredEvent | undefined;
    if (schemaCheckedUpTo === undefined) {
      const problem = schemaProblem({ seq, type: c[5], version: c[6], payload: c[10] });
      if (problem) return fail(seq, problem);
    } else {
      try {
        const where = `at seq ${seq}`;
        const json = JSON.parse(c[10]) as unknown;
        const body =
          seq <= schemaCheckedUpTo
            ? trustedPayload(c[5], c[6], json, where)
            : parsePayload(c[5], c[6], json, where);
        event = {
          seq,
          id: c[1],
          stream,
          session,
          pos: c[4],
          type: c[5],
          version: body.version,
          ts: c[7],
          causation: c[8],
          correlation: c[9],
          payload: body.payload,
          hash,
        } as StoredEvent;
      } catch (error) {
        return fail(seq, error instanceof Error ? error.message : String(error));
      }
    }
    const span = spans.get(stream);
    if (span) {
      span.last = seq;
      span.count += 1;
    } else spans.set(stream, { first: seq, last: seq, count: 1 });
    prevSeq = seq;
    prevHash = hash;
    check.checked += 1;
    if (event) yield event;
  }
  if (prevSeq < 0) {
    const hidden = ctx
      .stmt("SELECT count(*) AS n FROM events INDEXED BY sqlite_autoindex_events_2 WHERE session = ?")
      .get(session) as { n: number };
    if (hidden.n > 0)
      return fail(
        0,
        `index events_session_stream is damaged: it has no rows for ${session}, but ${hidden.n} events of that session are in the journal — restore from a \`journal backup\``,
      );
    check.report = { ok: true, checked: check.checked };
    return;
  }
  if (!successorLinks(prevSeq, prevHash)) return fail(prevSeq, brokenAfter(prevSeq), check.checked - 1);
  for (const [stream, span] of spans) {
    const viaPos = ctx
      .stmt(
        "SELECT coalesce(max(pos) + 1, 0) AS n FROM events INDEXED BY sqlite_autoindex_events_2 WHERE stream = ? AND session = ?",
      )
      .get(stream, session) as { n: number };
    const viaTable = ctx
      .stmt(
        "SELECT count(*) AS n FROM events NOT INDEXED WHERE seq BETWEEN ? AND ? AND +stream = ? AND +session = ?",
      )
      .get(span.first, span.last, stream, session) as { n: number };
    if (viaPos.n !== span.count || viaTable.n !== span.count)
      return fail(
        span.first,
        `index damaged: ${stream}/${session} has ${span.count} events through its session index, ${viaPos.n} through its position index and ${viaTable.n} in the table — restore from a \`journal backup\``,
      );
  }
  check.report = { ok: true, checked: check.checked };
}

/** The slice of the connection a stream needs for its read transaction. */
export interface ReadConnection {
  readonly inTransaction: boolean;
  exec(sql: string): unknown;
}

/**
 * `checkSessionRows` of one session as a stream of its events (filtered by stream and time), in one
 * read transaction on `db`: the rows checked are the rows returned, whatever another connection
 * appends or changes meanwhile. The transaction ends when the rows run out or the reader stops
 * (`close`, or a `for … of` left early).
 */
export function streamCheckedSession(
  ctx: VerifyContext,
  db: ReadConnection,
  session: string,
  filter: Pick<EventFilter, "stream" | "fromTs" | "toTs">,
  schemaCheckedUpTo: () => number,
): VerifiedSessionStream {
  const check: SessionCheck = { checked: 0 };
  function* events(): Generator<StoredEvent, void, undefined> {
    const own = !db.inTransaction;
    if (own) db.exec("BEGIN");
    try {
      for (const event of checkSessionRows(ctx, session, check, schemaCheckedUpTo())) {
        if (filter.stream !== undefined && event.stream !== filter.stream) continue;
        if (filter.fromTs !== undefined && event.ts < filter.fromTs) continue;
        if (filter.toTs !== undefined && event.ts >= filter.toTs) continue;
        yield event;
      }
    } finally {
      if (own && db.inTransaction) db.exec("COMMIT");
    }
  }
  const iterator = events();
  return {
    events: iterator,
    close: () => {
      iterator.return();
    },
    report: () => {
      if (!check.report)
        throw new Error(`the check of session ${session} has not finished: read all its events first`);
      return check.report;
    },
  };
}
