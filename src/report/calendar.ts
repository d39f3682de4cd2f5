/**
 * A calendar of sessions: P&L and trades per trading day over a range, weeks as rows, with the
 * totals, the worst and the best day. Every day's figures come from the same session fold as the
 * session report and the replay summary.
 */
import type { Journal } from "../events/index.js";
import { foldSession, type SessionFigures, sessionFigures } from "../projections/index.js";
import { esc } from "./render-kit.js";

export interface CalendarDay {
  session: string;
  figures: SessionFigures;
}

export interface Calendar {
  stream: string;
  from: string;
  to: string;
  days: CalendarDay[];
  totals: { sessions: number; trades: number; wins: number; netPnlUsd: number; feesUsd: number };
  worst: { session: string; netPnlUsd: number } | null;
  best: { session: string; netPnlUsd: number } | null;
}

/** Fold every session of `stream` from `from` to `to` (inclusive, YYYY-MM-DD). */
export function buildCalendar(journal: Journal, stream: string, from: string, to: string): Calendar {
  const days = journal
    .sessionIds(stream)
    .filter((s) => s >= from && s <= to)
    .sort()
    .map((session) => {
      const events = [...journal.read({ stream, session })];
      const span = events.length === 0 ? 0 : events[events.length - 1]!.ts - events[0]!.ts;
      return { session, figures: sessionFigures(foldSession(events, [], stream, session), span) };
    });
  const sum = (pick: (f: SessionFigures) => number) =>
    Math.round(days.reduce((a, d) => a + pick(d.figures), 0) * 100) / 100;
  const ranked = [...days].sort((a, b) => a.figures.netPnlUsd - b.figures.netPnlUsd);
  const pick = (d: CalendarDay | undefined) =>
    d ? { session: d.session, netPnlUsd: d.figures.netPnlUsd } : null;
  return {
    stream,
    from,
    to,
    days,
    totals: {
      sessions: days.length,
      trades: sum((f) => f.trades),
      wins: sum((f) => f.wins),
      netPnlUsd: sum((f) => f.netPnlUsd),
      feesUsd: sum((f) => f.feesUsd),
    },
    worst: pick(ranked[0]),
    best: pick(ranked[ranked.length - 1]),
  };
}

/** Day of the week of a YYYY-MM-DD date, 0 = Monday. */
function weekday(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

function mondayOf(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - weekday(date))).toISOString().slice(0, 10);
}

/** The calendar as one self-contained HTML page (a JSON block holds the same figures). */
export function renderCalendar(c: Calendar): string {
  const weeks = new Map<string, CalendarDay[]>();
  for (const day of c.days) {
    const week = mondayOf(day.session);
    weeks.set(week, [...(weeks.get(week) ?? []), day]);
  }
  const cell = (d: CalendarDay | undefined) => {
    if (!d) return "<td></td>";
    const f = d.figures;
    const cls = f.netPnlUsd > 0 ? "win" : f.netPnlUsd < 0 ? "loss" : "flat";
    const title = `${d.session}: net ${f.netPnlUsd.toFixed(2)} USD, ${f.trades} trades, ${f.wins} wins, max DD ${f.maxDrawdownUsd.toFixed(2)}`;
    return `<td class="${cls}" title="${esc(title)}"><div class="date">${esc(d.session.slice(5))}</div><div class="pnl">${f.netPnlUsd.toFixed(2)}</div><div class="n">${f.trades} trades</div></td>`;
  };
  const rows = [...weeks.entries()]
    .map(
      ([week, days]) =>
        `<tr><th>${esc(week)}</th>${[0, 1, 2, 3, 4].map((i) => cell(days.find((d) => weekday(d.session) === i))).join("")}<td class="week">${(Math.round(days.reduce((a, d) => a + d.figures.netPnlUsd, 0) * 100) / 100).toFixed(2)}</td></tr>`,
    )
    .join("");
  const data = JSON.stringify(c).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sessions ${esc(c.from)}..${esc(c.to)} — ${esc(c.stream)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:900px;color:#222}
table{border-collapse:collapse}th,td{padding:6px 10px;border:1px solid #e5e5e5;font-variant-numeric:tabular-nums;vertical-align:top}
td.win{background:#e6f4ea}td.loss{background:#fce8e6}.date{color:#777;font-size:12px}.pnl{font-weight:600}.n{font-size:12px;color:#555}
</style></head><body>
<h1>Sessions ${esc(c.from)} .. ${esc(c.to)}</h1>
<p>Stream <b>${esc(c.stream)}</b>: ${c.totals.sessions} sessions, ${c.totals.trades} trades, net ${c.totals.netPnlUsd.toFixed(2)} USD (fees ${c.totals.feesUsd.toFixed(2)}).
${c.worst ? `Worst day ${esc(c.worst.session)} (${c.worst.netPnlUsd.toFixed(2)}), best ${esc(c.best!.session)} (${c.best!.netPnlUsd.toFixed(2)}).` : ""}
Each day's P&L is what that session made: realized in it plus what was open at its end, marked at the last quote, fees included.</p>
<table id="calendar"><tr><th>week of</th><th>Mon</th><th>Tue</th><th>Wed</th><th>Thu</th><th>Fri</th><th>week</th></tr>${rows}</table>
<script type="application/json" id="report-data">${data}</script>
</body></html>
`;
}
