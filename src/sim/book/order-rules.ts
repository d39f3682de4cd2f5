/**
 * The checks IB makes before it accepts an order, as the simulated account makes them: the price
 * grid of the contract (error 110) and the account's margin (error 201, and the figures a what-if
 * order is answered with). Pure functions of the book's holdings and quotes.
 *
 * Price grid (US equity options, the exchanges' minimum increments): options of the Penny
 * Program's all-penny classes (SPY, QQQ, IWM) trade in $0.01 at every price; the other Penny
 * Program classes in $0.01 below $3.00 and $0.05 from $3.00; every other class in $0.05 below
 * $3.00 and $0.10 from $3.00. US stocks trade in $0.01 (from $1.00; $0.0001 below).
 *
 * Margin (a Reg T margin account, as IB publishes its rules): a long stock needs 50 % initial and
 * 25 % maintenance; a long option needs none (it is paid in full: its premium leaves the equity
 * with loan value, which counts cash and stock, not options); a short option needs its premium
 * plus the larger of 20 % of the underlying less the amount out of the money and 10 % of the
 * underlying (of the strike for a put). An order is accepted when the equity with loan value
 * after it still exceeds the initial margin after it.
 */

/** What the rules read of a contract (the book's contracts have these and more). */
export interface RuleContract {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: "STK" | "OPT";
  readonly strike: number;
  readonly right: "" | "C" | "P";
  readonly multiplier: string;
}
type BookContract = RuleContract;

/** What the rules read of a holding. */
interface Holding {
  readonly contract: RuleContract;
  readonly quantity: number;
}

/** Options classes quoted in $0.01 at every price (the Penny Program's first classes). */
const ALL_PENNY_CLASSES: ReadonlySet<string> = new Set(["SPY", "QQQ", "IWM"]);
/**
 * Other Penny Program classes ($0.01 below $3, $0.05 above). The simulator lists none of them;
 * the set says where such a class would go.
 */
const PENNY_CLASSES: ReadonlySet<string> = new Set(["AAPL", "MSFT", "AMZN", "TSLA", "NVDA"]);

/** The minimum price increment of `contract` at `priceUsd`. */
export function minimumTick(contract: Pick<BookContract, "secType" | "symbol">, priceUsd: number): number {
  if (contract.secType === "STK") return priceUsd < 1 ? 0.0001 : 0.01;
  if (ALL_PENNY_CLASSES.has(contract.symbol)) return 0.01;
  if (PENNY_CLASSES.has(contract.symbol)) return priceUsd < 3 ? 0.01 : 0.05;
  return priceUsd < 3 ? 0.05 : 0.1;
}

/** True when `priceUsd` sits on the contract's grid (to a millionth: prices arrive as doubles). */
export function onTickGrid(contract: Pick<BookContract, "secType" | "symbol">, priceUsd: number): boolean {
  const tick = minimumTick(contract, priceUsd);
  const steps = priceUsd / tick;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** IB's error 110 text. */
export const OFF_TICK_TEXT = "The price does not conform to the minimum price variation for this contract.";

/** What the margin rules see of a position: its contract, signed quantity, and marks. */
export interface MarginPosition {
  readonly contract: BookContract;
  readonly quantity: number;
  /** Mark per unit (the mid). */
  readonly markUsd: number;
  /** The underlying's price (options). */
  readonly underlyingUsd: number;
}

/** Initial and maintenance margin of a set of positions, USD. */
export function marginOf(positions: readonly MarginPosition[]): { initUsd: number; maintUsd: number } {
  let initUsd = 0;
  let maintUsd = 0;
  for (const p of positions) {
    if (p.quantity === 0) continue;
    if (p.contract.secType === "STK") {
      const value = Math.abs(p.quantity) * p.markUsd;
      initUsd += value * 0.5;
      maintUsd += value * (p.quantity > 0 ? 0.25 : 0.3);
      continue;
    }
    if (p.quantity > 0) continue;
    const req = shortOptionRequirement(p.contract, p.markUsd, p.underlyingUsd) * -p.quantity;
    initUsd += req;
    maintUsd += req;
  }
  return { initUsd: round2(initUsd), maintUsd: round2(maintUsd) };
}

/** One short option's requirement, USD (its multiplier included). */
function shortOptionRequirement(c: BookContract, premiumUsd: number, underlyingUsd: number): number {
  const outOfTheMoney =
    c.right === "P" ? Math.max(0, underlyingUsd - c.strike) : Math.max(0, c.strike - underlyingUsd);
  const floor = 0.1 * (c.right === "P" ? c.strike : underlyingUsd);
  return (premiumUsd + Math.max(0.2 * underlyingUsd - outOfTheMoney, floor)) * multiplierOf(c);
}

/** Equity with loan value: cash and stock at their marks (options do not count). */
export function equityWithLoan(cashUsd: number, positions: readonly MarginPosition[]): number {
  let value = cashUsd;
  for (const p of positions) if (p.contract.secType === "STK") value += p.quantity * p.markUsd;
  return round2(value);
}

/** The contract's multiplier (100 for an option without one). */
export function multiplierOf(c: BookContract): number {
  return c.secType === "OPT" ? Number(c.multiplier || 100) : 1;
}

/** IB's commission for a fill (the simulator's tiered-like schedule). */
export function commissionOf(c: BookContract, shares: number): number {
  return round6(c.secType === "OPT" ? Math.max(1, 0.65 * shares) : Math.max(1, 0.005 * shares));
}

/** What an order would do to the account: IB's what-if figures. */
export interface MarginImpact {
  readonly initMarginBefore: number;
  readonly maintMarginBefore: number;
  readonly equityWithLoanBefore: number;
  readonly initMarginAfter: number;
  readonly maintMarginAfter: number;
  readonly equityWithLoanAfter: number;
  readonly commission: number;
}

/**
 * The impact of trading `quantity` (signed) of `contract` at `priceUsd` on an account of
 * `cashUsd` holding `positions` (whose marks also price the new position).
 */
export function marginImpact(
  cashUsd: number,
  positions: readonly MarginPosition[],
  order: MarginPosition & { readonly priceUsd: number },
): MarginImpact {
  const before = marginOf(positions);
  const commission = commissionOf(order.contract, Math.abs(order.quantity));
  const cashAfter = cashUsd - order.priceUsd * multiplierOf(order.contract) * order.quantity - commission;
  const merged = positions.filter((p) => p.contract.conId !== order.contract.conId);
  const held = positions.find((p) => p.contract.conId === order.contract.conId)?.quantity ?? 0;
  merged.push({ ...order, quantity: held + order.quantity });
  const after = marginOf(merged);
  return {
    initMarginBefore: before.initUsd,
    maintMarginBefore: before.maintUsd,
    equityWithLoanBefore: equityWithLoan(cashUsd, positions),
    initMarginAfter: after.initUsd,
    maintMarginAfter: after.maintUsd,
    equityWithLoanAfter: equityWithLoan(cashAfter, merged),
    commission,
  };
}

/**
 * IB's 201 text for an order the account's equity does not cover: the equity with loan value now
 * against the initial margin the position needs, the order's premium included.
 */
export function insufficientEquityText(impact: MarginImpact): string {
  const debit = Math.max(0, impact.equityWithLoanBefore - impact.equityWithLoanAfter);
  const needed = impact.initMarginAfter + debit;
  return `Order rejected - reason:YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE [${impact.equityWithLoanBefore.toFixed(2)} USD] MUST EXCEED THE INITIAL MARGIN [${needed.toFixed(2)} USD]`;
}

/** True when the account covers the order (equity with loan after ≥ initial margin after). */
export function covered(impact: MarginImpact): boolean {
  return impact.equityWithLoanAfter >= impact.initMarginAfter;
}

/** The holdings as the margin rules see them, marked by `mark` (and the underlying by `underlying`). */
export function marginPositions<C extends RuleContract>(
  holdings: Iterable<Holding & { readonly contract: C }>,
  mark: (c: C) => number,
  underlying: (symbol: string) => number,
): MarginPosition[] {
  return [...holdings].map((h) => ({
    contract: h.contract,
    quantity: h.quantity,
    markUsd: mark(h.contract),
    underlyingUsd: underlying(h.contract.symbol),
  }));
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
