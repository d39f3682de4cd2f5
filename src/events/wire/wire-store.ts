/**
 * The wire store: raw TWS frames of a session, both directions, in their own append-only table
 * beside `events` (`wire_frames`), hash-chained like the events so `journal verify` finds a frame
 * that was changed, removed or inserted. Frames are bytes, not events: they carry no schema and
 * never feed projections; they exist for post-mortems and to serve a session back
 * (`journal sim --from-journal`).
 *
 * It works through the journal's `SqlExecutor` only, so the store's journal.ts knows nothing of it. Each frame
 * has a per-session number `n` (0, 1, …): with the session it is the frame's identity across
 * journals, which makes export/import byte-stable and importing twice a no-op.
 */
import { hash } from "node:crypto";
import type { SqlExecutor, VerifyReport } from "../catalogue/index.js";
import { GENESIS_HASH } from "../integrity/index.js";
import { ifNotExists, WIRE_GUARDS } from "../store/index.js";

/** `out`: client → gateway; `in`: gateway → client. */
export type WireDirection = "in" | "out";

/** A frame to append: the bytes exactly as they crossed the socket (length prefix included). */
export interface NewWireFrame {
  conn: number;
  dir: WireDirection;
  /** Epoch ms on the bot's gateway-anchored clock. */
  ts: number;
  bytes: Buffer;
}

/** A stored frame. */
export interface WireFrame extends NewWireFrame {
  seq: number;
  session: string;
  n: number;
  hash: string;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS wire_frames (
    seq INTEGER PRIMARY KEY,
    session TEXT NOT NULL,
    n INTEGER NOT NULL,
    conn INTEGER NOT NULL,
    dir TEXT NOT NULL CHECK (dir IN ('in', 'out')),
    ts INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (session, n)
  )`,
  // The append-only triggers and v_wire: defined with the journal's other guards, which `verify`
  // holds the file to (store/journal-guards.ts).
  ...WIRE_GUARDS.map(ifNotExists),
];

/** True when the journal holds a wire_frames table (a journal that never captured has none). */
export function hasWireFrames(sql: SqlExecutor): boolean {
  return sql.all("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'wire_frames'").length > 0;
}

/** Create the table, its append-only triggers and `v_wire` if missing (idempotent). */
export function ensureWireStore(sql: SqlExecutor): void {
  // Idempotent: also re-creates v_wire in a journal whose views an older version refreshed away.
  for (const statement of SCHEMA) sql.run(statement);
}

/** Hex SHA-256 over the previous hash and the frame's columns (bytes as base64). */
export function wireFrameHash(prev: string, f: Omit<WireFrame, "hash">): string {
  return hash(
    "sha256",
    `${prev}\u0000${f.seq}\u0000${f.session}\u0000${f.n}\u0000${f.conn}\u0000${f.dir}\u0000${f.ts}\u0000${f.bytes.toString("base64")}`,
    "hex",
  );
}

interface Tail {
  seq: number;
  hash: string;
}

function tail(sql: SqlExecutor): Tail {
  const row = sql.all<Tail>("SELECT seq, hash FROM wire_frames ORDER BY seq DESC LIMIT 1")[0];
  return row ?? { seq: 0, hash: GENESIS_HASH };
}

/** The next frame number and the highest connection number of a session (−1 when none). */
export function wireSessionTail(sql: SqlExecutor, session: string): { nextN: number; maxConn: number } {
  if (!hasWireFrames(sql)) return { nextN: 0, maxConn: -1 };
  const row = sql.all<{ n: number | null; conn: number | null }>(
    "SELECT max(n) AS n, max(conn) AS conn FROM wire_frames WHERE session = ?",
    [session],
  )[0];
  return { nextN: (row?.n ?? -1) + 1, maxConn: row?.conn ?? -1 };
}

/** Append frames of `session` in one transaction; returns how many were written. */
export function appendWireFrames(sql: SqlExecutor, session: string, frames: readonly NewWireFrame[]): number {
  if (frames.length === 0) return 0;
  return sql.transaction(() => {
    ensureWireStore(sql);
    let { seq, hash: prev } = tail(sql);
    let { nextN } = wireSessionTail(sql, session);
    for (const frame of frames) {
      seq += 1;
      const row = { seq, session, n: nextN++, ...frame };
      prev = wireFrameHash(prev, row);
      sql.run(
        "INSERT INTO wire_frames (seq, session, n, conn, dir, ts, bytes, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [row.seq, session, row.n, row.conn, row.dir, row.ts, row.bytes, prev],
      );
    }
    return frames.length;
  });
}

/** Which frames to read; every field narrows. */
export interface WireFilter {
  session?: string;
  fromTs?: number;
}

interface RawFrame {
  seq: number;
  session: string;
  n: number;
  conn: number;
  dir: WireDirection;
  ts: number;
  bytes: Buffer;
  hash: string;
}

/** Frames in seq order, read in pages (bounded memory). */
export function* readWireFrames(sql: SqlExecutor, filter: WireFilter = {}): IterableIterator<WireFrame> {
  if (!hasWireFrames(sql)) return;
  let after = 0;
  for (;;) {
    const where = ["seq > ?"];
    const params: unknown[] = [after];
    if (filter.session !== undefined) {
      where.push("session = ?");
      params.push(filter.session);
    }
    if (filter.fromTs !== undefined) {
      where.push("ts >= ?");
      params.push(filter.fromTs);
    }
    const rows = sql.all<RawFrame>(
      `SELECT seq, session, n, conn, dir, ts, bytes, hash FROM wire_frames WHERE ${where.join(" AND ")} ORDER BY seq LIMIT 2000`,
      params,
    );
    if (rows.length === 0) return;
    yield* rows;
    after = rows[rows.length - 1]!.seq;
  }
}

/** True when a stored frame's hash is the one its columns give after `prev` (its chain link holds). */
function linksTo(prev: string, row: WireFrame): boolean {
  const { hash: stored, ...rest } = row;
  // SQLite hands BLOBs back as Buffers; a driver giving Uint8Array is hashed alike.
  const bytes = Buffer.isBuffer(row.bytes) ? row.bytes : Buffer.from(row.bytes);
  return wireFrameHash(prev, { ...rest, bytes }) === stored;
}

/** Check the frames' hash chain and that seq has no gaps; ok when there are no frames. */
export function verifyWireFrames(sql: SqlExecutor): VerifyReport {
  let prev = GENESIS_HASH;
  let expected = 1;
  let checked = 0;
  for (const row of readWireFrames(sql)) {
    if (row.seq !== expected)
      return {
        ok: false,
        checked,
        firstBad: { seq: expected, problem: `wire frame seq ${expected} is missing` },
      };
    if (!linksTo(prev, row))
      return {
        ok: false,
        checked,
        firstBad: {
          seq: row.seq,
          problem: `wire frame ${row.seq} does not match its hash (changed, or a frame before it was)`,
        },
      };
    prev = row.hash;
    expected += 1;
    checked += 1;
  }
  return { ok: true, checked };
}

/**
 * The frames of one session, in time proportional to it: each frame against its predecessor in the
 * global chain, the first frame after the session against the session's last (a frame rewritten
 * together with its own hash still breaks that link), and `n` from 0 without gaps.
 */
export function verifyWireSession(sql: SqlExecutor, session: string): VerifyReport {
  const hashAt = (seq: number): string | undefined =>
    seq === 0
      ? GENESIS_HASH
      : sql.all<{ hash: string }>("SELECT hash FROM wire_frames WHERE seq = ?", [seq])[0]?.hash;
  const bad = (checked: number, seq: number, problem: string): VerifyReport => ({
    ok: false,
    checked,
    firstBad: { seq, problem },
  });
  let checked = 0;
  let last: WireFrame | undefined;
  for (const row of readWireFrames(sql, { session })) {
    if (row.n !== checked)
      return bad(checked, row.seq, `wire frame ${row.n} of ${session} should be ${checked}`);
    const prev = last && last.seq === row.seq - 1 ? last.hash : hashAt(row.seq - 1);
    if (prev === undefined) return bad(checked, row.seq, `wire frame seq ${row.seq - 1} is missing`);
    if (!linksTo(prev, row))
      return bad(
        checked,
        row.seq,
        `wire frame ${row.seq} does not match its hash (changed, or a frame before it was)`,
      );
    last = row;
    checked += 1;
  }
  if (last) {
    const next = sql.all<WireFrame>(
      "SELECT seq, session, n, conn, dir, ts, bytes, hash FROM wire_frames WHERE seq = ?",
      [last.seq + 1],
    )[0];
    if (next && next.session !== session && !linksTo(last.hash, next))
      return bad(
        checked,
        last.seq,
        `wire frame ${next.seq} does not link to this session's last frame (one of them was changed)`,
      );
  }
  return { ok: true, checked };
}

/** One export line for a frame: `{"frame":n,…,"bytes":"<base64>"}` (fixed key order). */
export function toWireJsonLine(frame: WireFrame): string {
  return JSON.stringify({
    frame: frame.n,
    session: frame.session,
    conn: frame.conn,
    dir: frame.dir,
    ts: frame.ts,
    bytes: frame.bytes.toString("base64"),
  });
}

/** True for a parsed export line that is a frame, not an event. */
export function isWireJsonLine(json: unknown): boolean {
  return typeof json === "object" && json !== null && "frame" in json;
}

/**
 * Import frame lines (parsed JSON, in file order; `where` names each for errors). Frames already
 * present (same session and n) are skipped; a present frame with other bytes is refused.
 */
export function importWireLines(
  sql: SqlExecutor,
  lines: readonly { json: unknown; where: string }[],
): { added: number; alreadyPresent: number } {
  const bySession = new Map<string, { n: number; frame: NewWireFrame; where: string }[]>();
  for (const { json, where } of lines) {
    const o = json as Record<string, unknown>;
    const ok =
      Number.isInteger(o.frame) &&
      typeof o.session === "string" &&
      /^\d{4}-\d{2}-\d{2}$/.test(o.session) &&
      Number.isInteger(o.conn) &&
      (o.dir === "in" || o.dir === "out") &&
      Number.isInteger(o.ts) &&
      typeof o.bytes === "string";
    if (!ok) throw new Error(`${where}: not a wire frame line (needs frame, session, conn, dir, ts, bytes)`);
    const list = bySession.get(o.session as string) ?? [];
    list.push({
      n: o.frame as number,
      where,
      frame: {
        conn: o.conn as number,
        dir: o.dir as WireDirection,
        ts: o.ts as number,
        bytes: Buffer.from(o.bytes as string, "base64"),
      },
    });
    bySession.set(o.session as string, list);
  }
  let added = 0;
  let alreadyPresent = 0;
  sql.transaction(() => {
    for (const [session, list] of bySession) {
      const { nextN } = wireSessionTail(sql, session);
      const fresh: NewWireFrame[] = [];
      for (const item of list) {
        if (item.n < nextN) {
          const stored = sql.all<{ bytes: Buffer }>(
            "SELECT bytes FROM wire_frames WHERE session = ? AND n = ?",
            [session, item.n],
          )[0];
          if (!stored || !Buffer.from(stored.bytes).equals(item.frame.bytes))
            throw new Error(
              `${item.where}: frame ${item.n} of ${session} is already in the journal with other bytes`,
            );
          alreadyPresent += 1;
        } else if (item.n !== nextN + fresh.length) {
          throw new Error(
            `${item.where}: frame ${item.n} of ${session} leaves a gap (expected ${nextN + fresh.length})`,
          );
        } else fresh.push(item.frame);
      }
      added += appendWireFrames(sql, session, fresh);
    }
  });
  return { added, alreadyPresent };
}
