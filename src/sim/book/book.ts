/**
 * The simulated paper account: orders, executions, commission reports, positions and cash. It
 * belongs to the simulator process, not to a connection, so a client that reconnects (a new
 * clientId after a SIGKILL) recovers everything with reqExecutions / reqOpenOrders / reqPositions.
 * Orders match like a paper account: marketable orders fill at the touch up to the displayed size,
 * the rest works and fills as the simulated quotes cross it while the clock advances.
 */
import { newYorkParts } from "../../events/index.js";
import type { SimMarket, SimOption, SimQuote } from "../market/index.js";

/** A contract as the book keeps it (IB's field names). */
export interface BookContract {
  conId: number;
  symbol: string;
  secType: "STK" | "OPT";
  lastTradeDateOrContractMonth: string;
  strike: number;
  right: "" | "C" | "P";
  multiplier: string;
  exchange: string;
  currency: string;
  localSymbol: string;
  tradingClass: string;
}

export type OrderStatusName =
  | "PreSubmitted"
  | "Submitted"
  | "PendingCancel"
  | "Cancelled"
  | "Filled"
  | "Inactive";

export interface BookOrder {
  readonly orderId: number;
  readonly clientId: number;
  readonly permId: number;
  readonly contract: BookContract;
  readonly action: "BUY" | "SELL";
  /** Mutable: placing an order again with the same id modifies it, as on a real gateway. */
  totalQuantity: number;
  readonly orderType: "MKT" | "LMT";
  lmtPrice: number | undefined;
  readonly tif: string;
  readonly account: string;
  readonly orderRef: string;
  readonly placedMs: number;
  status: OrderStatusName;
  filled: number;
  avgFillPrice: number;
  lastFillPrice: number;
  /** Simulated time of the last fill; limits how fast displayed size refills. */
  lastFillMs: number;
  /** Set once a match pass found the limit not marketable: it then fills at its limit. */
  rested: boolean;
  completedMs?: number;
  completedStatus?: string;
}

export interface BookExecution {
  readonly execId: string;
  readonly order: BookOrder;
  readonly timeMs: number;
  readonly shares: number;
  readonly price: number;
  readonly cumQty: number;
  readonly avgPrice: number;
  readonly commission: number;
  /** Realized P&L of this fill (closing part), or undefined when it only opens. */
  readonly realizedPnl: number | undefined;
}

export interface Holding {
  readonly contract: BookContract;
  quantity: number;
  /** Average cost per contract including the multiplier, as IB reports it. */
  avgCost: number;
  realizedPnl: number;
}

/** What the book tells the sessions; the server routes each to the right connections. */
export type BookEvent =
  | { type: "order"; order: BookOrder }
  | { type: "fill"; execution: BookExecution; holding: Holding };

/** Why an order was refused at placement (the gateway's error code and text). */
export interface Refusal {
  code: number;
  text: string;
}

export interface BookOptions {
  market: SimMarket;
  account: string;
  /** Refuse a SELL that would open (or grow) a short option position. */
  rejectShortOptions: boolean;
  startingCashUsd: number;
}

/** Minimum simulated time between two partial fills of one order (the displayed size refills). */
const REFILL_MS = 1_000;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export class SimBook {
  readonly orders = new Map<number, BookOrder>();
  readonly executions: BookExecution[] = [];
  readonly holdings = new Map<number, Holding>();
  private readonly listeners: ((e: BookEvent) => void)[] = [];
  private permSeq = 0;
  private execSeq = 0;
  private cashUsd: number;
  private commissionsUsd = 0;
  nextOrderId = 1;

  constructor(private readonly options: BookOptions) {
    this.cashUsd = options.startingCashUsd;
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

  /** A refusal for this order, or undefined if the account accepts it. */
  refusal(contract: BookContract, action: "BUY" | "SELL", quantity: number): Refusal | undefined {
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
  place(
    order: Omit<
      BookOrder,
      "permId" | "status" | "filled" | "avgFillPrice" | "lastFillPrice" | "lastFillMs" | "placedMs" | "rested"
    >,
    nowMs: number,
    refused = false,
  ): BookOrder {
    this.nextOrderId = Math.max(this.nextOrderId, order.orderId + 1);
    const placed: BookOrder = {
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
      ...(refused ? { completedMs: nowMs, completedStatus: "Rejected" } : {}),
    };
    this.orders.set(order.orderId, placed);
    this.emit({ type: "order", order: placed });
    return placed;
  }

  /** PreSubmitted → Submitted, as the order reaches the (simulated) exchange. */
  submit(order: BookOrder): void {
    if (order.status !== "PreSubmitted") return;
    order.status = "Submitted";
    this.emit({ type: "order", order });
  }

  /** Cancel a working order: PendingCancel then Cancelled. Returns false if not working. */
  cancel(order: BookOrder, nowMs: number): boolean {
    if (!isWorking(order)) return false;
    order.status = "PendingCancel";
    this.emit({ type: "order", order });
    order.status = "Cancelled";
    order.completedMs = nowMs;
    order.completedStatus = "Cancelled by Trader";
    this.emit({ type: "order", order });
    return true;
  }

  /** Modify a working order's quantity and limit (placeOrder with its id). False if not working. */
  modify(order: BookOrder, totalQuantity: number, lmtPrice: number | undefined): boolean {
    if (!isWorking(order) || !(totalQuantity > order.filled)) return false;
    order.totalQuantity = totalQuantity;
    if (order.orderType === "LMT" && lmtPrice !== undefined) order.lmtPrice = lmtPrice;
    this.emit({ type: "order", order });
    return true;
  }

  /** Match every working order against the quotes at `nowMs` (called as the clock advances). */
  match(nowMs: number): void {
    for (const order of this.orders.values()) if (order.status === "Submitted") this.matchOne(order, nowMs);
  }

  /** Working orders, oldest first. */
  working(): BookOrder[] {
    return [...this.orders.values()].filter(isWorking);
  }

  private matchOne(order: BookOrder, nowMs: number): void {
    if (nowMs - order.lastFillMs < REFILL_MS) return;
    const q = this.quote(order.contract, nowMs);
    const buy = order.action === "BUY";
    const touch = buy ? q.ask : q.bid;
    const displayed = buy ? q.askSize : q.bidSize;
    if (!(touch > 0)) return;
    const limit = order.lmtPrice;
    const marketable = order.orderType === "MKT" || (buy ? touch <= limit! : touch >= limit!);
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
    const mult = c.secType === "OPT" ? Number(c.multiplier || 100) : 1;
    const avg = round6((order.avgFillPrice * order.filled + price * shares) / (order.filled + shares));
    order.filled += shares;
    order.avgFillPrice = avg;
    order.lastFillPrice = price;
    order.lastFillMs = nowMs;
    const commission = round6(c.secType === "OPT" ? Math.max(1, 0.65 * shares) : Math.max(1, 0.005 * shares));
    const signed = order.action === "BUY" ? shares : -shares;
    const holding = this.holdings.get(c.conId) ?? { contract: c, quantity: 0, avgCost: 0, realizedPnl: 0 };
    let realized: number | undefined;
    const costPer = price * mult;
    if (holding.quantity === 0 || Math.sign(holding.quantity) === Math.sign(signed)) {
      holding.avgCost = round6(
        (holding.avgCost * holding.quantity + costPer * signed) / (holding.quantity + signed),
      );
    } else {
      const closing = Math.min(Math.abs(signed), Math.abs(holding.quantity));
      realized = round6((costPer - holding.avgCost) * closing * Math.sign(holding.quantity) - commission);
      holding.realizedPnl = round6(holding.realizedPnl + realized);
      if (Math.abs(signed) > Math.abs(holding.quantity)) holding.avgCost = costPer;
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

export interface AccountSummary {
  cashUsd: number;
  marketValueUsd: number;
  netLiquidationUsd: number;
  unrealizedPnlUsd: number;
  realizedPnlUsd: number;
  commissionsUsd: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** True while an order can still fill or be cancelled. */
export function isWorking(o: BookOrder): boolean {
  return o.status === "PreSubmitted" || o.status === "Submitted";
}

/** The market's option key for a book contract. */
export function asOption(c: BookContract): SimOption {
  return {
    symbol: c.symbol,
    expiry: c.lastTradeDateOrContractMonth,
    strike: c.strike,
    right: c.right === "P" ? "P" : "C",
  };
}
