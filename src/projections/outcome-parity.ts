/**
 * Outcome parity: live and a replay of the same session, figure by figure, with each difference
 * explained by its cause (a rule that refused orders on one side only, orders that never filled,
 * other fill prices, positions still open at the end, decisions that changed).
 */
import type { SessionFigures } from "./session.js";

/** The figures compared, in the order they are shown. */
export const PARITY_FIGURES = ["decisions", "orders", "refusals", "fills", "trades", "netPnlUsd"] as const;
export type ParityFigure = (typeof PARITY_FIGURES)[number];

export interface OutcomeParityRow {
  figure: ParityFigure;
  live: number;
  replay: number;
  /** replay − live. */
  difference: number;
}

export interface OutcomeParity {
  rows: OutcomeParityRow[];
  /** True when every figure is equal. */
  equal: boolean;
  /** One sentence per cause of a difference; empty when equal. */
  causes: string[];
}

/** What decision parity found (null for a what-if, where decisions are expected to differ). */
export interface DecisionParityCounts {
  equal: number;
  differ: number;
  missing: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const usd = (x: number) => `${x.toFixed(2)} USD`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Hold live's figures against the replay's and say why they differ. */
export function outcomeParity(
  live: SessionFigures,
  replay: SessionFigures,
  decisions: DecisionParityCounts | null,
): OutcomeParity {
  const rows = PARITY_FIGURES.map((figure) => ({
    figure,
    live: live[figure],
    replay: replay[figure],
    difference: round2(replay[figure] - live[figure]),
  }));
  const causes: string[] = [];
  if (decisions === null) {
    const changed = rows.some((r) => r.difference !== 0);
    if (changed) causes.push("a what-if: another strategy, version or parameters decided on the same market");
  } else if (decisions.differ + decisions.missing > 0) {
    causes.push(
      `${plural(decisions.differ + decisions.missing, "decision")} differ from live's byte for byte (${decisions.differ} on both sides, ${decisions.missing} on one side only)`,
    );
  }
  for (const rule of [
    ...new Set([...Object.keys(live.refusalsByRule), ...Object.keys(replay.refusalsByRule)]),
  ].sort()) {
    const a = live.refusalsByRule[rule] ?? 0;
    const b = replay.refusalsByRule[rule] ?? 0;
    if (a !== b)
      causes.push(
        `refused by rule ${rule}: live ${a}, replay ${b}${b === 0 ? " (the replay never met the rule's condition)" : a === 0 ? " (live never met the rule's condition)" : ""}`,
      );
  }
  if (live.unfilled !== replay.unfilled)
    causes.push(
      `not filled: live ${live.unfilled}, replay ${replay.unfilled} (no fill before the session ended, cancelled or rejected)`,
    );
  const entrySlip = [live.avgEntrySlippageUsd, replay.avgEntrySlippageUsd];
  const exitSlip = [live.avgExitSlippageUsd, replay.avgExitSlippageUsd];
  if (
    (entrySlip[0] !== entrySlip[1] || exitSlip[0] !== exitSlip[1]) &&
    entrySlip.concat(exitSlip).some((x) => x !== null)
  ) {
    const f = (x: number | null | undefined) => (x == null ? "—" : x.toFixed(3));
    causes.push(
      `different fill prices: mean slippage against the decision's quote per unit, entry live ${f(entrySlip[0])} / replay ${f(entrySlip[1])}, exit live ${f(exitSlip[0])} / replay ${f(exitSlip[1])}`,
    );
  }
  if (live.feesUsd !== replay.feesUsd)
    causes.push(`fees: live ${usd(live.feesUsd)}, replay ${usd(replay.feesUsd)}`);
  if (live.openPositions !== replay.openPositions || live.openPnlUsd !== replay.openPnlUsd)
    causes.push(
      `open at the end: live ${plural(live.openPositions, "position")} (${usd(live.openPnlUsd)}), replay ${plural(replay.openPositions, "position")} (${usd(replay.openPnlUsd)}), marked at the last quote`,
    );
  const equal = rows.every((r) => r.difference === 0);
  if (!equal && causes.length === 0)
    causes.push("the same orders filled at the same prices in another order: see the trades");
  return { rows, equal, causes: equal ? [] : causes };
}
