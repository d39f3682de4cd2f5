/**
 * Contracts between our catalogue's shape and `@stoqey/ib`'s. Only `src/live` speaks the client's
 * types; everything past this file sees our `Contract`.
 */
import {
  type Execution,
  type Contract as IbContract,
  type Order as IbOrder,
  type OrderState as IbOrderState,
  OptionType,
  OrderAction,
  OrderType,
  SecType,
  TimeInForce,
} from "@stoqey/ib";
import type { Contract } from "../events/index.js";
import type { ExecutionReport, MarginPreview, OpenOrderReport, OrderRequest } from "./gateway-types.js";

/**
 * Our order → the client's. The TIF is always sent: an order without one takes the account's
 * preset, and IB says so with 10349 on every order.
 */
export function toIbOrder(order: OrderRequest, whatIf = false): IbOrder {
  return {
    action: order.side === "BUY" ? OrderAction.BUY : OrderAction.SELL,
    orderType: order.orderType === "MKT" ? OrderType.MKT : OrderType.LMT,
    totalQuantity: order.quantity,
    ...(order.limitPriceUsd === undefined ? {} : { lmtPrice: order.limitPriceUsd }),
    tif: order.tif === "GTC" ? TimeInForce.GTC : order.tif === "IOC" ? TimeInForce.IOC : TimeInForce.DAY,
    orderRef: order.orderRef,
    ...(order.account ? { account: order.account } : {}),
    transmit: true,
    ...(whatIf ? { whatIf: true } : {}),
  };
}

/** A what-if answer's margin figures (IB leaves a figure unset as Double.MAX_VALUE). */
export function marginPreview(orderId: number, state: IbOrderState): MarginPreview {
  const usd = (x: number | undefined) => (x === undefined || !(Math.abs(x) < 1e300) ? null : x);
  return {
    orderId,
    initMarginBeforeUsd: usd(state.initMarginBefore),
    initMarginChangeUsd: usd(state.initMarginChange),
    initMarginAfterUsd: usd(state.initMarginAfter),
    maintMarginChangeUsd: usd(state.maintMarginChange),
    equityWithLoanChangeUsd: usd(state.equityWithLoanChange),
    commissionUsd: usd(state.commission),
    warningText: state.warningText ?? "",
  };
}

/** Our contract → the client's. */
export function toIbContract(contract: Contract): IbContract {
  if (contract.secType === "STK") {
    return {
      symbol: contract.symbol,
      secType: SecType.STK,
      exchange: contract.exchange,
      currency: contract.currency,
      ...(contract.conId ? { conId: contract.conId } : {}),
    };
  }
  return {
    symbol: contract.symbol,
    secType: SecType.OPT,
    exchange: contract.exchange,
    currency: contract.currency,
    lastTradeDateOrContractMonth: contract.expiry,
    strike: contract.strike,
    right: contract.right === "C" ? OptionType.Call : OptionType.Put,
    multiplier: contract.multiplier,
  };
}

/**
 * The client's contract → ours, as the gateway reports it in positions, executions and open
 * orders (routed through SMART like our own orders, so keys match the book's).
 */
export function fromIbContract(contract: IbContract): Contract {
  if (contract.secType === SecType.OPT) {
    return {
      secType: "OPT",
      symbol: contract.symbol ?? "",
      expiry: (contract.lastTradeDateOrContractMonth ?? "").slice(0, 8),
      strike: Number(contract.strike ?? 0),
      right: String(contract.right ?? "").startsWith("P") ? "P" : "C",
      multiplier: Number(contract.multiplier ?? 100),
      exchange: "SMART",
      currency: contract.currency || "USD",
    };
  }
  return {
    secType: "STK",
    symbol: contract.symbol ?? "",
    exchange: "SMART",
    currency: contract.currency || "USD",
  };
}

/** An EXECUTION_DATA as the client decoded it; reqId -1 is a fill pushed as it happened. */
export function executionReport(reqId: number, contract: IbContract, execution: Execution): ExecutionReport {
  return {
    orderId: execution.orderId ?? -1,
    clientId: execution.clientId ?? -1,
    permId: execution.permId ?? 0,
    execId: execution.execId ?? "",
    side: execution.side === "SLD" ? "SELL" : "BUY",
    shares: Number(execution.shares ?? 0),
    priceUsd: execution.price ?? 0,
    exchange: execution.exchange ?? "",
    account: execution.acctNumber ?? "",
    contract: fromIbContract(contract),
    orderRef: execution.orderRef || null,
    recovered: reqId !== -1,
  };
}

/** An OPEN_ORDER as the client decoded it. */
export function openOrderReport(
  orderId: number,
  contract: IbContract,
  order: IbOrder,
  state: IbOrderState,
): OpenOrderReport {
  return {
    orderId,
    clientId: order.clientId ?? -1,
    permId: order.permId ?? 0,
    orderRef: order.orderRef || null,
    status: String(state.status ?? ""),
    contract: fromIbContract(contract),
  };
}
