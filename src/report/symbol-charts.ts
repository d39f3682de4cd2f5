/**
 * The report's section per symbol: the underlying with the strategy's price-like signals and its
 * entry/exit decisions, and the premium of every option any run traded, with each run's round
 * trips drawn from entry to exit at the fill prices.
 */
import type * as vl from "vega-lite";
import { contractKey, type StoredEvent } from "../events/index.js";
import { markOf, type SessionSummary } from "../projections/index.js";
import { esc, nyTime, svg, TIME, wall } from "./render-kit.js";

interface Run {
  label: string;
  events: readonly StoredEvent[];
  summary: SessionSummary;
}

/** The symbols the session traded or watched, in the order it named them. */
export function symbolsOf(events: readonly StoredEvent[]): string[] {
  const opened = events.find((e) => e.type === "SessionOpened");
  const named = opened?.type === "SessionOpened" ? opened.payload.symbols : [];
  const seen = new Set(named);
  for (const e of events) {
    if (e.type === "DecisionMade") seen.add(e.payload.symbol);
    if (e.type === "OrderFilled") seen.add(e.payload.contract.symbol);
  }
  return [...seen];
}

/** The price's colour first, then signals' (Tableau 10 without the price's blue). */
const SERIES_COLOURS = [
  "#4c78a8",
  "#f58518",
  "#54a24b",
  "#e45756",
  "#72b7b2",
  "#b279a2",
  "#ff9da6",
  "#9d755d",
];

/**
 * Each contract's quotes cut into stretches: a gap longer than twice the contract's usual spacing
 * (it left the near-the-money strikes, or cycles were skipped) starts a new stretch, so a line
 * never joins two quotes across the hours between them.
 */
export function quoteSegments<Q extends { time: number; contract: string }>(
  quotes: readonly Q[],
): (Q & { segment: string })[] {
  const byContract = new Map<string, Q[]>();
  for (const q of quotes) byContract.set(q.contract, [...(byContract.get(q.contract) ?? []), q]);
  return [...byContract].flatMap(([contract, qs]) => {
    const sorted = [...qs].sort((a, b) => a.time - b.time);
    const gaps = sorted.slice(1).map((q, i) => q.time - sorted[i]!.time);
    const usual = median(gaps);
    let stretch = 0;
    return sorted.map((q, i) => {
      if (i > 0 && usual !== null && gaps[i - 1]! > 2 * usual) stretch++;
      return { ...q, segment: `${contract}#${stretch}` };
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.floor(s.length / 2)]!;
};

/** Render every symbol's section (HTML with inline SVG). */
export async function symbolSections(
  symbols: readonly string[],
  live: readonly StoredEvent[],
  runs: readonly Run[],
): Promise<string> {
  const out: string[] = [];
  for (const symbol of symbols) out.push(await symbolSection(symbol, live, runs));
  return out.join("\n");
}

async function symbolSection(
  symbol: string,
  live: readonly StoredEvent[],
  runs: readonly Run[],
): Promise<string> {
  const prices = live
    .flatMap((e) =>
      e.type === "QuoteSnapshot" &&
      e.payload.contract.secType === "STK" &&
      e.payload.contract.symbol === symbol
        ? [{ time: wall(e.ts), price: e.payload.lastUsd ?? markOf(e.payload.bidUsd, e.payload.askUsd, null) }]
        : [],
    )
    .filter((p): p is { time: number; price: number } => p.price !== null);
  const level = median(prices.map((p) => p.price));
  // The strategy's signals that live on the price's scale (VWAP, moving averages, …), from live's decisions.
  const signals = live.flatMap((e) =>
    e.type === "DecisionMade" && e.payload.symbol === symbol
      ? Object.entries(e.payload.signals).flatMap(([name, value]) =>
          typeof value === "number" &&
          level !== null &&
          Math.abs(value - level) < level * 0.1 &&
          !/quoted/i.test(name)
            ? [{ time: wall(e.ts), value, signal: name }]
            : [],
        )
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
  const decisions = runs.flatMap((r) =>
    r.events.flatMap((e) =>
      e.type === "DecisionMade" && e.payload.symbol === symbol && e.payload.action !== "hold"
        ? [
            {
              time: wall(e.ts),
              price: priceAt(e.ts),
              kind: `${r.label} ${e.payload.action}`,
              reason: e.payload.reason,
            },
          ]
        : [],
    ),
  );
  // The price and the signals share one colour scale with the price first, so the legend names the
  // price line too and no signal borrows its colour.
  const series = ["price", ...new Set(signals.map((s) => s.signal))];
  const colour = {
    field: "series",
    type: "nominal",
    title: null,
    scale: { domain: series, range: SERIES_COLOURS },
  };
  const underlying = await svg({
    width: 760,
    height: 240,
    title: `${symbol}: underlying, signals and decisions`,
    layer: [
      {
        data: { values: prices.map((p) => ({ ...p, series: "price" })) },
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          x: { field: "time", ...TIME, title: "time (New York)" },
          y: { field: "price", type: "quantitative", scale: { zero: false }, title: "USD" },
          color: colour,
        },
      },
      {
        data: { values: signals.map((s) => ({ time: s.time, value: s.value, series: s.signal })) },
        mark: { type: "line", strokeWidth: 1, strokeDash: [4, 3] },
        encoding: {
          x: { field: "time", ...TIME },
          y: { field: "value", type: "quantitative" },
          color: colour,
        },
      },
      {
        data: { values: decisions },
        mark: { type: "point", filled: true, size: 70, tooltip: true },
        encoding: {
          x: { field: "time", ...TIME },
          y: { field: "price", type: "quantitative" },
          shape: { field: "kind", type: "nominal", title: "decision" },
          color: { value: "#222" },
          tooltip: [{ field: "kind" }, { field: "reason" }],
        },
      },
    ],
  } as vl.TopLevelSpec);

  // Options of this symbol that any run filled.
  const traded = new Set(
    runs.flatMap((r) =>
      r.events.flatMap((e) =>
        e.type === "OrderFilled" &&
        e.payload.contract.symbol === symbol &&
        e.payload.contract.secType === "OPT"
          ? [contractKey(e.payload.contract)]
          : [],
      ),
    ),
  );
  let premium = "<p>No option of this symbol was traded.</p>";
  if (traded.size > 0) {
    const quotes = live.flatMap((e) => {
      if (e.type !== "QuoteSnapshot") return [];
      const key = contractKey(e.payload.contract);
      const mid = traded.has(key) ? markOf(e.payload.bidUsd, e.payload.askUsd, e.payload.lastUsd) : null;
      return mid === null ? [] : [{ time: wall(e.ts), premium: mid / 1_000_000, contract: key }];
    });
    const segmented = quoteSegments(quotes);
    const trips = runs.flatMap((r) =>
      r.summary.trades
        .filter((t) => t.symbol === symbol)
        .map((t) => ({
          run: r.label,
          contract: t.contractKey,
          entry: wall(t.entryTs),
          exit: wall(t.closedTs),
          entryPremium: t.entryPriceMicros / 1_000_000,
          exitPremium: t.exitPriceMicros / 1_000_000,
          pnl: t.pnlMicros / 1_000_000,
          reason: t.exitReason,
          // The hover text names both times (Vega-Lite would print the exit's date alone).
          hover: `${r.label} ${t.contractKey}: entry ${nyTime(t.entryTs)} at ${(t.entryPriceMicros / 1_000_000).toFixed(2)}, exit ${nyTime(t.closedTs)} at ${(t.exitPriceMicros / 1_000_000).toFixed(2)} (${t.exitReason}), P&L ${(t.pnlMicros / 1_000_000).toFixed(2)}`,
        })),
    );
    const fills = runs.flatMap((r) =>
      r.events.flatMap((e) =>
        e.type === "OrderFilled" && traded.has(contractKey(e.payload.contract))
          ? [
              {
                time: wall(e.ts),
                premium: e.payload.priceUsd,
                fill: `${r.label} ${e.payload.side === "BUY" ? "buy" : "sell"}`,
                contract: contractKey(e.payload.contract),
              },
            ]
          : [],
      ),
    );
    premium = await svg({
      width: 760,
      height: 240,
      title: `${symbol} options: premium (quote mid), fills, and each round trip from entry to exit`,
      layer: [
        {
          data: { values: segmented },
          mark: { type: "line", strokeWidth: 1, opacity: 0.7, point: { size: 6 } },
          encoding: {
            x: { field: "time", ...TIME, title: "time (New York)" },
            y: { field: "premium", type: "quantitative", scale: { zero: false }, title: "premium USD" },
            color: { field: "contract", type: "nominal", title: "contract" },
            // One line per stretch of quotes: no line is drawn across a time the contract went unquoted.
            detail: { field: "segment", type: "nominal" },
          },
        },
        {
          data: { values: trips },
          mark: { type: "rule", strokeWidth: 2, tooltip: true },
          encoding: {
            x: { field: "entry", ...TIME },
            x2: { field: "exit" },
            y: { field: "entryPremium", type: "quantitative" },
            y2: { field: "exitPremium" },
            strokeDash: { field: "run", type: "nominal", title: "round trip" },
            color: { value: "#333" },
            description: { field: "hover" },
            tooltip: { field: "hover" },
          },
        },
        {
          data: { values: fills },
          mark: { type: "point", filled: true, size: 60, tooltip: true },
          encoding: {
            x: { field: "time", ...TIME },
            y: { field: "premium", type: "quantitative" },
            shape: { field: "fill", type: "nominal", title: "fill" },
            tooltip: [{ field: "fill" }, { field: "contract" }, { field: "premium" }],
          },
        },
      ],
    } as vl.TopLevelSpec);
  }
  return `<h2 id="symbol-${esc(symbol)}">${esc(symbol)}</h2><div class="chart symbol-chart" data-symbol="${esc(symbol)}">${underlying}</div><div class="chart premium-chart">${premium}</div>`;
}
