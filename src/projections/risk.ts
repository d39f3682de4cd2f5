/**
 * Risk rules: pure functions of the book, the intent and the limits, so live and replay refuse
 * exactly the same orders (DESIGN: orders and outcomes). A refusal is a value with its own `rule`,
 * journaled as `OrderRefused` by whoever asked; nothing here throws for a refused order.
 *
 * The rules, in the order they are checked:
 * - `short-option`: a SELL of an option that would open or grow a short position — counting the
 *   SELLs still working, as if they all filled — unless `allowShortOptions`.
 * - `broker-position` (live, where the broker's position is known): an order that reduces the
 *   book's position must reduce the broker's too — the opposite side of what the broker holds, no
 *   more than it holds counting working orders. An exit of what another program already sold, or
 *   of a fill the broker never made, would otherwise open a position nobody asked for (a naked
 *   short option). Entries during a mismatch are refused by live before the rules (`position-mismatch`).
 * - An order that only reduces the position (the opposite side, no more than is held) is then
 *   approved: exits are never refused by the position cap, the open-order cap or the loss limit.
 * - `delayed-data`: an order that is not only reducing, priced on a quote that is not real time
 *   (`delayed`, `frozen`, `delayed-frozen`: the last quote of its contract), unless
 *   `allowDelayedData` (paper and dry runs only; the live config refuses it for real money). Exits
 *   still go: refusing one would hold the position through the close on a stale price.
 * - `max-position`: the position after this order and every working order on the same side would
 *   pass ±`maxPositionPerContract`.
 * - `max-open-orders`: this trading session already has `maxOpenOrders` orders working.
 * - `daily-loss-limit`: this trading session's P&L (not the stream's since its first session) is at
 *   or past −`dailyLossLimitUsd`.
 */
import type { MarketDataType, OrderIntent, PayloadOf, SessionId } from "../events/index.js";
import type { BookState } from "./book.js";
import { type Micros, toMicros, toUsd } from "./money.js";
import type { OrderPhase, OrderView } from "./orders.js";
import { positionKey } from "./positions.js";

/** The limits the rules check. Live reads them from the config's `risk` section. */
export interface RiskLimits {
  readonly maxPositionPerContract: number;
  readonly maxOpenOrders: number;
  /** Per trading session (America/New_York date), in USD, positive. */
  readonly dailyLossLimitUsd: number;
  /** Allow a SELL to open or grow a short option position (default false). */
  readonly allowShortOptions: boolean;
  /** Allow orders on delayed or frozen quotes (default false; never for a live account). */
  readonly allowDelayedData?: boolean | undefined;
}

/** The defaults of the live config (and of a replay's what-if when nothing else is said). */
export const DEFAULT_RISK_LIMITS: RiskLimits = Object.freeze({
  maxPositionPerContract: 5,
  maxOpenOrders: 3,
  dailyLossLimitUsd: 500,
  allowShortOptions: false,
  allowDelayedData: false,
});

/** Which rule refused an order: the `rule` of `OrderRefused`. */
export type RiskRule = PayloadOf<"OrderRefused">["rule"];

/** Why an order is refused. */
export interface RiskRefusal {
  readonly rule: RiskRule;
  readonly detail: string;
}

/** Where the order would go: the stream that trades and its current trading session. */
export interface RiskScope {
  readonly stream: string;
  readonly session: SessionId;
}

/** What the rules see of the book for one contract. */
export interface RiskExposure {
  /** Signed position held now. */
  readonly held: number;
  /** Unfilled quantity of this session's working BUY / SELL orders in the contract. */
  readonly workingBuy: number;
  readonly workingSell: number;
  /** Orders of this session still working, all contracts. */
  readonly workingOrders: number;
  /** This trading session's P&L, µ$. */
  readonly sessionPnlMicros: Micros;
  /** The broker's last reported position in the contract; absent where no broker reports (replay). */
  readonly broker?: number;
  /** The kind of data of the contract's last quote; absent: real time (or no quote). */
  readonly marketData?: MarketDataType;
}

const WORKING: ReadonlySet<OrderPhase> = new Set<OrderPhase>(["intended", "submitted", "partially-filled"]);

/** True while an order can still fill (sent, or about to be). */
export function isWorking(order: OrderView): boolean {
  return WORKING.has(order.phase);
}

/**
 * The P&L of one trading session of a stream, µ$: the session fold's own figure (what the report,
 * the replay table and `proj_session_summary` print), i.e. the change in the stream's equity since
 * the session began, open positions marked at their last quote, fees included. A position carried
 * in from an earlier session counts only what it made or lost in this one: the loss limit is per
 * trading session.
 */
export function sessionPnlMicros(book: BookState, scope: RiskScope): Micros {
  return book.summaries.get(`${scope.stream}|${scope.session}`)?.netPnlMicros ?? 0;
}

/** The book as the rules see it for `intent`'s contract. */
export function riskExposure(book: BookState, scope: RiskScope, intent: OrderIntent): RiskExposure {
  const key = positionKey(scope.stream, intent.contract);
  const held = book.positions.byKey.get(key)?.quantity ?? 0;
  let workingBuy = 0;
  let workingSell = 0;
  let workingOrders = 0;
  const orders = book.orders.get(`${scope.stream}|${scope.session}`);
  for (const order of orders?.byKey.values() ?? []) {
    if (!isWorking(order)) continue;
    workingOrders += 1;
    if (`${scope.stream}|${order.contractKey}` !== key) continue;
    const open = Math.max(0, order.intent.quantity - order.filledQuantity);
    if (order.intent.side === "BUY") workingBuy += open;
    else workingSell += open;
  }
  return { held, workingBuy, workingSell, workingOrders, sessionPnlMicros: sessionPnlMicros(book, scope) };
}

/** True when `intent` only brings `held` toward zero (the opposite side, no more than is held). */
export function isReducing(intent: OrderIntent, held: number): boolean {
  if (held === 0 || intent.quantity > Math.abs(held)) return false;
  return held > 0 ? intent.side === "SELL" : intent.side === "BUY";
}

/**
 * Check one intent against the rules. Returns the refusal, or null when the order may go.
 *
 *   checkRisk(book, { stream: "live", session: "2026-02-05" }, intent, DEFAULT_RISK_LIMITS)
 *   // → { rule: "short-option", detail: "SELL 1 SPY 20260206 C 690 would leave −1 …" } or null
 */
export function checkRisk(
  book: BookState,
  scope: RiskScope,
  intent: OrderIntent,
  limits: RiskLimits,
  marketData?: MarketDataType,
): RiskRefusal | null {
  const exposure = riskExposure(book, scope, intent);
  return checkExposure(marketData === undefined ? exposure : { ...exposure, marketData }, intent, limits);
}

/** The rules over an already computed exposure (what `checkRisk` does after reading the book). */
export function checkExposure(
  exposure: RiskExposure,
  intent: OrderIntent,
  limits: RiskLimits,
): RiskRefusal | null {
  const { held, workingBuy, workingSell, workingOrders } = exposure;
  const what = `${intent.side} ${intent.quantity} ${describe(intent)}`;
  if (intent.side === "SELL" && intent.contract.secType === "OPT" && !limits.allowShortOptions) {
    const after = held - workingSell - intent.quantity;
    if (after < 0)
      return {
        rule: "short-option",
        detail: `${what} would leave ${after} (held ${held}, ${workingSell} already being sold): selling options short is off; set risk.allowShortOptions: true to allow it`,
      };
  }
  if (exposure.broker !== undefined && isReducing(intent, held)) {
    const { broker } = exposure;
    const alreadyGoing = intent.side === "SELL" ? workingSell : workingBuy;
    if (!isReducing({ ...intent, quantity: intent.quantity + alreadyGoing }, broker))
      return {
        rule: "broker-position",
        detail: `${what} would exit a position the broker does not hold: the book holds ${held}, the broker ${broker}${alreadyGoing > 0 ? ` with ${alreadyGoing} already on the way` : ""}; sending it would leave the account at ${intent.side === "SELL" ? broker - alreadyGoing - intent.quantity : broker + alreadyGoing + intent.quantity}. Find who changed the position (see PositionMismatch), then reconcile`,
      };
  }
  if (isReducing(intent, held)) return null;
  const data = exposure.marketData ?? "live";
  if (data !== "live" && !limits.allowDelayedData)
    return {
      rule: "delayed-data",
      detail: `${what}: its last quote is ${data} data, not real time (the account has no real-time subscription for it, or the market is closed); subscribe to real-time data (OPRA for options), or for a paper account set risk.allowDelayedData: true`,
    };
  const after =
    intent.side === "BUY" ? held + workingBuy + intent.quantity : held - workingSell - intent.quantity;
  if (Math.abs(after) > limits.maxPositionPerContract)
    return {
      rule: "max-position",
      detail: `${what}: position would be ${after} counting working orders (held ${held}), limit ±${limits.maxPositionPerContract}`,
    };
  if (workingOrders >= limits.maxOpenOrders)
    return {
      rule: "max-open-orders",
      detail: `${workingOrders} orders working this session, limit ${limits.maxOpenOrders}; only orders that reduce a position go`,
    };
  if (exposure.sessionPnlMicros <= -toMicros(limits.dailyLossLimitUsd))
    return {
      rule: "daily-loss-limit",
      detail: `session P&L ${toUsd(exposure.sessionPnlMicros)} USD is at or past the −${limits.dailyLossLimitUsd} limit of this trading session; only orders that reduce a position go`,
    };
  return null;
}

function describe(intent: OrderIntent): string {
  const c = intent.contract;
  return c.secType === "STK" ? c.symbol : `${c.symbol} ${c.expiry} ${c.right} ${c.strike}`;
}
