/**
 * Money inside folds is integer micro-dollars (1 USD = 1,000,000 µ$), so sums never drift:
 * `0.1 + 0.2` cannot show up in a session summary. Prices are converted once, on the way in,
 * and dollars come back out only for display, rounded to cents.
 */

/** Micro-dollars: an integer count of 1e-6 USD. */
export type Micros = number;

/** 1.23 USD → 1_230_000 µ$ (prices arrive with at most a few decimals). */
export function toMicros(usd: number): Micros {
  return Math.round(usd * 1_000_000);
}

/** µ$ → USD rounded to the cent, for display and the SQL tables. */
export function toUsd(micros: Micros): number {
  return Math.round(micros / 10_000) / 100;
}

/** Integer division rounded half away from zero, so a cost split never drifts by more than 1 µ$. */
export function divRound(numerator: number, denominator: number): number {
  const q = numerator / denominator;
  return q < 0 ? -Math.round(-q) : Math.round(q);
}
