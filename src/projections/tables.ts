/**
 * The materialized projection tables: the book's fold state written as SQL rows, kept current in
 * the same transaction as each append (live mode) and rebuilt from zero by `journal rebuild`.
 * Nothing here computes P&L: every number comes from `evolveBook` (the single source of truth).
 */
import type { EventFilter, InlineProjection, Journal, SqlExecutor, StoredEvent } from "../events/index.js";
import {
  BOOK_EVENT_TYPES,
  type BookState,
  evolveBook,
  initialBook,
  reconcile,
  type SessionSummary,
} from "./book.js";

const BOOK_TYPES: ReadonlySet<string> = new Set(BOOK_EVENT_TYPES);

import { toUsd } from "./money.js";
import { averageFillMicros, type OrderView } from "./orders.js";
import { averageCostMicros, type Position, unrealizedMicros } from "./positions.js";

/** Every table this module owns, for `journal rebuild` and the docs. */
export const PROJECTION_TABLES = [
  "proj_positions",
  "proj_orders",
  "proj_order_history",
  "proj_session_summary",
  "proj_reconciliation",
  "proj_trades",
  "proj_checkpoints",
] as const;

const DDL = [
  `CREATE TABLE IF NOT EXISTS proj_positions (stream TEXT NOT NULL, contract_key TEXT NOT NULL, sec_type TEXT NOT NULL,
     quantity REAL NOT NULL, avg_cost_usd REAL NOT NULL, mark_usd REAL, realized_pnl_usd REAL NOT NULL,
     unrealized_pnl_usd REAL NOT NULL, commissions_usd REAL NOT NULL, multiplier INTEGER NOT NULL,
     PRIMARY KEY (stream, contract_key))`,
  `CREATE TABLE IF NOT EXISTS proj_orders (order_key TEXT PRIMARY KEY, stream TEXT NOT NULL, session TEXT NOT NULL,
     contract_key TEXT NOT NULL, side TEXT NOT NULL, quantity REAL NOT NULL, order_type TEXT NOT NULL, purpose TEXT NOT NULL,
     phase TEXT NOT NULL, gateway_state TEXT, order_id INTEGER, filled_quantity REAL NOT NULL, avg_fill_price_usd REAL,
     correlation TEXT, updated_seq INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS proj_order_history (order_key TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL,
     phase TEXT NOT NULL, detail TEXT NOT NULL, PRIMARY KEY (order_key, seq))`,
  `CREATE TABLE IF NOT EXISTS proj_session_summary (stream TEXT NOT NULL, session TEXT NOT NULL, cycles INTEGER NOT NULL,
     decisions INTEGER NOT NULL, orders_intended INTEGER NOT NULL, orders_refused INTEGER NOT NULL, fills INTEGER NOT NULL,
     trades INTEGER NOT NULL, wins INTEGER NOT NULL, win_rate REAL, gross_pnl_usd REAL NOT NULL, fees_usd REAL NOT NULL,
     net_pnl_usd REAL NOT NULL, max_drawdown_usd REAL NOT NULL, max_exposure_usd REAL NOT NULL,
     decisions_by_action TEXT NOT NULL, cycles_by_status TEXT NOT NULL, notices_by_code TEXT NOT NULL,
     PRIMARY KEY (stream, session))`,
  `CREATE TABLE IF NOT EXISTS proj_reconciliation (stream TEXT NOT NULL, contract_key TEXT NOT NULL, ours REAL NOT NULL,
     gateway REAL NOT NULL, difference REAL NOT NULL, PRIMARY KEY (stream, contract_key))`,
  `CREATE TABLE IF NOT EXISTS proj_trades (stream TEXT NOT NULL, session TEXT NOT NULL, closed_seq INTEGER NOT NULL,
     opened_seq INTEGER NOT NULL, contract_key TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL, quantity REAL NOT NULL,
     multiplier INTEGER NOT NULL, entry_ts INTEGER NOT NULL, exit_ts INTEGER NOT NULL, entry_price_usd REAL NOT NULL,
     exit_price_usd REAL NOT NULL, exit_reason TEXT NOT NULL, holding_ms INTEGER NOT NULL, fees_usd REAL NOT NULL,
     pnl_usd REAL NOT NULL, r_multiple REAL, risk_usd REAL, mae_usd REAL, mfe_usd REAL, entry_slippage_usd REAL,
     exit_slippage_usd REAL, delta_pnl_usd REAL NOT NULL, gamma_pnl_usd REAL NOT NULL, theta_pnl_usd REAL NOT NULL,
     vega_pnl_usd REAL NOT NULL, residual_pnl_usd REAL NOT NULL, PRIMARY KEY (stream, closed_seq, contract_key))`,
  `CREATE TABLE IF NOT EXISTS proj_checkpoints (name TEXT PRIMARY KEY, seq INTEGER NOT NULL)`,
];

/**
 * Versioned with what the fold computes: a journal whose tables were written by an older fold
 * (v1: session P&L cumulative per stream, no proj_trades; v2: no P&L by greek) has no checkpoint of
 * this name, so its tables are dropped and rewritten from the events when it is next opened.
 */
const CHECKPOINT = "book.3";

/** Row writers: one place that turns fold values into columns. */
function writePosition(sql: SqlExecutor, p: Position): void {
  sql.run(`INSERT OR REPLACE INTO proj_positions VALUES (?,?,?,?,?,?,?,?,?,?)`, [
    p.stream,
    p.key.slice(p.stream.length + 1),
    p.contract.secType,
    p.quantity,
    toUsd(averageCostMicros(p)),
    p.markMicros === null ? null : toUsd(p.markMicros),
    toUsd(p.realizedMicros),
    toUsd(unrealizedMicros(p)),
    toUsd(p.commissionsMicros),
    p.multiplier,
  ]);
}

function writeOrder(sql: SqlExecutor, o: OrderView, historyFrom: number): void {
  const avg = averageFillMicros(o);
  sql.run(`INSERT OR REPLACE INTO proj_orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, [
    o.key,
    o.stream,
    o.session,
    o.contractKey,
    o.intent.side,
    o.intent.quantity,
    o.intent.orderType,
    o.intent.purpose,
    o.phase,
    o.gatewayState,
    o.orderId,
    o.filledQuantity,
    avg === null ? null : avg / 1_000_000,
    o.correlation,
    o.updatedSeq,
  ]);
  for (const h of o.history) {
    if (h.seq < historyFrom) continue;
    sql.run(`INSERT OR REPLACE INTO proj_order_history VALUES (?,?,?,?,?)`, [
      o.key,
      h.seq,
      h.ts,
      h.phase,
      h.detail,
    ]);
  }
}

function writeSummary(sql: SqlExecutor, s: SessionSummary): void {
  sql.run(`INSERT OR REPLACE INTO proj_session_summary VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, [
    s.stream,
    s.session,
    s.cycles,
    s.decisions,
    s.ordersIntended,
    s.ordersRefused,
    s.fills,
    s.trades.length,
    s.wins,
    s.trades.length === 0 ? null : s.wins / s.trades.length,
    toUsd(s.grossPnlMicros),
    toUsd(s.feesMicros),
    toUsd(s.netPnlMicros),
    toUsd(s.maxDrawdownMicros),
    toUsd(s.maxExposureMicros),
    JSON.stringify(s.decisionsByAction),
    JSON.stringify(s.cyclesByStatus),
    JSON.stringify(s.noticesByCode),
  ]);
}

const perUnit = (m: number | null) => (m === null ? null : m / 1_000_000);
const usdOrNull = (m: number | null) => (m === null ? null : toUsd(m));

/** A session's round trips, rewritten whole when they changed (a late commission edits the last one). */
function writeTrades(sql: SqlExecutor, s: SessionSummary): void {
  sql.run(`DELETE FROM proj_trades WHERE stream = ? AND session = ?`, [s.stream, s.session]);
  for (const t of s.trades) {
    sql.run(`INSERT OR REPLACE INTO proj_trades VALUES (${Array(28).fill("?").join(",")})`, [
      t.stream,
      t.session,
      t.closedSeq,
      t.openedSeq,
      t.contractKey,
      t.symbol,
      t.side,
      t.quantity,
      t.multiplier,
      t.entryTs,
      t.closedTs,
      perUnit(t.entryPriceMicros),
      perUnit(t.exitPriceMicros),
      t.exitReason,
      t.holdingMs,
      toUsd(t.feesMicros),
      toUsd(t.pnlMicros),
      t.rMultiple,
      usdOrNull(t.riskMicros),
      usdOrNull(t.maeMicros),
      usdOrNull(t.mfeMicros),
      perUnit(t.entrySlippageMicros),
      perUnit(t.exitSlippageMicros),
      toUsd(t.greekPnl.deltaMicros),
      toUsd(t.greekPnl.gammaMicros),
      toUsd(t.greekPnl.thetaMicros),
      toUsd(t.greekPnl.vegaMicros),
      toUsd(t.greekPnl.residualMicros),
    ]);
  }
}

function writeReconciliation(sql: SqlExecutor, state: BookState, stream: string): void {
  sql.run(`DELETE FROM proj_reconciliation WHERE stream = ?`, [stream]);
  for (const d of reconcile(state, stream)) {
    sql.run(`INSERT INTO proj_reconciliation VALUES (?,?,?,?,?)`, [
      d.stream,
      d.contractKey,
      d.ours,
      d.gateway,
      d.difference,
    ]);
  }
}

/** Write the rows of `after` that differ from `before` (values are immutable: a changed row is a new object). */
function writeChanges(sql: SqlExecutor, before: BookState, after: BookState): void {
  for (const [key, p] of after.positions.byKey)
    if (before.positions.byKey.get(key) !== p) writePosition(sql, p);
  for (const [sessionKey, orders] of after.orders) {
    const old = before.orders.get(sessionKey);
    if (old === orders) continue;
    for (const [key, o] of orders.byKey) {
      const previous = old?.byKey.get(key);
      if (previous !== o) writeOrder(sql, o, previous ? previous.updatedSeq + 1 : 0);
    }
  }
  for (const [key, s] of after.summaries) {
    const old = before.summaries.get(key);
    if (old === s) continue;
    writeSummary(sql, s);
    if (old?.trades !== s.trades) writeTrades(sql, s);
  }
  const streams = new Set<string>();
  for (const [stream, r] of after.reported) if (before.reported.get(stream) !== r) streams.add(stream);
  if (after.positions !== before.positions)
    for (const p of after.positions.byKey.values()) if (after.reported.has(p.stream)) streams.add(p.stream);
  for (const stream of streams) writeReconciliation(sql, after, stream);
  sql.run(`INSERT OR REPLACE INTO proj_checkpoints VALUES (?, ?)`, [CHECKPOINT, after.lastSeq]);
}

/**
 * The book as an inline projection: fold state in memory, tables written from it in the append's
 * transaction. `state` is readable for the risk checks of live mode.
 */
export class BookProjection implements InlineProjection {
  readonly name = "book";
  private current: BookState = initialBook;

  get state(): BookState {
    return this.current;
  }

  setup(sql: SqlExecutor, history: (filter?: EventFilter) => Iterable<StoredEvent>): void {
    // Tables of an older fold may lack this one's columns: dropped, they are written afresh below.
    if (!writtenByThisFold(sql))
      for (const table of PROJECTION_TABLES) sql.run(`DROP TABLE IF EXISTS ${table}`);
    for (const ddl of DDL) sql.run(ddl);
    let state = initialBook;
    for (const event of history({ types: BOOK_EVENT_TYPES })) state = evolveBook(state, event);
    this.current = state;
    const checkpoint =
      sql.all<{ seq: number }>(`SELECT seq FROM proj_checkpoints WHERE name = ?`, [CHECKPOINT])[0]?.seq ?? -1;
    // Tables behind the events (written by an older run, or never): write them from the fold.
    if (checkpoint !== state.lastSeq) {
      clearTables(sql);
      writeChanges(sql, initialBook, state);
    }
  }

  apply(sql: SqlExecutor, events: readonly StoredEvent[]): void {
    // Events that cannot change the book (bars, health, …) leave the tables alone.
    if (!events.some((e) => BOOK_TYPES.has(e.type))) return;
    const before = this.current;
    let after = before;
    // Only the book's own types, as `setup` reads them: the checkpoint is then the same seq
    // whichever way the tables were written, and a reopen does not rewrite them.
    for (const event of events) if (BOOK_TYPES.has(event.type)) after = evolveBook(after, event);
    writeChanges(sql, before, after);
    this.current = after;
  }

  reset(sql: SqlExecutor): void {
    for (const table of PROJECTION_TABLES) sql.run(`DROP TABLE IF EXISTS ${table}`);
    this.current = initialBook;
  }
}

/** Whether the projection tables carry this fold's checkpoint (false too when there are none yet). */
function writtenByThisFold(sql: SqlExecutor): boolean {
  const table = sql.all(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'proj_checkpoints'`);
  return (
    table.length > 0 && sql.all(`SELECT 1 FROM proj_checkpoints WHERE name = ?`, [CHECKPOINT]).length > 0
  );
}

function clearTables(sql: SqlExecutor): void {
  for (const table of PROJECTION_TABLES) sql.run(`DELETE FROM ${table}`);
}

/** What `proj_session_summary` holds of a session for a listing: its closed trades and net P&L. */
export interface TabledSummary {
  readonly trades: number;
  readonly netPnlUsd: number;
}

/**
 * Each session's trades and net P&L as `proj_session_summary` holds them, keyed `stream|session`
 * (`stream`: that stream's only), provided the tables are this fold's, written up to the journal's
 * last book event: then they are the fold of every book event there is (live and import write
 * them in each append's own transaction). Null when they are missing, from an older fold, or
 * behind (a replay written into the journal, a note): the caller folds the events itself.
 */
export function tabledSummaries(sql: SqlExecutor, stream?: string): Map<string, TabledSummary> | null {
  if (!writtenByThisFold(sql)) return null;
  const checkpoint = sql.all<{ seq: number }>(`SELECT seq FROM proj_checkpoints WHERE name = ?`, [
    CHECKPOINT,
  ])[0]?.seq;
  // One seek per type on the (type, seq) index; max() over an IN list would walk every entry.
  const perType = BOOK_EVENT_TYPES.map(() => "SELECT max(seq) AS seq FROM events WHERE type = ?");
  const lastBookSeq =
    sql.all<{ seq: number | null }>(`SELECT max(seq) AS seq FROM (${perType.join(" UNION ALL ")})`, [
      ...BOOK_EVENT_TYPES,
    ])[0]?.seq ?? initialBook.lastSeq;
  if (checkpoint !== lastBookSeq) return null;
  const rows = sql.all<{ stream: string; session: string; trades: number; net_pnl_usd: number }>(
    `SELECT stream, session, trades, net_pnl_usd FROM proj_session_summary${stream === undefined ? "" : " WHERE stream = ?"}`,
    stream === undefined ? [] : [stream],
  );
  return new Map(
    rows.map((r) => [`${r.stream}|${r.session}`, { trades: r.trades, netPnlUsd: r.net_pnl_usd }]),
  );
}

/** Create the projections live mode registers on its journal. */
export function createProjections(): BookProjection[] {
  return [new BookProjection()];
}

/**
 * Drop and rebuild every projection table from zero, in one transaction.
 * Returns the number of events folded.
 */
export function rebuildProjections(journal: Journal): { events: number; lastSeq: number } {
  const projection = new BookProjection();
  let events = 0;
  journal.sql.transaction(() => {
    projection.reset(journal.sql);
    projection.setup(journal.sql, function* (filter) {
      for (const event of journal.read(filter)) {
        events += 1;
        yield event;
      }
    });
  });
  return { events, lastSeq: projection.state.lastSeq };
}
