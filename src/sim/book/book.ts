/**
 * The simulated paper account: orders, executions, commission reports, positions and cash. It
 * belongs to the simulator process, not to a connection, so a client that reconnects (a new
 * clientId after a SIGKILL) recovers everything with reqExecutions / reqOpenOrders / reqPositions.
 * Orders match like a paper account: marketable orders fill at the touch up to the displayed size,
 * the rest works and fills as the simulated quotes cross it while the clock advances, in the
 * contract's regular session only. Stops wait for their trigger; bracket children for their
 * parent's fill (then one fill cancels the others); a DAY order is cancelled at its session's
 * close. Order ids are kept per client id, as IB keeps them.
 */
import { newYorkParts } from "../../events/index.js";
import type { SimQuote } from "../market/index.js";
import {
  type AccountSummary,
  asOption,
  type BookContract,
  type BookEvent,
  type BookExecution,
  type BookOptions,
  type BookOrder,
  type Holding,
  isWorking,
  type NewOrder,
  orderKey,
  type Refusal,
} from "./book-types.js";
import {
  commissionOf,
  covered,
  insufficientEquityText,
  type MarginImpact,
  marginImpact,
  marginPositions,
  multiplierOf,
} from "./order-rules.js";
import { sessionOpen, stopTriggered, workingSession } from "./order-timing.js";

/** Minimum simulated time between two partial fills of one order (the displayed size refills). */
const REFILL_MS = 1_000;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export class SimBook {
  /** By `orderKey(clientId, orderId)`. */
  readonly orders = new Map<string, BookOrder>();
  /**
   * The orders that may still work, oldest first. A status only moves forward (PreSubmitted,
   * Submitted, then an end), so one seen not working is dropped for good: every beat's match
   * costs what works now, not every order of a simulator left running for days.
   */
  private readonly open = new Set<BookOrder>();
  readonly executions: BookExecution[] = [];
  readonly holdings = new Map<number, Holding>();
  private readonly listeners: ((e: BookEvent) => void)[] = [];
  private permSeq = 0;
  private execSeq = 0;
  private cashUsd: number;
  private commissionsUsd = 0;
  /** The next valid order id of each client id. */
  private readonly nextIds = new Map<number, number>();
  /** Orders whose placement the client has heard of (an untransmitted one is not, until it goes). */
  private readonly announced = new WeakSet<BookOrder>();

  constructor(private readonly options: BookOptions) {
    this.cashUsd = options.startingCashUsd;
  }

  /** The next valid order id of `clientId` (NEXT_VALID_ID): one sequence per client id. */
  nextOrderId(clientId: number): number {
    return this.nextIds.get(clientId) ?? 1;
  }

  /** An id the client used: its sequence moves past it. */
  useOrderId(clientId: number, orderId: number): void {
    this.nextIds.set(clientId, Math.max(this.nextOrderId(clientId), orderId + 1));
  }

  /** The order `clientId` knows by `orderId`. */
  order(clientId: number, orderId: number): BookOrder | undefined {
    return this.orders.get(orderKey(clientId, orderId));
  }

  /** Subscribe to order and fill events. */
  onEvent(listener: (e: BookEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(e: BookEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** The current quote of a contract. */
  quote(c: BookContract, nowMs: number): SimQuote {
    return c.secType === "OPT"
      ? this.options.market.optionQuote(asOption(c), nowMs)
      : this.options.market.stockQuote(c.symbol, nowMs);
  }

  /**
   * What trading `quantity` of `contract` at `priceUsd` (undefined: at the touch) would do to the
   * account's margin: the figures of IB's what-if answer and of its 201 for too little equity.
   */
  marginImpact(
    contract: BookContract,
    action: "BUY" | "SELL",
    quantity: number,
    priceUsd: number | undefined,
    nowMs: number,
  ): MarginImpact {
    const q = this.quote(contract, nowMs);
    const underlying = (symbol: string) => {
      const s = this.options.market.stockQuote(symbol, nowMs);
      return (s.bid + s.ask) / 2;
    };
    const positions = marginPositions(this.holdings.values(), (c) => this.mark(c, nowMs), underlying);
    return marginImpact(this.cashUsd, positions, {
      contract,
      quantity: action === "BUY" ? quantity : -quantity,
      markUsd: (q.bid + q.ask) / 2,
      underlyingUsd: underlying(contract.symbol),
      priceUsd: priceUsd ?? (action === "BUY" ? q.ask : q.bid),
    });
  }

  /** A refusal for this order, or undefined if the account accepts it. */
  refusal(
    contract: BookContract,
    action: "BUY" | "SELL",
    quantity: number,
    priceUsd?: number,
    nowMs?: number,
  ): Refusal | undefined {
    const short = this.shortOptionRefusal(contract, action, quantity);
    if (short || nowMs === undefined) return short;
    const impact = this.marginImpact(contract, action, quantity, priceUsd, nowMs);
    return covered(impact) ? undefined : { code: 201, text: insufficientEquityText(impact) };
  }

  private shortOptionRefusal(
    contract: BookContract,
    action: "BUY" | "SELL",
    quantity: number,
  ): Refusal | undefined {
    if (!this.options.rejectShortOptions || contract.secType !== "OPT" || action !== "SELL") return undefined;
    const held = this.holdings.get(contract.conId)?.quantity ?? 0;
    const working = [...this.orders.values()]
      .filter((o) => o.contract.conId === contract.conId && o.action === "SELL" && isWorking(o))
      .reduce((sum, o) => sum + o.totalQuantity - o.filled, 0);
    if (held - working - quantity >= 0) return undefined;
    // The paper account has no permission for uncovered options (IB's 201 "Order rejected - reason:" form).
    return {
      code: 201,
      text: "Order rejected - reason:YOUR ACCOUNT IS NOT APPROVED FOR UNCOVERED OPTION WRITING. THIS ORDER WOULD RESULT IN A SHORT OPTION POSITION.",
    };
  }

  /**
   * Accept an order: PreSubmitted now; the caller moves it to Submitted and matches it. A refused
   * order is recorded straight as Cancelled (it never worked), so completed orders list it.
   */
  place(order: NewOrder, nowMs: number, refused = false): BookOrder {
    const placed = this.draft(order, nowMs, refused);
    const key = orderKey(order.clientId, order.orderId);
    const replaced = this.orders.get(key);
    if (replaced) this.open.delete(replaced);
    this.orders.set(key, placed);
    if (isWorking(placed)) this.open.add(placed);
    const parent = order.parentId ? this.order(order.clientId, order.parentId) : undefined;
    // A child sent to release its held parent is announced with it, parent first (transmit).
    if (refused || (placed.transmitted && parent?.transmitted !== false)) this.announce(placed);
    return placed;
  }

  /** The order as placement would keep it, not stored: a what-if's answer is built from it. */
  draft(order: NewOrder, nowMs: number, refused = false): BookOrder {
    return {
      ...order,
      // Unique and non-zero; IBApiNext matches open orders by permId.
      permId: 1_000_000 + ++this.permSeq,
      placedMs: nowMs,
      status: refused ? "Cancelled" : "PreSubmitted",
      filled: 0,
      avgFillPrice: 0,
      lastFillPrice: 0,
      lastFillMs: Number.NEGATIVE_INFINITY,
      rested: false,
      triggered: false,
      released: false,
      // A DAY order lives to the close of the session it works in (the next one after a close).
      expiresMs: order.tif === "GTC" ? undefined : workingSession(order.contract.secType, nowMs).closeMs,
      ...(refused ? { completedMs: nowMs, completedStatus: "Rejected" } : {}),
    };
  }

  private announce(order: BookOrder): void {
    this.announced.add(order);
    this.emit({ type: "order", order });
  }

  /**
   * Transmit an order held by `transmit: false`, and the bracket it belongs to: its parent and
   * every held child of that parent, parent first. Returns the orders transmitted.
   */
  transmit(order: BookOrder): BookOrder[] {
    const parent = order.parentId ? this.order(order.clientId, order.parentId) : undefined;
    const root = parent ?? order;
    const group = [root, ...this.children(root)].filter((o) => !this.announced.has(o));
    for (const o of group) {
      o.transmitted = true;
      this.announce(o);
    }
    return group;
  }

  /** The exchange has the orders (after the gateway's delay): they may work from now on. */
  release(orders: readonly BookOrder[], nowMs: number): void {
    for (const o of orders) o.released = true;
    this.match(nowMs);
  }

  /** The bracket children of `parent` (same client, its id as parentId). */
  children(parent: BookOrder): BookOrder[] {
    return [...this.orders.values()].filter(
      (o) => o.clientId === parent.clientId && o.parentId === parent.orderId && o !== parent,
    );
  }

  /**
   * PreSubmitted → Submitted, as the order reaches the (simulated) exchange. A stop stays
   * PreSubmitted until it triggers (IB holds it), a bracket child until its parent fills, and any
   * order until its contract's session opens.
   */
  submit(order: BookOrder, nowMs: number): void {
    if (order.status !== "PreSubmitted" || !order.released) return;
    if (!sessionOpen(order.contract.secType, nowMs)) return;
    if (isStop(order) && !order.triggered) return;
    const parent = order.parentId ? this.order(order.clientId, order.parentId) : undefined;
    if (parent && parent.status !== "Filled") return;
    order.status = "Submitted";
    this.emit({ type: "order", order });
  }

  /** Cancel a working order: PendingCancel then Cancelled. Returns false if not working. */
  cancel(order: BookOrder, nowMs: number): boolean {
    if (!isWorking(order)) return false;
    order.status = "PendingCancel";
    this.emit({ type: "order", order });
    this.end(order, nowMs, "Cancelled by Trader");
    for (const child of this.children(order)) this.end(child, nowMs, "Cancelled by Trader");
    return true;
  }

  /** Cancelled by the system (no PendingCancel): an expiry, or a bracket sibling that filled. */
  private end(order: BookOrder, nowMs: number, why: string): void {
    if (!isWorking(order) && order.status !== "PendingCancel") return;
    order.status = "Cancelled";
    order.completedMs = nowMs;
    order.completedStatus = why;
    if (order.transmitted) this.emit({ type: "order", order });
  }

  /** Modify a working order's quantity and limit (placeOrder with its id). False if not working. */
  modify(
    order: BookOrder,
    totalQuantity: number,
    lmtPrice: number | undefined,
    auxPrice: number | undefined,
  ): boolean {
    if (!isWorking(order) || !(totalQuantity > order.filled)) return false;
    order.totalQuantity = totalQuantity;
    if (order.orderType !== "MKT" && order.orderType !== "STP" && lmtPrice !== undefined)
      order.lmtPrice = lmtPrice;
    if (isStop(order) && auxPrice !== undefined) order.auxPrice = auxPrice;
    if (order.transmitted) this.emit({ type: "order", order });
    return true;
  }

  /**
   * As the clock advances: DAY orders past their session's close are cancelled, held orders
   * reach the exchange when they may (the open, a trigger, a parent's fill), and every
   * Submitted order is matched against the quotes at `nowMs`.
   */
  match(nowMs: number): void {
    for (const order of this.working()) {
      if (!isWorking(order)) continue;
      if (order.expiresMs !== undefined && nowMs >= order.expiresMs) {
        this.end(order, nowMs, "Cancelled");
        continue;
      }
      if (
        isStop(order) &&
        !order.triggered &&
        order.transmitted &&
        sessionOpen(order.contract.secType, nowMs)
      )
        order.triggered = stopTriggered(order.action, order.auxPrice!, this.quote(order.contract, nowMs));
      if (order.status === "PreSubmitted") this.submit(order, nowMs);
      if (order.status === "Submitted" && sessionOpen(order.contract.secType, nowMs))
        this.matchOne(order, nowMs);
    }
  }

  /** Working orders, oldest first. */
  working(): BookOrder[] {
    const working: BookOrder[] = [];
    for (const order of this.open)
      if (isWorking(order)) working.push(order);
      else this.open.delete(order);
    return working;
  }

  private matchOne(order: BookOrder, nowMs: number): void {
    if (nowMs - order.lastFillMs < REFILL_MS) return;
    const q = this.quote(order.contract, nowMs);
    const buy = order.action === "BUY";
    const touch = buy ? q.ask : q.bid;
    const displayed = buy ? q.askSize : q.bidSize;
    if (!(touch > 0)) return;
    const limit = order.orderType === "LMT" || order.orderType === "STP LMT" ? order.lmtPrice : undefined;
    const marketable = limit === undefined || (buy ? touch <= limit : touch >= limit);
    if (!marketable) {
      order.rested = true;
      return;
    }
    // A resting limit that the market moved through fills at its limit; a marketable one at the touch.
    const price = order.rested && limit !== undefined ? limit : touch;
    const shares = Math.min(order.totalQuantity - order.filled, Math.max(1, displayed));
    this.fill(order, shares, price, nowMs);
  }

  private fill(order: BookOrder, shares: number, price: number, nowMs: number): void {
    const c = order.contract;
    const mult = multiplierOf(c);
    const avg = round6((order.avgFillPrice * order.filled + price * shares) / (order.filled + shares));
    order.filled += shares;
    order.avgFillPrice = avg;
    order.lastFillPrice = price;
    order.lastFillMs = nowMs;
    const commission = commissionOf(c, shares);
    const signed = order.action === "BUY" ? shares : -shares;
    const holding = this.holdings.get(c.conId) ?? { contract: c, quantity: 0, avgCost: 0, realizedPnl: 0 };
    let realized: number | undefined;
    const costPer = price * mult;
    // IB's average cost is the cost basis: the commission is in it (a long's price plus it, a
    // short's proceeds less it), so the realized P&L of a close counts both sides' commissions.
    const commissionPer = commission / shares;
    const basisPer = costPer + commissionPer * Math.sign(signed);
    if (holding.quantity === 0 || Math.sign(holding.quantity) === Math.sign(signed)) {
      holding.avgCost = round6(
        (holding.avgCost * holding.quantity + basisPer * signed) / (holding.quantity + signed),
      );
    } else {
      const closing = Math.min(Math.abs(signed), Math.abs(holding.quantity));
      realized = round6(
        (costPer - holding.avgCost) * closing * Math.sign(holding.quantity) - commissionPer * closing,
      );
      holding.realizedPnl = round6(holding.realizedPnl + realized);
      // A fill that goes through zero opens the rest at this price and its share of the commission.
      if (Math.abs(signed) > Math.abs(holding.quantity)) holding.avgCost = round6(basisPer);
    }
    holding.quantity += signed;
    if (holding.quantity === 0) holding.avgCost = 0;
    this.holdings.set(c.conId, holding);
    this.cashUsd -= costPer * signed + commission;
    this.commissionsUsd += commission;
    if (order.filled >= order.totalQuantity) {
      order.status = "Filled";
      order.completedMs = nowMs;
      order.completedStatus = "Filled";
    }
    const day = newYorkParts(nowMs).date.replaceAll("-", "");
    const execution: BookExecution = {
      execId: `0000e0d5.${day}.${String(++this.execSeq).padStart(8, "0")}.01.01`,
      order,
      timeMs: nowMs,
      shares,
      price,
      cumQty: order.filled,
      avgPrice: avg,
      commission,
      realizedPnl: realized,
    };
    this.executions.push(execution);
    this.emit({ type: "fill", execution, holding });
    if (order.status !== "Filled") return;
    // A bracket's children are one-cancels-all: one filled, the others go.
    const parent = order.parentId ? this.order(order.clientId, order.parentId) : undefined;
    if (parent)
      for (const sibling of this.children(parent))
        if (sibling !== order) this.end(sibling, nowMs, "Cancelled");
  }

  /** Cash, market value and P&L of the account at `nowMs` (marks at the mid). */
  summary(nowMs: number): AccountSummary {
    let marketValue = 0;
    let unrealized = 0;
    let realized = 0;
    for (const h of this.holdings.values()) {
      const mark = this.mark(h.contract, nowMs);
      const mult = h.contract.secType === "OPT" ? Number(h.contract.multiplier || 100) : 1;
      marketValue += mark * mult * h.quantity;
      unrealized += (mark * mult - h.avgCost) * h.quantity;
      realized += h.realizedPnl;
    }
    return {
      cashUsd: round2(this.cashUsd),
      marketValueUsd: round2(marketValue),
      netLiquidationUsd: round2(this.cashUsd + marketValue),
      unrealizedPnlUsd: round2(unrealized),
      realizedPnlUsd: round2(realized),
      commissionsUsd: round2(this.commissionsUsd),
    };
  }

  /** The mid price used to mark positions. */
  mark(c: BookContract, nowMs: number): number {
    const q = this.quote(c, nowMs);
    return round6((q.bid + q.ask) / 2);
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** STP and STP LMT. */
function isStop(o: BookOrder): boolean {
  return o.orderType === "STP" || o.orderType === "STP LMT";
}
