/** The pages other than now: sessions with their P&L, trades, and the read-only SQL page. */
import { esc, nyStamp, nyTime } from "../report/index.js";
import type { SessionFiguresRow } from "./journal-view.js";
import { cardTable, page, usd } from "./page-kit.js";

/** The now page around its live part (which the script replaces on every push). */
export function nowPage(fragment: string): string {
  return page(
    "journal: now",
    "now",
    `<p class="muted">Updates by itself: <span id="stream-state">connecting…</span></p><div id="now">${fragment}</div>`,
    ["/now.js"],
  );
}

/** Every live session, newest first, each linking to its report. */
export function sessionsPage(rows: readonly SessionFiguresRow[]): string {
  const table = cardTable(
    rows,
    [
      { name: "session", cell: (r) => `<a href="/session/${esc(r.session)}">${esc(r.session)}</a>` },
      { name: "net P&L", cell: (r) => usd(r.figures.netPnlUsd), numeric: true },
      { name: "trades", cell: (r) => esc(r.figures.trades), numeric: true },
      {
        name: "win rate",
        cell: (r) => (r.figures.winRate === null ? "—" : `${Math.round(r.figures.winRate * 100)} %`),
        numeric: true,
      },
      { name: "max drawdown", cell: (r) => esc(r.figures.maxDrawdownUsd.toFixed(2)), numeric: true },
      { name: "fees", cell: (r) => esc(r.figures.feesUsd.toFixed(2)), numeric: true },
      { name: "span (NY)", cell: (r) => `${esc(nyTime(r.firstTs))}–${esc(nyTime(r.lastTs))}` },
    ],
    "No live sessions in this journal.",
  );
  const total = rows.reduce((a, r) => a + r.figures.netPnlUsd, 0);
  return page(
    "journal: sessions",
    "sessions",
    `<h1>Sessions</h1><p>${rows.length} sessions, net ${usd(Math.round(total * 100) / 100)} USD</p>${table}`,
  );
}

/** Round trips of every session, newest first (at most `limit`). */
export function tradesPage(rows: readonly SessionFiguresRow[], limit = 500): string {
  const trips = rows.flatMap((r) => [...r.trades].reverse().map((t) => ({ session: r.session, t })));
  const shown = trips.slice(0, limit);
  const table = cardTable(
    shown,
    [
      { name: "exit (NY)", cell: ({ t }) => esc(nyStamp(t.closedTs).slice(0, 16)) },
      { name: "contract", cell: ({ t }) => esc(t.contractKey) },
      { name: "side", cell: ({ t }) => esc(`${t.side} ${t.quantity}`) },
      { name: "entry", cell: ({ t }) => esc((t.entryPriceMicros / 1_000_000).toFixed(2)), numeric: true },
      { name: "exit", cell: ({ t }) => esc((t.exitPriceMicros / 1_000_000).toFixed(2)), numeric: true },
      { name: "reason", cell: ({ t }) => esc(t.exitReason) },
      { name: "held", cell: ({ t }) => `${Math.round(t.holdingMs / 60_000)} min`, numeric: true },
      { name: "P&L", cell: ({ t }) => usd(t.pnlMicros / 1_000_000), numeric: true },
    ],
    "No closed trades.",
  );
  const more =
    trips.length > shown.length
      ? `<p class="muted">The newest ${limit} of ${trips.length}; the rest are in SQL.</p>`
      : "";
  return page("journal: trades", "trades", `<h1>Trades</h1>${table}${more}`);
}

/** What a SQL statement gave: its rows, or why there are none. */
export type SqlOutcome =
  | { kind: "rows"; columns: string[]; rows: unknown[][]; truncated: boolean }
  | { kind: "refused" | "failed" | "timeout" | "busy"; message: string };

/** The SQL page: the form (GET: this server has no write endpoint) and, after a query, its result. */
export function sqlPage(query: string, outcome: SqlOutcome | undefined, timeoutSeconds: number): string {
  const form = `<h1>SQL</h1><form method="get" action="/sql"><textarea name="q" aria-label="SQL" spellcheck="false">${esc(query)}</textarea>
<p><button type="submit">Run</button> <span class="muted">Read-only; stopped after ${timeoutSeconds} s. Views: v_cycles, v_decisions, v_orders, v_fills, v_quotes, v_notices, v_health (docs/sql.md).</span></p></form>`;
  return page("journal: SQL", "SQL", form + (outcome ? result(outcome) : ""));
}

function result(outcome: SqlOutcome): string {
  if (outcome.kind !== "rows") return `<p class="notice error" id="sql-error">${esc(outcome.message)}</p>`;
  const cell = (v: unknown) => esc(v === null ? "NULL" : typeof v === "object" ? JSON.stringify(v) : v);
  const table = cardTable(
    outcome.rows,
    outcome.columns.map((name, i) => ({ name, cell: (row: unknown[]) => cell(row[i]) })),
    "(no rows)",
  );
  return `<p class="muted" id="sql-count">${outcome.rows.length} rows${outcome.truncated ? " (the first ones: add a LIMIT, or use journal sql --format csv for all)" : ""}</p>${table}`;
}

/** A plain page for an error status (404, 401, …). */
export function messagePage(title: string, message: string): string {
  return page(`journal: ${title}`, "", `<h1>${esc(title)}</h1><p>${esc(message)}</p>`);
}
