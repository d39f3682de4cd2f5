/**
 * The paper account's vocabulary: contracts, orders, executions, holdings and the book's events,
 * as the simulator's handlers and its book share them (IB's field names).
 */
import type { SimMarket, SimOption } from "../market/index.js";

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

/** The order types the simulated account takes. */
export type BookOrderType = "MKT" | "LMT" | "STP" | "STP LMT";
export const BOOK_ORDER_TYPES: ReadonlySet<string> = new Set(["MKT", "LMT", "STP", "STP LMT"]);

/** The book's key of an order: IB keeps one id sequence per client id. */
export const orderKey = (clientId: number, orderId: number): string => `${clientId}:${orderId}`;

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
  readonly orderType: BookOrderType;
  lmtPrice: number | undefined;
  /** The stop price of STP and STP LMT. */
  auxPrice: number | undefined;
  readonly tif: string;
  /** The bracket parent's order id (same client), 0 for none. */
  readonly parentId: number;
  readonly outsideRth: boolean;
  /** False while held by `transmit: false` (IB keeps it untransmitted and says nothing). */
  transmitted: boolean;
  /** Set once the (simulated) exchange has it: the gateway's fill delay after transmission. */
  released: boolean;
  /** A stop that has triggered (it then works as MKT, or as LMT for STP LMT). */
  triggered: boolean;
  /** When a DAY order is cancelled: its session's close; undefined for GTC. */
  expiresMs: number | undefined;
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

/** What placement takes: the order as the client sent it. */
export type NewOrder = Omit<
  BookOrder,
  | "permId"
  | "status"
  | "filled"
  | "avgFillPrice"
  | "lastFillPrice"
  | "lastFillMs"
  | "placedMs"
  | "rested"
  | "triggered"
  | "expiresMs"
  | "released"
>;

export interface AccountSummary {
  cashUsd: number;
  marketValueUsd: number;
  netLiquidationUsd: number;
  unrealizedPnlUsd: number;
  realizedPnlUsd: number;
  commissionsUsd: number;
}

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
