/**
 * What `replay --sweep` prints: the baseline row on top, then the sets best first (the first 20;
 * all in `--json`), and per walk-forward fold the chosen set in and out of sample beside the
 * baseline on the same test sessions.
 */
import type { SetFigures, SweepReport } from "../replay/index.js";
import { renderColumns } from "./format.js";

const SHOWN = 20;
const cents = (x: number) => Math.round(x * 100) / 100;
const usd = (n: number) => n.toFixed(2);
const opt = (n: number | null, digits = 2) => (n === null ? "—" : n.toFixed(digits));
const paramText = (params: Record<string, unknown>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");

export function sweepJson(report: SweepReport) {
  const base = report.baseline?.figures.netPnl;
  return {
    out: report.out,
    stream: report.stream,
    strategy: report.strategy,
    sessions: report.sessions,
    rankedBy: report.rankedBy,
    live: report.live,
    baseline: report.baseline
      ? {
          params: report.baseline.params,
          ...report.baseline.figures,
          runs: report.baseline.runs,
          sessions: report.baseline.sessions.map((x) => ({
            session: x.session,
            netPnl: x.netPnlUsd,
            trades: x.trades,
          })),
        }
      : null,
    sets: report.sets.map((s) => ({
      rank: s.rank,
      index: s.index,
      params: s.params,
      ...s.figures,
      /** What-if − baseline, over the same sessions. */
      effect: base === undefined ? null : cents(s.figures.netPnl - base),
      runs: s.runs,
      sessions: s.sessions.map((x) => ({ session: x.session, netPnl: x.netPnlUsd, trades: x.trades })),
    })),
    ...(report.folds
      ? {
          folds: report.folds.map((f) => ({
            fold: f.fold,
            train: f.train,
            test: f.test,
            chosen: { index: f.chosen, params: report.sets.find((s) => s.index === f.chosen)!.params },
            inSample: f.inSample,
            outOfSample: f.outOfSample,
            baselineTest: f.baselineTest,
            gapPerSession: f.gapPerSession,
            effectOutOfSample: f.effectOutOfSample,
          })),
        }
      : {}),
  };
}

const row = (label: string, params: string, f: SetFigures) => [
  label,
  params,
  f.trades,
  usd(f.netPnl),
  opt(f.winRate),
  opt(f.profitFactor),
  opt(f.expectancy),
  usd(f.maxDrawdown),
  opt(f.sharpe),
];
const HEAD = ["rank", "params", "trades", "net P&L", "win", "PF", "expect", "max DD", "Sharpe"];

export function sweepHuman(report: SweepReport, drawn: string): string {
  const lines: string[] = [];
  lines.push(
    `sweep of ${report.strategy.name} ${report.strategy.version}: ${report.sets.length} set(s) (${drawn}) over ${report.sessions.length} session(s), ranked by ${report.rankedBy}`,
  );
  const rows = [
    row("live", "(recorded)", report.live),
    ...(report.baseline ? [row("base", "(live's parameters, fill model)", report.baseline.figures)] : []),
    ...report.sets.slice(0, SHOWN).map((s) => row(String(s.rank), paramText(s.params), s.figures)),
  ];
  lines.push(renderColumns(HEAD, rows, { rightFrom: 2, maxWidth: 100 }));
  if (report.sets.length > SHOWN) lines.push(`… ${report.sets.length - SHOWN} more: --json lists every set`);
  if (!report.baseline)
    lines.push("no baseline: live's strategy is not named by a SessionOpened, or not in this checkout");
  else
    lines.push(
      `base: live's strategy and parameters through the same fill model; a set's effect is its net P&L − ${usd(report.baseline.figures.netPnl)}`,
    );
  for (const f of report.folds ?? []) {
    const chosen = report.sets.find((s) => s.index === f.chosen)!;
    lines.push(
      `\nfold ${f.fold}: chose ${paramText(chosen.params)} on ${f.train.length} training session(s) (${f.train[0]}…${f.train[f.train.length - 1]}), tested on ${f.test.length} (${f.test[0]}…${f.test[f.test.length - 1]})`,
    );
    lines.push(
      renderColumns(
        ["", "sessions", "trades", "net P&L", "per session", "win", "PF", "Sharpe"],
        [
          [
            "in-sample (train)",
            f.train.length,
            f.inSample.trades,
            usd(f.inSample.netPnl),
            usd(f.inSample.netPnl / f.train.length),
            opt(f.inSample.winRate),
            opt(f.inSample.profitFactor),
            opt(f.inSample.sharpe),
          ],
          [
            "out-of-sample (test)",
            f.test.length,
            f.outOfSample.trades,
            usd(f.outOfSample.netPnl),
            usd(f.outOfSample.netPnl / f.test.length),
            opt(f.outOfSample.winRate),
            opt(f.outOfSample.profitFactor),
            opt(f.outOfSample.sharpe),
          ],
          ...(f.baselineTest
            ? [
                [
                  "baseline (test)",
                  f.test.length,
                  f.baselineTest.trades,
                  usd(f.baselineTest.netPnl),
                  usd(f.baselineTest.netPnl / f.test.length),
                  opt(f.baselineTest.winRate),
                  opt(f.baselineTest.profitFactor),
                  opt(f.baselineTest.sharpe),
                ],
              ]
            : []),
        ],
        { rightFrom: 1 },
      ),
    );
    lines.push(
      `gap (out-of-sample − in-sample, per session): ${usd(f.gapPerSession)} USD${f.effectOutOfSample === null ? "" : `; out-of-sample against the baseline: ${usd(f.effectOutOfSample)} USD`}`,
    );
  }
  const kept = report.sets.filter((s) => s.runs.length > 0).length;
  lines.push(
    report.out === null
      ? ""
      : `\n${report.sets.length + (report.baseline ? 1 : 0)} set summaries written to ${report.out} (stream ${report.stream}); full runs for ${kept} set(s) and the baseline`,
  );
  return `${lines.join("\n")}\n`;
}
