/**
 * The session report: one self-contained HTML file (inline SVG and CSS, no scripts, nothing fetched
 * at view time) with the session summary, the underlying's price with decisions and fills marked,
 * the equity curve and drawdown, the trades table and the gateway notices on a timeline — and, for a
 * replay run, live and replay side by side.
 *
 * Tables are computed with arquero; charts are Vega-Lite specs compiled and rendered to SVG by Vega
 * headless in Node (no canvas, no browser).
 */
import * as aq from "arquero";
import type * as vl from "vega-lite";
import type { Journal, StoredEvent } from "../events/index.js";
import {
  foldSession,
  marksFor,
  type OutcomeParity,
  openPnlMicros,
  outcomeParity,
  type SessionFigures,
  type SessionFold,
  type SessionSummary,
  sessionFigures,
  toUsd,
} from "../projections/index.js";
import { equitySteps } from "./equity-series.js";
import { feesSection, notesSection } from "./fees-and-notes.js";
import { esc, nyTime, svg, TIME, tradeRow, wall } from "./render-kit.js";
import { symbolSections, symbolsOf } from "./symbol-charts.js";

export interface ReportSource {
  journal: Journal;
  stream: string;
  label: string;
}

export interface ReportOptions {
  session: string;
  live: ReportSource;
  /** A replay run to show beside live. */
  replay?: ReportSource;
  /** The what-if run's baseline (live's strategy through the same fill model): its equity curve too. */
  baseline?: ReportSource;
}

interface StreamData {
  label: string;
  stream: string;
  events: StoredEvent[];
  fold: SessionFold;
  summary: SessionSummary;
  figures: SessionFigures;
  strategy: { name: string; version: string; params: Record<string, unknown> } | null;
}

/**
 * Fold a stream's session exactly as the replay summary does: a replay run holds no quotes of its
 * own, so its open positions and excursions are marked at the quotes of `marksFrom` (live).
 */
function load(source: ReportSource, session: string, marksFrom?: readonly StoredEvent[]): StreamData {
  const events = [...source.journal.read({ stream: source.stream, session })];
  const fold = foldSession(events, marksFrom ? marksFor(marksFrom, events) : [], source.stream, session);
  const span = events.length === 0 ? 0 : events[events.length - 1]!.ts - events[0]!.ts;
  const opened = events.find((e) => e.type === "SessionOpened" || e.type === "ReplayStarted");
  const strategy =
    opened?.type === "SessionOpened" || opened?.type === "ReplayStarted"
      ? {
          name: opened.payload.strategy.name,
          version: opened.payload.strategy.version,
          params: opened.payload.params,
        }
      : null;
  return {
    label: source.label,
    stream: source.stream,
    events,
    fold,
    summary: fold.summary,
    figures: sessionFigures(fold, span),
    strategy,
  };
}

/** The meaning of each gateway code the journal's `notice_codes` view knows (empty if it has none). */
function noticeMeanings(journal: Journal): { code: number; meaning: string; what_to_do: string }[] {
  try {
    return journal.sql.all(`SELECT code, meaning, what_to_do FROM notice_codes`);
  } catch {
    // A journal opened without its views (an older file, read-only): codes without meanings.
    return [];
  }
}

/**
 * Phone first: wide tables (trades, notices) become one card per row under 720 px, each cell
 * labelled with its column; on a desktop they stay tables and scroll inside their box if need be.
 */
export const REPORT_RESPONSIVE_CSS = `table.cards{display:block;overflow-x:auto;max-width:100%}
@media (max-width:720px){table.cards,table.cards tbody,table.cards tr,table.cards td{display:block}
table.cards tr:first-child{display:none}table.cards tr{border:1px solid #ddd;border-radius:6px;margin:8px 0;padding:4px 8px}
table.cards td{display:flex;justify-content:space-between;gap:12px;border-bottom:1px solid #f3f3f3;padding:2px 0}
table.cards td::before{content:attr(data-label);color:#666}}`;

/** Render the report; resolves with the HTML text. */
export async function renderSessionReport(options: ReportOptions): Promise<string> {
  const live = load(options.live, options.session);
  const replay = options.replay ? load(options.replay, options.session, live.events) : null;
  if (live.events.length === 0)
    throw new Error(`no events for stream ${options.live.stream} on ${options.session}`);
  const streams = replay ? [live, replay] : [live];
  const baseline = replay && options.baseline ? load(options.baseline, options.session, live.events) : null;

  // A section per symbol: the underlying with the strategy's signals and decisions, and each
  // traded option's premium with every run's entries and exits.
  const symbols = symbolsOf(live.events);
  const sections = await symbolSections(symbols, live.events, streams);

  // Equity and drawdown, per stream.
  const sessionEnd = Math.max(...streams.map((s) => s.events[s.events.length - 1]?.ts ?? 0));
  const curves = baseline ? [live, baseline, replay!] : streams;
  const equity = curves.flatMap((s) => {
    let peak = 0;
    // Start at 0 and hold the last value to the session's end, so every run's steps span the day.
    const first = s.events[0]?.ts ?? sessionEnd;
    const points = [
      { ts: first, equityMicros: 0 },
      ...equitySteps(s.fold),
      { ts: sessionEnd, equityMicros: s.summary.netPnlMicros },
    ];
    return points.map((p) => {
      const value = toUsd(p.equityMicros);
      peak = Math.max(peak, value);
      return {
        time: wall(p.ts),
        equity: value,
        drawdown: Math.round((value - peak) * 100) / 100,
        run: s.label,
      };
    });
  });
  const degraded = degradedCycles(live.events);
  const equityChart = await svg({
    vconcat: [
      {
        width: 760,
        height: 180,
        title: `Session equity (realized + open marked at the last quote, net of fees; stepped)${degraded.length > 0 ? "; grey: cycles decided on stale or missing inputs" : ""}`,
        layer: [
          {
            data: { values: degraded },
            mark: { type: "rect", color: "#999", opacity: 0.2 },
            encoding: { x: { field: "start", ...TIME, title: null }, x2: { field: "end" } },
          },
          {
            data: { values: equity },
            mark: { type: "line", interpolate: "step-after", point: { size: 12 }, tooltip: true },
            encoding: {
              x: { field: "time", ...TIME, title: null },
              y: { field: "equity", type: "quantitative", title: "USD" },
              color: { field: "run", type: "nominal", title: null },
            },
          },
        ],
      },
      {
        width: 760,
        height: 110,
        title: "Drawdown from the session's peak",
        data: { values: equity },
        mark: { type: "line", interpolate: "step-after", strokeWidth: 2, tooltip: true },
        encoding: {
          x: { field: "time", ...TIME, title: "time (New York)" },
          y: { field: "drawdown", type: "quantitative", title: "USD", stack: null },
          color: { field: "run", type: "nominal", title: null },
        },
      },
    ],
  } as vl.TopLevelSpec);

  const meanings = new Map(noticeMeanings(options.live.journal).map((m) => [String(m.code), m] as const));
  // Gateway notices on a timeline.
  const notices = live.events.flatMap((e) =>
    e.type === "GatewayNotice"
      ? [
          {
            time: wall(e.ts),
            at: e.ts,
            code: String(e.payload.code),
            severity: e.payload.severity,
            message: e.payload.message,
          },
        ]
      : [],
  );
  // Notices (with their meaning), refusals and connection gaps on one timeline.
  const timeline = [
    ...notices.map((n) => ({
      time: n.time,
      row: `notice ${n.code}`,
      kind: n.severity,
      what: `${n.code}: ${meanings.get(n.code)?.meaning ?? n.message}`,
    })),
    ...streams.flatMap((s) =>
      s.events.flatMap((e) =>
        e.type === "OrderRefused"
          ? [
              {
                time: wall(e.ts),
                row: `${s.label} refused`,
                kind: "refusal",
                what: `${e.payload.rule}: ${e.payload.detail}`,
              },
            ]
          : e.type === "GatewayDisconnected"
            ? [
                {
                  time: wall(e.ts),
                  row: "gateway gap",
                  kind: "gap",
                  what: `disconnected: ${e.payload.reason}`,
                },
              ]
            : [],
      ),
    ),
  ];
  const noticeChart = timeline.length
    ? await svg({
        width: 760,
        height: 40 + 18 * new Set(timeline.map((t) => t.row)).size,
        title: "Notices, refusals and gaps",
        data: { values: timeline },
        mark: { type: "tick", thickness: 2, tooltip: true },
        encoding: {
          x: { field: "time", ...TIME, title: "time (New York)" },
          y: { field: "row", type: "nominal", title: null },
          color: {
            field: "kind",
            type: "nominal",
            title: null,
            scale: {
              domain: ["info", "warning", "error", "refusal", "gap"],
              range: ["#54a24b", "#f58518", "#e45756", "#b279a2", "#222222"],
            },
          },
          tooltip: [{ field: "what" }],
        },
      } as vl.TopLevelSpec)
    : "<p>No notices, refusals or gaps.</p>";

  // Tables with arquero.
  const tradeRows = streams.flatMap((s) =>
    s.summary.trades.map((t) => {
      const r = tradeRow(t, s.fold.modelledFills);
      return {
        run: s.label,
        contract: r.contract,
        side: r.side,
        qty: r.quantity,
        entry: nyTime(t.entryTs),
        exit: nyTime(t.closedTs),
        "entry $": r.entryPremium,
        "exit $": r.exitPremium,
        reason: r.exitReason,
        "held min": r.holdingMin,
        fees: r.feesUsd,
        pnl: r.pnlUsd,
        R: r.r,
        MAE: r.maeUsd,
        MFE: r.mfeUsd,
        "slip in": r.entrySlippage,
        "slip out": r.exitSlippage,
        "model err": r.modelErrorUsd,
        closed: t.closedTs,
      };
    }),
  );
  // An empty table has no columns to order by: a session without a closed trade shows "None.".
  const trades = tradeRows.length
    ? aq.from(tradeRows).orderby("closed").select(aq.not("closed"))
    : aq.table({});
  const byCode = aq
    .from(notices.length ? notices : [{ code: "-", severity: "-", time: 0, at: 0, message: "" }])
    .groupby("code", "severity")
    .rollup({ count: aq.op.count(), first: aq.op.min("at"), last: aq.op.max("at") })
    .orderby(aq.desc("count"));
  const money = (v: number | null) => (v === null ? "—" : `${v.toFixed(2)} USD`);
  const summaryRows = (s: StreamData) => {
    const m = s.summary;
    const f = s.figures;
    return [
      ["stream", s.stream],
      ["strategy", s.strategy ? `${s.strategy.name} ${s.strategy.version}` : "—"],
      [
        "decisions",
        `${m.decisions} (${Object.entries(m.decisionsByAction)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")})`,
      ],
      [
        "cycles",
        m.cycles > 0
          ? `${m.cycles} (${Object.entries(m.cyclesByStatus)
              .map(([k, v]) => `${k} ${v}`)
              .join(", ")})`
          : "— (a replay runs no gateway cycles)",
      ],
      ["orders / refused / fills", `${f.orders} / ${f.refusals} / ${f.fills}`],
      ["trades", f.trades],
      ["win rate", f.winRate === null ? "—" : `${Math.round(f.winRate * 100)} %`],
      ["profit factor", f.profitFactor ?? "—"],
      ["expectancy", money(f.expectancyUsd)],
      ["average R", f.avgR ?? "—"],
      ["average holding", f.avgHoldingMin === null ? "—" : `${f.avgHoldingMin} min`],
      ["exposure (time in market)", f.exposurePct === null ? "—" : `${f.exposurePct} %`],
      ["gross P&L", money(f.grossPnlUsd)],
      ["fees", money(f.feesUsd)],
      [
        "closed trades before fees, by greek",
        `delta ${money(f.greekPnlUsd.delta)}, gamma ${money(f.greekPnlUsd.gamma)}, theta ${money(f.greekPnlUsd.theta)}, vega ${money(f.greekPnlUsd.vega)}, residual ${money(f.greekPnlUsd.residual)}`,
      ],
      ["net P&L", money(f.netPnlUsd)],
      ["of which open at the end", money(f.openPnlUsd)],
      ["max drawdown", money(f.maxDrawdownUsd)],
      ["max exposure", money(f.maxExposureUsd)],
      ["fill model error (real − model)", money(f.fillModelErrorUsd)],
    ];
  };
  const summaryTable = (s: StreamData) =>
    `<table class="summary"><caption>${esc(s.label)}</caption>${summaryRows(s)
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
      .join("")}</table>`;
  const htmlTable = (table: aq.ColumnTable, format: Record<string, (v: unknown) => string> = {}) => {
    const names = table.columnNames();
    const rows = table.objects() as Record<string, unknown>[];
    if (rows.length === 0) return "<p>None.</p>";
    // Each cell names its column (data-label): on a phone the rows become cards that show it.
    return `<table class="cards"><tr>${names.map((n) => `<th>${esc(n)}</th>`).join("")}</tr>${rows.map((r) => `<tr>${names.map((n) => `<td data-label="${esc(n)}">${esc(format[n] ? format[n]!(r[n]) : r[n])}</td>`).join("")}</tr>`).join("")}</table>`;
  };

  // Outcome parity: the replay run says what decision parity found (null for a what-if).
  const completed = replay?.events.find((e) => e.type === "ReplayCompleted");
  const parity: OutcomeParity | null = replay
    ? outcomeParity(
        live.figures,
        replay.figures,
        completed?.type === "ReplayCompleted" ? completed.payload.parity : null,
      )
    : null;
  const paritySection = parity
    ? `<h2>Outcomes: live against replay</h2><table id="outcome-parity"><tr><th></th><th>live</th><th>replay</th><th>difference</th></tr>${parity.rows
        .map(
          (r) =>
            `<tr><th>${esc(r.figure === "netPnlUsd" ? "net P&L (USD)" : r.figure)}</th><td>${r.live}</td><td>${r.replay}</td><td>${r.difference === 0 ? "" : r.difference}</td></tr>`,
        )
        .join(
          "",
        )}</table>${parity.equal ? "<p>Equal.</p>" : `<ul>${parity.causes.map((c) => `<li>${esc(c)}</li>`).join("")}</ul>`}`
    : "";

  const money2 = (v: number) => v.toFixed(2);
  // What was still open when the session's events end.
  const openRows = streams.flatMap((s) => [
    ...s.fold.openPositions.map((p) => ({
      run: s.label,
      what: "position",
      contract: p.key.slice(p.stream.length + 1),
      quantity: p.quantity,
      detail: `mark ${p.markMicros === null ? "—" : (p.markMicros / 1_000_000).toFixed(2)}`,
      // Net of the fees its round trip has paid so far, as the summary's "of which open" counts it.
      pnl: money2(
        toUsd(
          openPnlMicros({ ...s.fold, openPositions: [p] }) + p.realizedMicros - p.tradeStartRealizedMicros,
        ),
      ),
    })),
    ...s.fold.workingOrders.map((o) => ({
      run: s.label,
      what: `working ${o.intent.purpose} order`,
      contract: o.contractKey,
      quantity: o.intent.side === "BUY" ? o.intent.quantity : -o.intent.quantity,
      detail: `${o.phase}, filled ${o.filledQuantity}`,
      pnl: "—",
    })),
  ]);

  // Refusals, with the rule and what it said.
  const refusals = streams.flatMap((s) =>
    s.events.flatMap((e) =>
      e.type === "OrderRefused"
        ? [
            {
              run: s.label,
              time: nyTime(e.ts),
              contract: `${e.payload.intent.side} ${e.payload.intent.quantity} ${e.payload.intent.contract.symbol}`,
              rule: e.payload.rule,
              detail: e.payload.detail,
            },
          ]
        : [],
    ),
  );

  const data = {
    session: options.session,
    outcomeParity: parity,
    runs: streams.map((s) => ({
      label: s.label,
      stream: s.stream,
      strategy: s.strategy,
      figures: s.figures,
      trades: s.summary.trades.map((t) => tradeRow(t, s.fold.modelledFills)),
    })),
  };
  // In a script element only `</script` (and `<!--`) could end it early: escape every `<`.
  const dataBlock = JSON.stringify(data).replace(/</g, "\\u003c");

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Session ${esc(options.session)}${replay ? ` — live vs ${esc(replay.stream)}` : ""}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;padding:0 12px;max-width:900px;color:#222;overflow-wrap:anywhere}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.cols{display:flex;gap:24px;flex-wrap:wrap}table{border-collapse:collapse;margin:8px 0}
th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;font-variant-numeric:tabular-nums}
caption{font-weight:600;text-align:left;padding:4px 0}.summary th{color:#555;font-weight:500}
.chart svg{max-width:100%;height:auto}.muted{color:#777}
${REPORT_RESPONSIVE_CSS}
</style></head><body>
<h1>Session ${esc(options.session)}</h1>
<p class="muted">${replay ? `Live stream <b>${esc(live.stream)}</b> beside replay run <b>${esc(replay.stream)}</b>.` : `Stream <b>${esc(live.stream)}</b>.`} Times are New York. Generated from the journal; nothing here is fetched when you open it.</p>
${streams
  .map((s) =>
    s.strategy
      ? `<p class="muted">${esc(s.label)}: ${esc(s.strategy.name)} ${esc(s.strategy.version)} — ${esc(
          Object.entries(s.strategy.params)
            .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
            .join(", "),
        )}</p>`
      : "",
  )
  .join("")}
<h2>Summary</h2><div class="cols">${streams.map(summaryTable).join("")}</div>
${sections}
<h2>Equity and drawdown</h2><div class="chart" id="equity-chart">${equityChart}</div>
${paritySection}
<h2>Trades</h2>${htmlTable(trades, { pnl: (v) => Number(v).toFixed(2) })}
${feesSection(streams)}
${notesSection(options.live.journal, options.session)}
<h2>Notices, refusals and gaps</h2><div class="chart" id="notice-chart">${noticeChart}</div>
${
  notices.length
    ? htmlTable(
        byCode.derive({
          meaning: aq.escape((d: { code: string }) => meanings.get(d.code)?.meaning ?? ""),
          "what to do": aq.escape((d: { code: string }) => meanings.get(d.code)?.what_to_do ?? ""),
        }),
        { first: (v) => nyTime(Number(v)), last: (v) => nyTime(Number(v)) },
      )
    : ""
}
<h2>Refused orders</h2>${refusals.length ? htmlTable(aq.from(refusals)) : "<p>None.</p>"}
<h2>Open at the end</h2>${openRows.length ? htmlTable(aq.from(openRows)) : "<p>Flat, no working orders.</p>"}
<script type="application/json" id="report-data">${dataBlock}</script>
</body></html>
`;
}

/**
 * The spans of live's degraded cycles (journaled `inputs.degraded`), for shading: from the cycle's
 * start to the next cycle's (the time the bot acted on what that cycle knew).
 */
function degradedCycles(events: readonly StoredEvent[]): { start: number; end: number; reasons: string }[] {
  const spans: { start: number; end: number; reasons: string }[] = [];
  let started: number | null = null;
  let open: { start: number; reasons: string } | null = null;
  let lastTs = 0;
  for (const e of events) {
    lastTs = e.ts;
    if (e.type === "CycleStarted") {
      if (open) spans.push({ start: wall(open.start), end: wall(e.ts), reasons: open.reasons });
      open = null;
      started = e.ts;
    } else if (e.type === "CycleCompleted") {
      if (started !== null && e.payload.inputs?.degraded)
        open = { start: started, reasons: e.payload.inputs.reasons.join("; ") };
      started = null;
    }
  }
  if (open) spans.push({ start: wall(open.start), end: wall(lastTs), reasons: open.reasons });
  return spans;
}
