/**
 * Verification of a SQLite journal, three ways:
 *  - `verifyAll`: SQLite's `integrity_check` (pages and every index) plus the whole hash chain,
 *    every schema, and seq/pos without gaps;
 *  - `verifyNew`: only the rows after the last verified point (the chain continues from the hash
 *    recorded there, and each new row is looked up through every index it must appear in);
 *  - `verifySessions` (verify-session.ts): one session's rows, each linked to its neighbours in the
 *    global chain, and the session counted through two indexes and the table itself — time
 *    proportional to the session, not to the journal.
 */
import type { VerifyReport } from "../catalogue/index.js";
import { parseEventBody } from "../catalogue/index.js";
import type { EventRow } from "./hash-chain.js";
import { GENESIS_HASH, rowHash } from "./hash-chain.js";

/** The slice of a prepared statement the verifier uses (it never sees better-sqlite3's types). */
export interface VerifyStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}

/** What the verifier needs from the store: its statement cache and SQLite's own check. */
export interface VerifyContext {
  stmt(text: string): VerifyStatement;
  /** A query's rows as arrays of columns, one at a time (no object per row, no array of them all). */
  iterateRaw(text: string, ...params: unknown[]): IterableIterator<unknown[]>;
  /** Run `PRAGMA integrity_check`; "ok" or the problems SQLite found. */
  integrityCheck(): string[];
}

/** The last point a full or incremental check reached, kept in `journal_meta`. */
export interface VerifiedPoint {
  seq: number;
  hash: string;
}

const PAGE = 2000;
const PAGE_SQL = "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?";
export const BY_SEQ = "SELECT * FROM events WHERE seq = ?";
// Every index an event must be reachable through: a flipped byte in one of them is what makes
// `replay` say a session does not exist while the table still holds it.
const INDEX_PROBE = `SELECT
  (SELECT seq FROM events INDEXED BY sqlite_autoindex_events_1 WHERE id = ?) AS byId,
  (SELECT seq FROM events INDEXED BY sqlite_autoindex_events_2 WHERE stream = ? AND session = ? AND pos = ?) AS byPos,
  (SELECT seq FROM events INDEXED BY events_session_stream WHERE session = ? AND stream = ? AND seq = ?) AS bySession,
  (SELECT seq FROM events INDEXED BY events_type_seq WHERE type = ? AND seq = ?) AS byType`;
const PRED_BY_POS =
  "SELECT seq FROM events INDEXED BY sqlite_autoindex_events_2 WHERE stream = ? AND session = ? AND pos = ?";

export const bad = (checked: number, seq: number, problem: string): VerifyReport => ({
  ok: false,
  checked,
  firstBad: { seq, problem },
});

export function schemaProblem(
  row: Pick<EventRow, "seq" | "type" | "version" | "payload">,
): string | undefined {
  try {
    parseEventBody(row.type, row.version, JSON.parse(row.payload), `at seq ${row.seq}`);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Everything: `integrity_check`, then the chain from genesis. With a recorded verified `point`, the
 * rows up to it skip the schema check a passing verify already gave them, provided the chain,
 * recomputed from genesis, still arrives at the hash recorded there: any change to them would
 * arrive elsewhere. Anything else (a different hash, a shorter journal, a bad row) falls back to
 * the plain check, so a failure is found and named exactly as without a point.
 */
export function verifyAll(ctx: VerifyContext, point?: VerifiedPoint): VerifyReport {
  const integrity = ctx.integrityCheck();
  if (integrity.length !== 1 || integrity[0] !== "ok") {
    return bad(
      0,
      0,
      `SQLite integrity_check failed (the file's pages or an index are damaged): ${integrity.slice(0, 3).join("; ")} — restore from a \`journal backup\``,
    );
  }
  if (point && point.seq > 0) {
    const fast = chainFrom(ctx, { seq: 0, hash: GENESIS_HASH }, false, point);
    if (fast.ok) return fast;
    const plain = chainFrom(ctx, { seq: 0, hash: GENESIS_HASH }, false);
    // The fast check fails where the plain one passes only when the journal no longer reaches the
    // point, or reaches it with another hash: rows were removed from its end, or its chain was
    // rewritten. Passing then would also lower the recorded point and forget that it was there.
    if (plain.ok) return fast;
    return (fast.firstBad?.seq ?? 0) < (plain.firstBad?.seq ?? 0) ? fast : plain;
  }
  return chainFrom(ctx, { seq: 0, hash: GENESIS_HASH }, false);
}

/** The refusal of a journal that ends before a seq an earlier check verified. */
export function truncated(checked: number, lastSeq: number, verifiedSeq: number): VerifyReport {
  return bad(
    checked,
    lastSeq + 1,
    `truncated: the journal ends at seq ${lastSeq}, but seq ${verifiedSeq} was verified earlier — ${verifiedSeq - lastSeq} event(s) were removed from its end (its -seq mark with them, or it would not have opened). Restore it from a \`journal backup\` or the fleet's central journal; to keep what is left, export its sessions and import them into a new journal`,
  );
}

/**
 * The rows after `point` (which must still hold the hash recorded for it). Without a point this is
 * `verifyAll`.
 */
export function verifyNew(ctx: VerifyContext, point: VerifiedPoint | undefined): VerifyReport {
  if (!point || point.seq === 0) return verifyAll(ctx);
  const row = ctx.stmt(BY_SEQ).get(point.seq) as EventRow | undefined;
  if (!row) {
    const last = ctx.stmt("SELECT coalesce(max(seq), 0) AS seq FROM events").get() as { seq: number };
    if (last.seq < point.seq) return truncated(0, last.seq, point.seq);
    return bad(
      0,
      point.seq,
      `seq ${point.seq} was verified earlier and is gone: events were removed from the journal`,
    );
  }
  if (row.hash !== point.hash)
    return bad(0, point.seq, "the row verified earlier at this seq was changed since (its hash differs)");
  return chainFrom(ctx, point, true);
}

/** `schemasUpTo`: skip the schema check of rows up to it, which must arrive at its hash. */
function chainFrom(
  ctx: VerifyContext,
  start: VerifiedPoint,
  probeIndexes: boolean,
  schemasUpTo?: VerifiedPoint,
): VerifyReport {
  const trusted = schemasUpTo?.seq ?? 0;
  let prevHash = start.hash;
  let expectedSeq = start.seq + 1;
  const nextPos = new Map<string, number>();
  const page = ctx.stmt(PAGE_SQL);
  const probe = probeIndexes ? ctx.stmt(INDEX_PROBE) : undefined;
  const pred = probeIndexes ? ctx.stmt(PRED_BY_POS) : undefined;
  let after = start.seq;
  let checked = 0;
  for (;;) {
    const rows = page.all(after, PAGE) as EventRow[];
    for (const row of rows) {
      if (row.seq !== expectedSeq)
        return bad(
          checked,
          row.seq,
          `seq ${row.seq} follows ${expectedSeq - 1}: ${row.seq - expectedSeq} event(s) missing`,
        );
      const key = `${row.stream}\u0000${row.session}`;
      let want = nextPos.get(key);
      if (want === undefined) {
        if (!pred || row.pos === 0) want = 0;
        else {
          // Incremental: the stream's previous event must be an earlier, already verified row.
          const before = pred.get(row.stream, row.session, row.pos - 1) as { seq: number } | undefined;
          want = before && before.seq <= start.seq ? row.pos : -1;
        }
      }
      if (row.pos !== want)
        return bad(
          checked,
          row.seq,
          `pos ${row.pos} in ${row.stream}/${row.session}, expected ${want < 0 ? "its previous position to exist" : want}`,
        );
      const hash = rowHash(prevHash, row);
      if (hash !== row.hash)
        return bad(
          checked,
          row.seq,
          "hash chain broken: the row (or one before it) was changed after it was written",
        );
      if (row.seq === trusted && hash !== schemasUpTo?.hash)
        return bad(
          checked,
          row.seq,
          "the row verified earlier at this seq was changed since (its hash differs)",
        );
      if (row.seq > trusted) {
        const problem = schemaProblem(row);
        if (problem) return bad(checked, row.seq, problem);
      }
      if (probe) {
        const found = probe.get(
          row.id,
          row.stream,
          row.session,
          row.pos,
          row.session,
          row.stream,
          row.seq,
          row.type,
          row.seq,
        ) as Record<string, number | null>;
        const missing = Object.entries(found).filter(([, seq]) => seq !== row.seq);
        if (missing.length > 0)
          return bad(
            checked,
            row.seq,
            `index damaged: the row is not found ${missing.map(([k]) => k).join(", ")} — run a full \`journal verify\` and restore from a \`journal backup\``,
          );
      }
      nextPos.set(key, want + 1);
      prevHash = hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.seq;
  }
  if (expectedSeq - 1 < trusted) return truncated(checked, expectedSeq - 1, trusted);
  return { ok: true, checked, verifiedUpTo: expectedSeq - 1, verifiedHash: prevHash };
}

/** The verified point recorded in `journal_meta`, if any. */
export function readVerifiedPoint(stmt: VerifyContext["stmt"]): VerifiedPoint | undefined {
  const row = stmt("SELECT value FROM journal_meta WHERE key = 'verified'").get() as
    | { value: string }
    | undefined;
  if (!row) return undefined;
  const [seq, hash] = row.value.split(" ");
  return { seq: Number(seq), hash: hash ?? "" };
}

/**
 * Record a passing whole-chain report's point (on a writable journal). Never lower: a point once
 * recorded is the evidence that the journal reached it, and a check that ends below it has found
 * a truncation (`truncated`), not a new point.
 */
export function recordVerifiedPoint(stmt: VerifyContext["stmt"], report: VerifyReport): void {
  if (!report.ok || report.verifiedUpTo === undefined || report.verifiedHash === undefined) return;
  if ((readVerifiedPoint(stmt)?.seq ?? 0) > report.verifiedUpTo) return;
  try {
    stmt(
      "INSERT INTO journal_meta (key, value) VALUES ('verified', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(`${report.verifiedUpTo} ${report.verifiedHash}`);
  } catch {
    // The point is an optimisation: failing to record it only makes the next check longer.
  }
}
