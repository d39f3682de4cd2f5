/**
 * The day on one screen, at most 80 columns: `journal day`'s text. Every line is cut to fit, so a
 * long contract key or run name never wraps on a narrow terminal.
 */
import type { DayView, TradeLine } from "./day-view.js";
import { newYorkTime, renderColumns } from "./format.js";
import { shortRunId } from "./replay-summary.js";

const WIDTH = 80;
/** "Data farm connection is OK" notices: every connect sends them, they cost nothing. */
const FARM_OK = new Set([2104, 2106, 2107, 2108, 2158]);
const usd = (v: number) => v.toFixed(2);
const signed = (v: number) => (v > 0 ? `+${v.toFixed(2)}` : v.toFixed(2));
const pct = (fraction: number) => `${Math.round(fraction * 100)} %`;
const hm = (ms: number) => newYorkTime(ms).slice(11, 16);
const fit = (line: string) =>
  [...line].length > WIDTH ? `${[...line].slice(0, WIDTH - 1).join("")}…` : line;

function tradeLine(label: string, t: TradeLine | null): string {
  if (t === null) return `${label} —`;
  return `${label} ${t.contract}  ${hm(t.entryTs)}–${hm(t.exitTs)}  ${t.exitReason}  ${signed(t.pnlUsd)}`;
}

/** Two tables of trade groups side by side (by symbol | by exit reason), each ≤ 39 columns. */
function groups(view: DayView): string[] {
  const table = (title: string, groups: DayView["bySymbol"]) =>
    renderColumns(
      [title, "trades", "won", "net USD"],
      Object.entries(groups).map(([k, g]) => [k, g.trades, g.wins, usd(g.pnlUsd)]),
      { rightFrom: 1, maxWidth: 38 },
    ).split("\n");
  const left = table("symbol", view.bySymbol);
  const right = table("exit", view.byExitReason);
  const width = Math.max(...left.map((l) => [...l].length));
  return Array.from({ length: Math.max(left.length, right.length) }, (_, i) =>
    `${(left[i] ?? "").padEnd(width)}    ${right[i] ?? ""}`.trimEnd(),
  );
}

function stopsLines(view: DayView): string[] {
  const s = view.stops;
  const planned = s.plannedPct === null ? "no planned stop" : `planned -${pct(s.plannedPct)}`;
  if (s.count === 0) return [`stops: none hit (${planned})`];
  const lo = s.realizedPct[0]!;
  const hi = s.realizedPct.at(-1)!;
  const median = s.realizedPct[Math.floor(s.realizedPct.length / 2)]!;
  return [
    `stops: ${s.count} hit, ${planned}; realized ${pct(hi)} to ${pct(lo)} (median ${pct(median)})`,
    ...(s.overshootUsd === null
      ? []
      : [`       they lost ${usd(-s.overshootUsd)} USD more than their planned stops`]),
  ];
}

function noticesLines(view: DayView): string[] {
  const statuses = Object.entries(view.cyclesByStatus)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  const lines = [`cycles: ${view.cycles}${statuses ? ` (${statuses})` : ""}`];
  view.notices
    .filter((n) => !FARM_OK.has(n.code))
    .forEach((n, i) => {
      lines.push(
        `${i === 0 ? "notices:" : "        "} ${n.code} ×${n.count}${n.meaning ? ` ${n.meaning}` : ""}`,
      );
    });
  if (view.unwatched.length === 0) {
    lines.push("unwatched: every held position was quoted each cycle");
    return lines;
  }
  const minutes = Math.round(view.unwatched.reduce((a, u) => a + u.minutes, 0) * 10) / 10;
  const longest = [...view.unwatched].sort((a, b) => b.minutes - a.minutes);
  lines.push(
    `unwatched: held positions went unquoted ${minutes} min beyond a cycle, in ${longest.length} gap(s)`,
  );
  for (const u of longest.slice(0, 3))
    lines.push(`           ${u.contract} ${hm(u.fromTs)}–${hm(u.toTs)}: ${u.minutes} min unwatched`);
  if (longest.length > 3) lines.push(`           and ${longest.length - 3} more (--json lists them)`);
  return lines;
}

function runsLines(view: DayView): string[] {
  if (view.stream !== "live") return [];
  if (view.runs.length === 0)
    return ["replay runs: none of this day (journal replay --in-place, or --runs FILE)"];
  const rows = view.runs.map((r) => [
    shortRunId(r.stream),
    r.name,
    r.trades ?? "",
    r.netPnlUsd === null ? "" : usd(r.netPnlUsd),
  ]);
  return [
    "replay runs:",
    ...renderColumns(["run", "changed", "trades", "net USD"], rows, { maxWidth: WIDTH, rightFrom: 2 }).split(
      "\n",
    ),
  ];
}

/** The whole day, lines of at most 80 columns. */
export function renderDay(view: DayView): string {
  const g = view.greekPnlUsd;
  const head = `${view.session} · ${view.stream}${view.strategy ? ` · ${view.strategy}` : ""}`;
  const fees =
    view.fees.modelledUsd === null
      ? `fees: ${usd(view.fees.actualUsd)} USD charged (the broker's commission reports)`
      : `fees: ${usd(view.fees.actualUsd)} USD charged, ${usd(view.fees.modelledUsd)} modelled`;
  const lines = [
    head,
    `net ${usd(view.netPnlUsd)} USD = gross ${usd(view.grossPnlUsd)} - fees ${usd(view.fees.actualUsd)}` +
      `${view.openPnlUsd === 0 ? "" : ` (open ${usd(view.openPnlUsd)})`} · max drawdown ${usd(view.maxDrawdownUsd)}`,
    `trades ${view.trades}, won ${view.wins}${view.winRate === null ? "" : ` (${pct(view.winRate)})`}`,
    fees,
    `closed trades by greek, before fees: delta ${usd(g.delta)}, gamma ${usd(g.gamma)},`,
    `  theta ${usd(g.theta)}, vega ${usd(g.vega)}, residual ${usd(g.residual)} (spread, slippage, the rest)`,
    "",
    ...(view.trades === 0 ? ["no trades"] : groups(view)),
    "",
    ...stopsLines(view),
    ...noticesLines(view),
    tradeLine("best: ", view.best),
    tradeLine("worst:", view.worst),
    ...(view.stream === "live" ? [""] : []),
    ...runsLines(view),
  ];
  return `${lines.map(fit).join("\n")}\n`;
}
