/**
 * Black–Scholes prices and greeks (no dividends), for the simulated option chain.
 * Vega is per 1 volatility point (0.01), theta per calendar day, as IB reports them.
 */

export interface OptionModel {
  price: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
}

function normCdf(x: number): number {
  // Abramowitz–Stegun 7.1.26 via erf; accurate to ~1e-7, plenty for cents.
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

function normPdf(x: number): number {
  return Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);
}

/** Price and greeks of a European option: spot S, strike K, years T, rate r, volatility σ. */
export function blackScholes(
  right: "C" | "P",
  S: number,
  K: number,
  T: number,
  r: number,
  sigma: number,
): OptionModel {
  const t = Math.max(T, 1e-6);
  const sqrtT = Math.sqrt(t);
  const d1 = (Math.log(S / K) + (r + (sigma * sigma) / 2) * t) / (sigma * sqrtT);
  const d2 = d1 - sigma * sqrtT;
  const discount = Math.exp(-r * t);
  const gamma = normPdf(d1) / (S * sigma * sqrtT);
  const vega = (S * normPdf(d1) * sqrtT) / 100;
  if (right === "C") {
    const price = S * normCdf(d1) - K * discount * normCdf(d2);
    const theta = (-(S * normPdf(d1) * sigma) / (2 * sqrtT) - r * K * discount * normCdf(d2)) / 365;
    return { price, delta: normCdf(d1), gamma, vega, theta };
  }
  const price = K * discount * normCdf(-d2) - S * normCdf(-d1);
  const theta = (-(S * normPdf(d1) * sigma) / (2 * sqrtT) + r * K * discount * normCdf(-d2)) / 365;
  return { price, delta: normCdf(d1) - 1, gamma, vega, theta };
}
