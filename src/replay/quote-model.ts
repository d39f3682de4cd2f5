/**
 * Modelled option quotes for a what-if: when a run holds (or has an order resting on) a contract
 * that live did not quote in a cycle, the run marks it from a model instead of going blind. The
 * model is the cycle's own market: the implied volatilities of the options live did quote (per
 * expiry, linear in strike, flat beyond the quoted strikes), Black–Scholes on the underlying's last
 * 1-minute close, and the cycle's median bid–ask spread around the model price. Such quotes carry
 * `modelled: true`, so the strategy, the fills they make and the summary all say so.
 *
 * Pure: every input is a journaled event; the rate is zero (a day's carry on a short-dated option
 * is far below a cent).
 */
import {
  type Contract,
  type Greeks,
  newYorkTimeToMs,
  type OptionContract,
  type PayloadOf,
  type StoredEvent,
} from "../events/index.js";

const YEAR_MS = 365 * 86_400_000;
/** The spread assumed where the cycle quoted no option of the symbol with both sides. */
const DEFAULT_SPREAD_USD = 0.05;

/** Standard normal density. */
function pdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Standard normal distribution, to ~1e-7 (Abramowitz & Stegun 7.1.26 on erf). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** A Black–Scholes price and greeks in IB's units: vega per vol point (0.01), theta per day. */
export interface OptionValue {
  priceUsd: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
}

/** Black–Scholes (no dividends, zero rate) for `years` to expiry at volatility `vol`. */
export function blackScholes(
  right: "C" | "P",
  spot: number,
  strike: number,
  years: number,
  vol: number,
): OptionValue {
  if (years <= 0 || vol <= 0) {
    const intrinsic = Math.max(0, right === "C" ? spot - strike : strike - spot);
    const delta = intrinsic > 0 ? (right === "C" ? 1 : -1) : 0;
    return { priceUsd: intrinsic, delta, gamma: 0, vega: 0, theta: 0 };
  }
  const sqrtT = Math.sqrt(years);
  const d1 = (Math.log(spot / strike) + 0.5 * vol * vol * years) / (vol * sqrtT);
  const d2 = d1 - vol * sqrtT;
  const call = spot * normalCdf(d1) - strike * normalCdf(d2);
  const priceUsd = right === "C" ? call : call - spot + strike;
  const gamma = pdf(d1) / (spot * vol * sqrtT);
  const vega = (spot * pdf(d1) * sqrtT) / 100;
  const theta = -(spot * pdf(d1) * vol) / (2 * sqrtT) / 365;
  return { priceUsd, delta: right === "C" ? normalCdf(d1) : normalCdf(d1) - 1, gamma, vega, theta };
}

/** Implied volatility at `strike` from a smile's (strike, iv) points: linear between, flat beyond. */
export function smileAt(points: readonly (readonly [number, number])[], strike: number): number | null {
  if (points.length === 0) return null;
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  if (strike <= sorted[0]![0]) return sorted[0]![1];
  if (strike >= sorted.at(-1)![0]) return sorted.at(-1)![1];
  for (let i = 1; i < sorted.length; i++) {
    const [k1, v1] = sorted[i]!;
    const [k0, v0] = sorted[i - 1]!;
    if (strike <= k1) return k1 === k0 ? v1 : v0 + ((v1 - v0) * (strike - k0)) / (k1 - k0);
  }
  return sorted.at(-1)![1];
}

/** One symbol's market in one cycle, as the model reads it. */
interface SymbolMarket {
  /** (strike, iv) per expiry. */
  smiles: Map<string, [number, number][]>;
  spreads: number[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function isOption(contract: Contract): contract is OptionContract {
  return contract.secType === "OPT";
}

/** The expiry's close, 16:00 New York on its date (`20260205`). */
function expiryMs(expiry: string): number {
  return newYorkTimeToMs(`${expiry.slice(0, 4)}-${expiry.slice(4, 6)}-${expiry.slice(6, 8)}`, 16, 0);
}

/**
 * Watches a session's events and models a quote for an option from the latest cycle that quoted
 * options of its symbol (this one, else the last one that did).
 */
export class QuoteModeller {
  private readonly lastClose = new Map<string, number>();
  private current = new Map<string, SymbolMarket>();
  private previous = new Map<string, SymbolMarket>();

  observe(event: StoredEvent): void {
    if (event.type === "CycleStarted") {
      for (const [symbol, market] of this.current) this.previous.set(symbol, market);
      this.current = new Map();
      return;
    }
    if (event.type === "BarsReceived") {
      const last = event.payload.bars.at(-1);
      if (last) this.lastClose.set(event.payload.contract.symbol, last.closeUsd);
      return;
    }
    if (event.type !== "QuoteSnapshot" || event.payload.modelled) return;
    const { contract, bidUsd, askUsd, greeks } = event.payload;
    if (!isOption(contract)) return;
    let market = this.current.get(contract.symbol);
    if (!market) {
      market = { smiles: new Map(), spreads: [] };
      this.current.set(contract.symbol, market);
    }
    if (bidUsd !== null && askUsd !== null && askUsd >= bidUsd) market.spreads.push(askUsd - bidUsd);
    const iv = greeks?.impliedVol;
    if (iv !== null && iv !== undefined && iv > 0) {
      const smile = market.smiles.get(contract.expiry) ?? [];
      smile.push([contract.strike, iv]);
      market.smiles.set(contract.expiry, smile);
    }
  }

  /** A modelled quote of `contract` at `nowMs`, or null when nothing of its symbol was quoted yet. */
  quote(
    contract: OptionContract,
    nowMs: number,
    timing: PayloadOf<"QuoteSnapshot">["timing"],
  ): PayloadOf<"QuoteSnapshot"> | null {
    const spot = this.lastClose.get(contract.symbol);
    const market = this.marketOf(contract.symbol);
    if (spot === undefined || !market) return null;
    const points = market.smiles.get(contract.expiry) ?? nearestSmile(market.smiles, contract.expiry);
    const iv = points ? smileAt(points, contract.strike) : null;
    if (iv === null) return null;
    const years = Math.max(0, expiryMs(contract.expiry) - nowMs) / YEAR_MS;
    const value = blackScholes(contract.right, spot, contract.strike, years, iv);
    const spread = round2(median(market.spreads) ?? DEFAULT_SPREAD_USD);
    const bid = round2(Math.max(0, value.priceUsd - spread / 2));
    const greeks: Greeks = {
      impliedVol: round6(iv),
      delta: round6(value.delta),
      gamma: round6(value.gamma),
      vega: round6(value.vega),
      theta: round6(value.theta),
      optPriceUsd: round6(value.priceUsd),
      undPriceUsd: spot,
    };
    return {
      contract,
      bidUsd: bid,
      askUsd: round2(bid + spread),
      lastUsd: null,
      bidSize: null,
      askSize: null,
      lastSize: null,
      greeks,
      timing,
      complete: true,
      modelled: true,
    };
  }

  private marketOf(symbol: string): SymbolMarket | undefined {
    const now = this.current.get(symbol);
    return now && now.smiles.size > 0 ? now : (this.previous.get(symbol) ?? now);
  }
}

/** The smile of the expiry nearest `expiry` (an expiry live did not quote this cycle). */
function nearestSmile(
  smiles: ReadonlyMap<string, [number, number][]>,
  expiry: string,
): [number, number][] | undefined {
  let best: [number, number][] | undefined;
  let bestGap = Number.POSITIVE_INFINITY;
  const target = expiryMs(expiry);
  for (const [other, points] of smiles) {
    const gap = Math.abs(expiryMs(other) - target);
    if (gap < bestGap) {
      bestGap = gap;
      best = points;
    }
  }
  return best;
}
