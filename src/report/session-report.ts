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
import * as vega from "vega";
import * as vl from "vega-lite";
import { type Journal, newYorkParts, type StoredEvent } from "../events/index.js";
import {
  foldSession,
  marksFor,
  type RoundTrip,
  type SessionFigures,
  type SessionFold,
  type SessionSummary,
  sessionFigures,
  toUsd,
} from "../projections/index.js";

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

/** A round trip as the report's table and data block show it (dollars, New York and UTC times). */
export function tradeRow(t: RoundTrip) {
  const usd = (m: number | null) => (m === null ? null : toUsd(m));
  const price = (m: number | null) => (m === null ? null : m / 1_000_000);
  return {
    contract: t.contractKey,
    side: t.side,
    quantity: t.quantity,
    entryNy: nyStamp(t.entryTs),
    exitNy: nyStamp(t.closedTs),
    entryUtc: new Date(t.entryTs).toISOString(),
    exitUtc: new Date(t.closedTs).toISOString(),
    entryPremium: price(t.entryPriceMicros),
    exitPremium: price(t.exitPriceMicros),
    exitReason: t.exitReason,
    holdingMin: Math.round(t.holdingMs / 6_000) / 10,
    feesUsd: usd(t.feesMicros),
    pnlUsd: usd(t.pnlMicros),
    r: t.rMultiple,
    maeUsd: usd(t.maeMicros),
    mfeUsd: usd(t.mfeMicros),
    entrySlippage: price(t.entrySlippageMicros),
    exitSlippage: price(t.exitSlippageMicros),
  };
}

const nyStamp = (ms: number) => {
  const p = newYorkParts(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${p.date} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
};

const esc = (s: unknown) =>
  String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const nyTime = (ms: number) => {
  const p = newYorkParts(ms);
  return `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
};

/** Charts show New York wall time: shift each instant so a UTC time scale reads as New York. */
function wall(ms: number): number {
  const p = newYorkParts(ms);
  const [y, m, d] = p.date.split("-").map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d, p.hour, p.minute, p.second);
}
const TIME = { type: "temporal", scale: { type: "utc" }, axis: { format: "%H:%M" } } as const;

async function svg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const out = await view.toSVG();
  view.finalize();
  return out;
}

/** Render the report; resolves with the HTML text. */
export async function renderSessionReport(options: ReportOptions): Promise<string> {
  const live = load(options.live, options.session);
  const replay = options.replay ? load(options.replay, options.session, live.events) : null;
  if (live.events.length === 0)
    throw new Error(`no events for stream ${options.live.stream} on ${options.session}`);
  const streams = replay ? [live, replay] : [live];

  // Underlying price: the underlying snapshots of the first symbol.
  const symbol = live.events.find((e) => e.type === "SessionOpened" && e.payload.symbols.length > 0);
  const main = symbol?.type === "SessionOpened" ? symbol.payload.symbols[0]! : "SPY";
  const prices = live.events.flatMap((e) =>
    e.type === "QuoteSnapshot" &&
    e.payload.contract.secType === "STK" &&
    e.payload.contract.symbol === main &&
    e.payload.lastUsd !== null
      ? [{ time: wall(e.ts), price: e.payload.lastUsd }]
      : [],
  );
  const priceAt = (ts: number) => {
    let last = prices[0]?.price ?? null;
    for (const p of prices) {
      if (p.time > wall(ts)) break;
      last = p.price;
    }
    return last;
  };
  const marks = streams.flatMap((s) =>
    s.events.flatMap((e) => {
      if (e.type === "DecisionMade" && e.payload.symbol === main && e.payload.action !== "hold") {
        return [{ time: wall(e.ts), price: priceAt(e.ts), kind: `${s.label} ${e.payload.action}` }];
      }
      if (e.type === "OrderFilled" && e.payload.contract.symbol === main) {
        return [
          { time: wall(e.ts), price: priceAt(e.ts), kind: `${s.label} fill ${e.payload.side.toLowerCase()}` },
        ];
      }
      return [];
    }),
  );
  const priceChart = await svg({
    width: 760,
    height: 260,
    title: `${main}: price, decisions and fills`,
    layer: [
      {
        data: { values: prices },
        mark: { type: "line", color: "#4c78a8" },
        encoding: {
          x: { field: "time", ...TIME, title: "time (New York)" },
          y: { field: "price", type: "quantitative", scale: { zero: false }, title: "USD" },
        },
      },
      {
        data: { values: marks },
        mark: { type: "point", filled: true, size: 70 },
        encoding: {
          x: { field: "time", ...TIME },
          y: { field: "price", type: "quantitative" },
          color: { field: "kind", type: "nominal", title: null },
          shape: { field: "kind", type: "nominal", title: null },
        },
      },
    ],
  } as vl.TopLevelSpec);

  // Equity and drawdown, per stream.
  const equity = streams.flatMap((s) => {
    let peak = 0;
    return s.summary.equityCurve.map((p) => {
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
  const equityChart = await svg({
    vconcat: [
      {
        width: 760,
        height: 180,
        title: "Session equity (realized + open marked at the last quote, net of fees; stepped)",
        data: { values: equity },
        mark: { type: "line", interpolate: "step-after", point: { size: 12 }, tooltip: true },
        encoding: {
          x: { field: "time", ...TIME, title: null },
          y: { field: "equity", type: "quantitative", title: "USD" },
          color: { field: "run", type: "nominal", title: null },
        },
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
  const noticeChart = notices.length
    ? await svg({
        width: 760,
        height: 120,
        title: "Gateway notices",
        data: { values: notices },
        mark: { type: "tick", thickness: 2 },
        encoding: {
          x: { field: "time", ...TIME, title: "time (New York)" },
          y: { field: "code", type: "nominal", title: "code" },
          color: {
            field: "severity",
            type: "nominal",
            scale: { domain: ["info", "warning", "error"], range: ["#54a24b", "#f58518", "#e45756"] },
          },
        },
      } as vl.TopLevelSpec)
    : "<p>No gateway notices.</p>";

  // Tables with arquero.
  const trades = aq
    .from(
      streams.flatMap((s) =>
        s.summary.trades.map((t) => {
          const r = tradeRow(t);
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
            closed: t.closedTs,
          };
        }),
      ),
    )
    .orderby("closed")
    .select(aq.not("closed"));
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
      ["net P&L", money(f.netPnlUsd)],
      ["of which open at the end", money(f.openPnlUsd)],
      ["max drawdown", money(f.maxDrawdownUsd)],
      ["max exposure", money(f.maxExposureUsd)],
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
    return `<table><tr>${names.map((n) => `<th>${esc(n)}</th>`).join("")}</tr>${rows.map((r) => `<tr>${names.map((n) => `<td>${esc(format[n] ? format[n]!(r[n]) : r[n])}</td>`).join("")}</tr>`).join("")}</table>`;
  };

  const data = {
    session: options.session,
    runs: streams.map((s) => ({
      label: s.label,
      stream: s.stream,
      strategy: s.strategy,
      figures: s.figures,
      trades: s.summary.trades.map(tradeRow),
    })),
  };
  // In a script element only `</script` (and `<!--`) could end it early: escape every `<`.
  const dataBlock = JSON.stringify(data).replace(/</g, "\\u003c");

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Session ${esc(options.session)}${replay ? ` — live vs ${esc(replay.stream)}` : ""}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:900px;color:#222}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.cols{display:flex;gap:24px;flex-wrap:wrap}table{border-collapse:collapse;margin:8px 0}
th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;font-variant-numeric:tabular-nums}
caption{font-weight:600;text-align:left;padding:4px 0}.summary th{color:#555;font-weight:500}
.chart svg{max-width:100%;height:auto}.muted{color:#777}
</style></head><body>
<h1>Session ${esc(options.session)}</h1>
<p class="muted">${replay ? `Live stream <b>${esc(live.stream)}</b> beside replay run <b>${esc(replay.stream)}</b>.` : `Stream <b>${esc(live.stream)}</b>.`} Times are New York. Generated from the journal; nothing here is fetched when you open it.</p>
${streams.map((s) => (s.strategy ? `<p class="muted">${esc(s.label)}: ${esc(s.strategy.name)} ${esc(s.strategy.version)} — ${esc(Object.entries(s.strategy.params).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(", "))}</p>` : "")).join("")}
<h2>Summary</h2><div class="cols">${streams.map(summaryTable).join("")}</div>
<h2>Price, decisions and fills</h2><div class="chart" id="price-chart">${priceChart}</div>
<h2>Equity and drawdown</h2><div class="chart" id="equity-chart">${equityChart}</div>
<h2>Trades</h2>${htmlTable(trades, { pnl: (v) => Number(v).toFixed(2) })}
<h2>Gateway notices</h2><div class="chart" id="notice-chart">${noticeChart}</div>
${notices.length ? htmlTable(byCode, { first: (v) => nyTime(Number(v)), last: (v) => nyTime(Number(v)) }) : ""}
<script type="application/json" id="report-data">${dataBlock}</script>
</body></html>
`;
}
