/**
 * What `journal replay` prints: a table that fits 80 columns (or every column with `--wide`), and
 * the `--json` object with one row per session plus the totals.
 */
import { outcomeParity } from "../projections/index.js";
import type { ReplayedSession } from "../replay/index.js";
import { renderColumns, renderTable } from "./format.js";

const RUN_PREFIX = "replay-";

/**
 * The part of a run id that tells runs apart: `replay-` + a ULID whose first 10 characters are the
 * session's first timestamp and whose next 7 carry the run's seed (strategy, parameters, fill
 * model), so two runs of one session differ there.
 */
export function shortRunId(run: string): string {
  return run.startsWith(RUN_PREFIX) && run.length >= RUN_PREFIX.length + 17
    ? run.slice(RUN_PREFIX.length + 10, RUN_PREFIX.length + 17)
    : run;
}

function total(results: readonly ReplayedSession[], pick: (r: ReplayedSession) => number): number {
  return Math.round(results.reduce((sum, r) => sum + pick(r), 0) * 100) / 100;
}

const parityOf = (results: readonly ReplayedSession[]) =>
  results.every((r) => r.parity !== null)
    ? {
        equal: total(results, (r) => r.parity!.equal),
        differ: total(results, (r) => r.parity!.differ),
        missing: total(results, (r) => r.parity!.missing),
      }
    : null;

/** The figures of some sessions: one session's row, or the totals of all. */
function figures(results: readonly ReplayedSession[]) {
  return {
    events: total(results, (r) => r.events),
    decisions: total(results, (r) => r.replay.decisions),
    parity: parityOf(results),
    trades: total(results, (r) => r.replay.trades),
    netPnl: total(results, (r) => r.replay.netPnlUsd),
    maxDrawdown: Math.max(0, ...results.map((r) => r.replay.maxDrawdownUsd)),
    fees: total(results, (r) => r.replay.feesUsd),
    unfilled: total(results, (r) => r.unfilled),
    modelled: {
      quotes: total(results, (r) => r.modelled?.quotes ?? 0),
      fills: total(results, (r) => r.modelled?.fills ?? 0),
      closedAtEnd: total(results, (r) => r.modelled?.closedAtEnd ?? 0),
    },
    outcomes: [...new Set(results.map((r) => r.outcomes))].join(","),
    live: {
      decisions: total(results, (r) => r.live.decisions),
      trades: total(results, (r) => r.live.trades),
      netPnl: total(results, (r) => r.live.netPnlUsd),
      maxDrawdown: Math.max(0, ...results.map((r) => r.live.maxDrawdownUsd)),
    },
  };
}

/**
 * A simulated run's baseline (live's strategy and parameters through the same fill model), the
 * change's effect (what-if − baseline) and the fill model's error (baseline − live), over some
 * sessions; null unless every one of them has a baseline.
 */
function baselineOf(results: readonly ReplayedSession[]) {
  if (results.length === 0 || !results.every((r) => r.baseline)) return null;
  const netPnl = total(results, (r) => r.baseline!.summary.netPnlUsd);
  const replay = total(results, (r) => r.replay.netPnlUsd);
  const live = total(results, (r) => r.live.netPnlUsd);
  const traded = total(results, (r) => r.live.tradedPnlUsd);
  const fills = total(results, (r) => r.modelError?.fills ?? 0);
  const modelTotal = total(results, (r) => r.modelError?.totalUsd ?? 0);
  return {
    ...(results.length === 1 ? { run: results[0]!.baseline!.run } : {}),
    trades: total(results, (r) => r.baseline!.summary.trades),
    netPnl,
    maxDrawdown: Math.max(0, ...results.map((r) => r.baseline!.summary.maxDrawdownUsd)),
    effect: Math.round((replay - netPnl) * 100) / 100,
    fillModelError: Math.round((netPnl - live) * 100) / 100,
    /** The fill model's error as a share of the day's Σ|live trade P&L|. */
    fillModelErrorShare: traded === 0 ? null : Math.round((Math.abs(netPnl - live) / traded) * 1000) / 1000,
    liveFills: {
      fills,
      totalUsd: modelTotal,
      perFillUsd: fills === 0 ? null : Math.round((modelTotal / fills) * 100) / 100,
    },
  };
}

/**
 * The machine-readable summary: the totals at the top level (with `session` and `run` when one
 * session was replayed), `sessions` with one row per session, and every changed decision.
 */
export function jsonSummary(results: readonly ReplayedSession[], out: string) {
  return {
    ...(results.length === 1 ? { session: results[0]!.session, run: results[0]!.run } : {}),
    out,
    ...figures(results),
    baseline: baselineOf(results),
    sessions: results.map((r) => ({
      session: r.session,
      run: r.run,
      ...figures([r]),
      baseline: baselineOf([r]),
      modelError: r.modelError ?? null,
      // Every figure of both sides, as the report's data block and the SQL tables hold them.
      figures: { live: r.live, replay: r.replay },
      outcomeParity: outcomeParity(r.live, r.replay, r.parity),
    })),
    changed: results.flatMap((r) =>
      r.changed.map((d) => ({
        session: r.session,
        run: r.run,
        cycle: d.cycle,
        symbol: d.symbol,
        kind: d.kind,
        live: d.live ? { action: d.live.action, reason: d.live.reason } : null,
        replay: d.replay ? { action: d.replay.action, reason: d.replay.reason } : null,
      })),
    ),
  };
}

const usd = (n: number) => n.toFixed(2);
const signed = (n: number) => `${n >= 0 ? "+" : ""}${n.toFixed(2)}`;

/** A simulated run beside live and its baseline: three rows, then what each difference means. */
function baselineLines(r: ReplayedSession): string[] {
  if (r.outcomes !== "simulated") return [];
  const error = r.modelError;
  const errorLine = error
    ? `fill model ${error.model} on live's ${error.fills} fill(s): ${error.perFillUsd === null ? "—" : `${signed(error.perFillUsd)} USD per fill`} (mean |error| ${error.meanAbsUsd === null ? "—" : usd(error.meanAbsUsd)}), ${signed(error.totalUsd)} in all`
    : null;
  const b = baselineOf([r]);
  if (!b)
    return [
      `
${r.session}: no baseline (live's strategy is not named by a SessionOpened, or not in this checkout): the what-if stands alone`,
      ...(errorLine ? [errorLine] : []),
    ];
  const isBaseline = r.baseline!.run === r.run;
  const rows = [
    ["live (recorded)", r.live.trades, usd(r.live.netPnlUsd), usd(r.live.maxDrawdownUsd)],
    ["baseline (live's strategy, fill model)", b.trades, usd(b.netPnl), usd(b.maxDrawdown)],
    ...(isBaseline
      ? []
      : [["what-if", r.replay.trades, usd(r.replay.netPnlUsd), usd(r.replay.maxDrawdownUsd)]]),
  ];
  return [
    `
${r.session}:`,
    renderColumns(["", "trades", "net P&L", "max DD"], rows, { rightFrom: 1 }),
    ...(isBaseline ? [] : [`effect of the change (what-if − baseline): ${signed(b.effect)} USD`]),
    r.windowed
      ? "fill model's error: not shown for --from/--to (the runs decided in the window, live's figures are the whole day's); see the line below"
      : `fill model's error (baseline − live): ${signed(b.fillModelError)} USD${b.fillModelErrorShare === null ? "" : ` (${(b.fillModelErrorShare * 100).toFixed(1)} % of traded |P&L|)`}`,
    ...(errorLine ? [errorLine] : []),
  ];
}

/**
 * One count per meaning: parity counts the decisions not equal to live's byte for byte (a reason's
 * text or a signal is enough); the list shows those that acted differently (another action or
 * orders, or on one side only), a subset. Saying "differ" of both printed 34 and 146 side by side.
 */
function changedHeading(r: ReplayedSession): string {
  if (!r.parity)
    return `${r.changed.length} decision(s) acted differently from live\n  (another action or orders)`;
  const differ = r.parity.differ + r.parity.missing;
  return `${differ} decision(s) differ from live byte for byte;\n  ${r.changed.length} of them acted differently (another action or orders)`;
}

/** Words wrapped to `width` columns, continuation lines indented. */
function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** Live against the replay, figure by figure, and why they differ (nothing when they agree). */
function outcomeLines(r: ReplayedSession): string[] {
  const p = outcomeParity(r.live, r.replay, r.parity);
  if (p.equal) return [`\n${r.session}: outcomes equal live's (orders, refusals, fills, trades, net P&L)`];
  const cell = (figure: string, n: number) => (figure === "netPnlUsd" ? usd(n) : String(n));
  return [
    `\n${r.session}: outcomes, live against replay`,
    renderColumns(
      ["", "live", "replay", "difference"],
      p.rows.map((row) => [
        row.figure === "netPnlUsd" ? "net P&L" : row.figure,
        cell(row.figure, row.live),
        cell(row.figure, row.replay),
        row.difference === 0 ? "" : cell(row.figure, row.difference),
      ]),
      { rightFrom: 1 },
    ),
    "why:",
    ...p.causes.flatMap((c) => wrap(`- ${c}`, 78, "  ")),
  ];
}
const parityText = (p: { equal: number; differ: number; missing: number } | null) =>
  p ? `${p.equal}/${p.differ}/${p.missing}` : "what-if";

/** The summary for people: the table, the changed decisions, and where the runs went. */
export function humanSummary(results: readonly ReplayedSession[], out: string, wide: boolean): string {
  const lines: string[] = [];
  const totals = figures(results);
  const several = results.length > 1;
  if (wide) {
    lines.push(
      renderTable(
        [
          "session",
          "run",
          "events",
          "decisions",
          "parity (= / ≠ / missing)",
          "trades",
          "net P&L",
          "max DD",
          "fees",
          "live trades",
          "live P&L",
        ],
        results.map((r) => [
          r.session,
          r.run,
          r.events,
          r.replay.decisions,
          parityText(r.parity),
          r.replay.trades,
          usd(r.replay.netPnlUsd),
          usd(r.replay.maxDrawdownUsd),
          usd(r.replay.feesUsd),
          r.live.trades,
          usd(r.live.netPnlUsd),
        ]),
      ),
    );
  } else {
    const row = (session: string, run: string, f: ReturnType<typeof figures>) => [
      session,
      run,
      f.decisions,
      parityText(f.parity),
      f.trades,
      usd(f.netPnl),
      usd(f.maxDrawdown),
      usd(f.live.netPnl),
    ];
    lines.push(
      renderColumns(
        ["session", "run", "decisions", "=/≠/miss", "trades", "net P&L", "max DD", "live P&L"],
        [
          ...results.map((r) => row(r.session, shortRunId(r.run), figures([r]))),
          ...(several ? [row("total", "", totals)] : []),
        ],
        { rightFrom: 2, ruleBeforeLast: several },
      ),
    );
  }
  for (const r of results) {
    const shown = r.changed.slice(0, 10);
    if (shown.length === 0) continue;
    lines.push(
      `\n${r.session}: ${changedHeading(r)}${r.changed.length > shown.length ? `, the first ${shown.length}` : ""}:`,
    );
    lines.push(
      renderColumns(
        ["cycle", "symbol", "live", "replay"],
        shown.map((d) => [
          d.cycle,
          d.symbol,
          d.live ? `${d.live.action}: ${d.live.reason}` : "(none)",
          d.replay ? `${d.replay.action}: ${d.replay.reason}` : "(none)",
        ]),
        { maxWidth: 80 },
      ),
    );
  }
  for (const r of results) lines.push(...outcomeLines(r), ...baselineLines(r));
  const unfilled = results.reduce((n, r) => n + r.unfilled, 0);
  if (unfilled > 0)
    lines.push(`\n${unfilled} order(s) not filled: no later quote of the contract that session`);
  const modelled = figures(results).modelled;
  if (modelled.quotes > 0)
    lines.push(
      `\n${modelled.quotes} quote(s) modelled (the cycle's IV smile, Black–Scholes) for contracts live did not quote; ${modelled.fills} fill(s) at them`,
    );
  if (modelled.closedAtEnd > 0)
    lines.push(
      `${modelled.closedAtEnd} position(s) still open at the session's end closed at their last mark (session-end)`,
    );
  const modes = [...new Set(results.map((r) => r.outcomes))].map((m) =>
    m === "recorded"
      ? "recorded (live's fills and refusals: parity)"
      : "simulated (fill model + risk rules: what-if)",
  );
  lines.push(`\norder outcomes: ${modes.join("; ")}`);
  lines.push(
    results.length === 1
      ? `\nrun ${results[0]!.run} written to ${out}`
      : `\n${results.length} runs written to ${out}\nfull run ids: --wide, or npx journal sessions --journal ${out}`,
  );
  return `${lines.join("\n")}\n`;
}
