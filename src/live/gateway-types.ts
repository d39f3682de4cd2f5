/**
 * The shapes our gateway interface speaks — notices, order answers, errors — free of the client's
 * types, so the rest of live mode (and its tests) never import `@stoqey/ib`.
 */
import type { Contract, Greeks, MarketDataType } from "../events/index.js";

export interface GatewayNotice {
  code: number;
  message: string;
  reqId: number;
}

export interface ConnectInfo {
  accounts: string[];
  nextOrderId: number;
  serverVersion: number;
}

export interface SnapshotResult {
  bidUsd: number | null;
  askUsd: number | null;
  lastUsd: number | null;
  bidSize: number | null;
  askSize: number | null;
  lastSize: number | null;
  greeks: Greeks | null;
  complete: boolean;
  /** What MARKET_DATA_TYPE (or the tick ids) said; null when neither came (nothing arrived). */
  marketData: MarketDataType | null;
}

/** A symbol's hours from its contract details. */
export interface ContractHours {
  reqId: number;
  conId: number;
  timeZoneId: string;
  tradingHours: string;
  liquidHours: string;
}

export interface OrderEvents {
  status(
    orderId: number,
    status: string,
    filled: number,
    remaining: number,
    avgFillPrice: number,
    permId: number,
    lastFillPrice: number,
  ): void;
  /** A fill as it happens (`recovered` false) or answered to `executions()` after a (re)connect. */
  execution(report: ExecutionReport): void;
  commission(execId: string, commission: number, currency: string, realizedPnl: number | null): void;
  /** An order the gateway reports as open (on placement, on a change, or to `openOrders()`). */
  openOrder(report: OpenOrderReport): void;
}

/** One execution, with what links it to our decision across restarts and client ids. */
export interface ExecutionReport {
  orderId: number;
  clientId: number;
  permId: number;
  execId: string;
  side: "BUY" | "SELL";
  shares: number;
  priceUsd: number;
  exchange: string;
  account: string;
  contract: Contract;
  orderRef: string | null;
  /** Answered to a `reqExecutions` (after a reconnect), not pushed as it happened. */
  recovered: boolean;
}

/** An order the gateway holds, from OPEN_ORDER. */
export interface OpenOrderReport {
  orderId: number;
  clientId: number;
  permId: number;
  orderRef: string | null;
  status: string;
  contract: Contract;
}

/** An order as live sends it (the intent, its id, its decision as orderRef, its account). */
export interface OrderRequest {
  orderId: number;
  contract: Contract;
  side: "BUY" | "SELL";
  quantity: number;
  orderType: "MKT" | "LMT";
  limitPriceUsd?: number | undefined;
  tif: "DAY" | "IOC" | "GTC";
  orderRef: string;
  account: string;
}

/** What the gateway answered a what-if order with: the order's effect on the account's margin. */
export interface MarginPreview {
  orderId: number;
  initMarginBeforeUsd: number | null;
  initMarginChangeUsd: number | null;
  initMarginAfterUsd: number | null;
  maintMarginChangeUsd: number | null;
  equityWithLoanChangeUsd: number | null;
  commissionUsd: number | null;
  warningText: string;
}

/** A request the gateway did not answer in time; the subscription was cancelled. */
export class GatewayTimeout extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what}: no answer from the gateway within ${ms} ms (cancelled)`);
  }
}

/** An error code the gateway answered a request with. */
export class GatewayRequestError extends Error {
  constructor(
    readonly code: number,
    readonly reqId: number,
    message: string,
  ) {
    super(`gateway error ${code} on request ${reqId}: ${message}`);
  }
}

/** The gateway closed the socket while requests were pending. */
export class GatewayDisconnected extends Error {}
