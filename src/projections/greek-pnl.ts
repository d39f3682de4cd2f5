/**
 * P&L by greek: a round trip's P&L before fees split into what delta, gamma, theta and vega explain
 * and a residual, from the greeks the gateway journaled with each quote (IB's model computation,
 * tick 13) and the underlying's moves between the trade's quotes.
 *
 * Over each interval between two consecutive quotes of the contract while the position was held,
 * a first-order Taylor step from the interval's first quote:
 *
 *   delta × ΔS,  ½ × gamma × ΔS²,  theta × Δt (calendar days),  vega × Δiv (in volatility points)
 *
 * each × the signed quantity held at the interval's end × the multiplier. S is the underlying price
 * of the quote's computation (`undPriceUsd`), Δt the time between the two quotes in days of 24 h,
 * Δiv the change of `impliedVol` (a fraction, 0.16 = 16 %) × 100, because IB's vega is per one
 * point of volatility. The residual is what the greeks do not explain: the spread and slippage the
 * fills paid against the quotes, the move between the last quote and the exit fill, higher-order
 * terms, and any interval whose greek was not computed. The five add up to the trip's P&L before
 * fees to the cent (each term is rounded to the cent, the residual takes the rest).
 */
import type { PayloadOf } from "../events/index.js";
import type { Micros } from "./money.js";

/** A quote's model computation: where a Taylor step starts or ends. */
export interface GreekPoint {
  readonly ts: number;
  /** Underlying price of the computation, USD. */
  readonly undUsd: number;
  /** Implied volatility as a fraction (0.16 = 16 %); null when not computed. */
  readonly iv: number | null;
  readonly delta: number | null;
  readonly gamma: number | null;
  /** Per one volatility point (0.01 of iv), USD per unit. */
  readonly vega: number | null;
  /** Per calendar day, USD per unit. */
  readonly theta: number | null;
}

/** The greek terms summed so far, µ$ (unrounded). */
export interface GreekSums {
  readonly delta: number;
  readonly gamma: number;
  readonly theta: number;
  readonly vega: number;
}

/** A round trip's P&L before fees by greek, µ$, each a whole number of cents. */
export interface GreekPnl {
  readonly deltaMicros: Micros;
  readonly gammaMicros: Micros;
  readonly thetaMicros: Micros;
  readonly vegaMicros: Micros;
  readonly residualMicros: Micros;
}

export const NO_GREEK_SUMS: GreekSums = { delta: 0, gamma: 0, theta: 0, vega: 0 };

/**
 * How long before an entry fill the contract's last quote may be to start its first interval: the
 * decision's own quote is seconds old; one older than a few cycles says nothing about the entry.
 */
export const ENTRY_QUOTE_WINDOW_MS = 15 * 60_000;

const DAY_MS = 86_400_000;
const VOL_POINTS = 100;

/** The point of a quote, or null when the gateway computed no underlying price for it (a stock's quote). */
export function greekPoint(ts: number, quote: PayloadOf<"QuoteSnapshot">): GreekPoint | null {
  const g = quote.greeks;
  if (g === null || g.undPriceUsd === null) return null;
  return {
    ts,
    undUsd: g.undPriceUsd,
    iv: g.impliedVol,
    delta: g.delta,
    gamma: g.gamma,
    vega: g.vega,
    theta: g.theta,
  };
}

/**
 * Add one interval's Taylor step from `from` to `to` for `units` (signed quantity × multiplier).
 *
 * @example
 * // long 1 call × 100, delta 0.5, S 100 → 101: delta term 0.5 × 1 × 100 = 50 USD
 * addInterval(NO_GREEK_SUMS, { ts: 0, undUsd: 100, delta: 0.5, … }, { ts: 0, undUsd: 101, … }, 100).delta // 50_000_000
 */
export function addInterval(sums: GreekSums, from: GreekPoint, to: GreekPoint, units: number): GreekSums {
  const dS = to.undUsd - from.undUsd;
  const usd = units * 1_000_000;
  return {
    delta: sums.delta + (from.delta ?? 0) * dS * usd,
    gamma: sums.gamma + 0.5 * (from.gamma ?? 0) * dS * dS * usd,
    theta: sums.theta + (from.theta ?? 0) * ((to.ts - from.ts) / DAY_MS) * usd,
    vega:
      sums.vega +
      (from.vega === null || from.iv === null || to.iv === null
        ? 0
        : from.vega * (to.iv - from.iv) * VOL_POINTS * usd),
  };
}

// `|| 0`: a term that rounds to −0 shows as 0.
const cents = (micros: number) => Math.round(micros / 10_000) || 0;

/**
 * The split of a trip whose P&L after fees is `pnlMicros` and fees `feesMicros`: each greek term in
 * whole cents, the residual the rest, so the five add up to cents(pnl) + cents(fees), the P&L
 * before fees as `v_trades` shows it (`pnl_usd + fees_usd`).
 */
export function greekPnl(sums: GreekSums, pnlMicros: Micros, feesMicros: Micros): GreekPnl {
  const delta = cents(sums.delta);
  const gamma = cents(sums.gamma);
  const theta = cents(sums.theta);
  const vega = cents(sums.vega);
  const residual = cents(pnlMicros) + cents(feesMicros) - delta - gamma - theta - vega;
  return {
    deltaMicros: delta * 10_000,
    gammaMicros: gamma * 10_000,
    thetaMicros: theta * 10_000,
    vegaMicros: vega * 10_000,
    residualMicros: residual * 10_000,
  };
}

/** The same split after a late commission changed the trip's P&L and fees (the greek terms stay). */
export function rechargeGreekPnl(split: GreekPnl, pnlMicros: Micros, feesMicros: Micros): GreekPnl {
  const explained = split.deltaMicros + split.gammaMicros + split.thetaMicros + split.vegaMicros;
  return { ...split, residualMicros: (cents(pnlMicros) + cents(feesMicros)) * 10_000 - explained };
}
