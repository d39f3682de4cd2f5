/**
 * Small pieces the report's sections share: escaping, New York times, the time axis, Vega-Lite to
 * SVG, and a round trip as a row.
 */
import type * as Vega from "vega";
import type * as vl from "vega-lite";
import { newYorkParts } from "../events/index.js";
import {
  type ModelledFill,
  modelErrorMicros,
  type RoundTrip,
  toUsd,
  tripFills,
} from "../projections/index.js";
import { importEsm } from "../vendor/index.js";

/** A round trip as the report's table and data block show it (dollars, New York and UTC times). */
export function tradeRow(t: RoundTrip, modelled: readonly ModelledFill[] = []) {
  const model = tripFills(t, modelled);
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
    /** Σ (real − fill model) × units over the trip's real fills, USD; null without any. */
    modelErrorUsd: model.length === 0 ? null : toUsd(modelErrorMicros(model)),
  };
}

export const nyStamp = (ms: number) => {
  const p = newYorkParts(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${p.date} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
};

export const esc = (s: unknown) =>
  String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
export const nyTime = (ms: number) => {
  const p = newYorkParts(ms);
  return `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
};

/** Charts show New York wall time: shift each instant so a UTC time scale reads as New York. */
export function wall(ms: number): number {
  const p = newYorkParts(ms);
  const [y, m, d] = p.date.split("-").map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d, p.hour, p.minute, p.second);
}
/**
 * vega and vega-lite, imported on the first chart: vega has top-level await, which `require`
 * cannot load (the built CLI is CommonJS), and a report without charts needs neither.
 */
let charts: Promise<[typeof Vega, typeof vl]> | undefined;
const chartKit = () =>
  (charts ??= Promise.all([importEsm<typeof Vega>("vega"), importEsm<typeof vl>("vega-lite")]));

export const TIME = { type: "temporal", scale: { type: "utc" }, axis: { format: "%H:%M" } } as const;

/** Compile a Vega-Lite spec and render it to an SVG string, headless. */
export async function svg(spec: vl.TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await chartKit();
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const out = await view.toSVG();
  view.finalize();
  // Hover titles: each mark's description (Vega-Lite writes it as aria-label) as an SVG <title>,
  // which browsers show on hover without a script.
  return out.replace(
    /<(path|line)([^>]*?) aria-label="([^"]*)"([^>]*?)\/>/g,
    (_m, tag: string, before: string, label: string, after: string) =>
      `<${tag}${before} aria-label="${label}"${after}><title>${label}</title></${tag}>`,
  );
}
