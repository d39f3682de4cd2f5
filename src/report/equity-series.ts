/**
 * A run's session equity at every change, for the report's equity chart.
 *
 * The book's own `equityCurve` samples at fills, cycles and new lows; a replay runs no gateway
 * cycles, so a replay equal to live would draw fewer steps and a different curve. Refolding the
 * run's events (its marks merged) and keeping every change draws the same curve for the same
 * outcomes, whichever stream holds them.
 */
import { evolveBook, initialBook, type SessionFold } from "../projections/index.js";

/** One step of the curve: the equity (net P&L of the session, µ$) from `ts` on. */
export interface EquityStep {
  ts: number;
  equityMicros: number;
}

/** Every change of the session's equity, in fold order, starting with 0 at the first event. */
export function equitySteps(fold: SessionFold): EquityStep[] {
  const key = `${fold.stream}|${fold.session}`;
  const first = fold.events[0];
  const steps: EquityStep[] = first ? [{ ts: first.ts, equityMicros: 0 }] : [];
  let book = initialBook;
  let last = 0;
  for (const event of fold.events) {
    book = evolveBook(book, event);
    const equity = book.summaries.get(key)?.netPnlMicros;
    if (equity === undefined || equity === last) continue;
    steps.push({ ts: event.ts, equityMicros: equity });
    last = equity;
  }
  return steps;
}
