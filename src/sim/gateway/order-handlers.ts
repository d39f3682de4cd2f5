/**
 * Order requests (place, cancel, open orders, executions, completed orders) and the messages a
 * gateway sends as orders change: OPEN_ORDER then ORDER_STATUS on every state change; on a fill
 * EXECUTION_DATA, ORDER_STATUS, OPEN_ORDER, COMMISSION_REPORT (the order a real gateway uses).
 */
import { newYorkParts, newYorkTimeToMs } from "../../events/index.js";
import type { BookExecution, BookOrder } from "../book/index.js";
import { contractValues } from "../book/index.js";
import {
  COMMISSION_REPORT,
  COMPLETED_ORDER,
  COMPLETED_ORDERS_END,
  EXECUTION_DATA,
  EXECUTION_DATA_END,
  executionTime,
  OPEN_ORDER,
  OPEN_ORDER_END,
  ORDER_STATUS,
} from "../protocol/index.js";
import { placeOrder } from "./order-placement.js";
import { orderValues, statusValues } from "./order-values.js";
import type { Handler, Session, SimContext } from "./session.js";

function executionValues(e: BookExecution, reqId: number): Record<string, unknown> {
  const o = e.order;
  const venue = o.contract.secType === "OPT" ? "CBOE" : "ARCA";
  return {
    ...contractValues(o.contract),
    exchange: venue,
    reqId,
    orderId: o.orderId,
    execId: e.execId,
    time: executionTime(e.timeMs),
    acctNumber: o.account,
    execExchange: venue,
    side: o.action === "BUY" ? "BOT" : "SLD",
    shares: e.shares,
    price: e.price,
    permId: o.permId,
    clientId: o.clientId,
    liquidation: 0,
    cumQty: e.cumQty,
    avgPrice: e.avgPrice,
    orderRef: o.orderRef,
    evRule: "",
    evMultiplier: undefined,
    modelCode: "",
    lastLiquidity: o.rested ? 1 : 2,
    pendingPriceRevision: false,
  };
}

function commissionValues(e: BookExecution): Record<string, unknown> {
  return {
    execId: e.execId,
    commission: e.commission,
    currency: "USD",
    realizedPNL: e.realizedPnl,
    yield: undefined,
    yieldRedemptionDate: "",
  };
}

/** The sessions that hear about an order: its own client, and clientId 0 bound by reqAutoOpenOrders. */
export function orderListeners(ctx: SimContext, order: BookOrder): Session[] {
  return [...ctx.sessions].filter(
    (s) => s.started && (s.clientId === order.clientId || (s.clientId === 0 && s.subs.autoOpenOrders)),
  );
}

/** Route book events to connections (called once per simulator). */
export function routeOrderEvents(ctx: SimContext): void {
  ctx.book.onEvent((e) => {
    if (e.type === "order") {
      for (const s of orderListeners(ctx, e.order)) {
        s.send(OPEN_ORDER, orderValues(e.order));
        s.send(ORDER_STATUS, statusValues(e.order));
      }
      return;
    }
    const order = e.execution.order;
    // A fill while connectivity is lost never reaches the socket; reqExecutions has it later.
    if (ctx.connectivity.lost && ctx.scenario.connectivityLost?.withholdFillReports) return;
    for (const s of orderListeners(ctx, order)) {
      if (s.clientId === order.clientId) s.send(EXECUTION_DATA, executionValues(e.execution, -1));
      s.send(ORDER_STATUS, statusValues(order));
      s.send(OPEN_ORDER, orderValues(order));
      if (s.clientId === order.clientId) s.send(COMMISSION_REPORT, commissionValues(e.execution));
    }
  });
}

const cancelOrder: Handler = (session, v) => {
  session.countRequest("cancel-order");
  const { book } = session.ctx;
  const orderId = Number(v.orderId);
  // Ids are per client id; client 0 may cancel another client's order by its id.
  const order =
    book.order(session.clientId, orderId) ??
    (session.clientId === 0 ? book.working().find((o) => o.orderId === orderId) : undefined);
  if (!order?.transmitted) {
    session.error(orderId, 10147, `OrderId ${orderId} that needs to be cancelled is not found.`);
    return;
  }
  if (!book.cancel(order, session.ctx.nowMs())) {
    session.error(
      orderId,
      10148,
      `OrderId ${orderId} that needs to be cancelled cannot be cancelled, state: ${order.status}.`,
    );
    return;
  }
  session.error(orderId, 202, "Order Canceled - reason:");
};

const globalCancel: Handler = (session) => {
  session.countRequest("global-cancel");
  const { book } = session.ctx;
  for (const order of book.working()) {
    book.cancel(order, session.ctx.nowMs());
    for (const s of orderListeners(session.ctx, order))
      s.error(order.orderId, 202, "Order Canceled - reason:");
  }
};

function sendOpenOrders(session: Session, all: boolean): void {
  for (const order of session.ctx.book.working())
    if (order.transmitted && (all || order.clientId === session.clientId)) {
      session.send(OPEN_ORDER, orderValues(order));
      session.send(ORDER_STATUS, statusValues(order));
    }
  session.send(OPEN_ORDER_END, {});
}

const openOrders: Handler = (session) => {
  session.countRequest("open-orders");
  // clientId 0 sees every API client's orders too, as on a real gateway.
  sendOpenOrders(session, session.clientId === 0);
};
const allOpenOrders: Handler = (session) => {
  session.countRequest("open-orders");
  sendOpenOrders(session, true);
};
const autoOpenOrders: Handler = (session, v) => {
  session.countRequest("open-orders");
  if (session.clientId !== 0) {
    session.error(
      -1,
      321,
      "Error validating request:-'bB' : cause - Only client id 0 can request auto open orders",
    );
    return;
  }
  session.subs.autoOpenOrders = v.autoBind === true;
  sendOpenOrders(session, true);
};

/** `yyyymmdd-hh:mm:ss` (or with a space), New York time, as ExecutionFilter.time. */
function filterTimeMs(time: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})[-\s]+(\d{2}):(\d{2})(?::(\d{2}))?/.exec(time.trim());
  if (!m) return undefined;
  return newYorkTimeToMs(`${m[1]}-${m[2]}-${m[3]}`, Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
}

const executions: Handler = (session, v) => {
  session.countRequest("executions");
  const { ctx } = session;
  const reqId = Number(v.reqId);
  const today = newYorkParts(ctx.nowMs()).date;
  const clientId = v.clientId as number | undefined;
  const account = String(v.acctCode ?? "");
  const since = filterTimeMs(String(v.time ?? ""));
  const symbol = String(v.symbol ?? "");
  const secType = String(v.secType ?? "");
  const exchange = String(v.exchange ?? "");
  const side = String(v.side ?? "").toUpperCase();
  for (const e of ctx.book.executions) {
    const o = e.order;
    if (newYorkParts(e.timeMs).date !== today) continue;
    // Blank or 0 filter fields match everything (IB's ExecutionFilter semantics).
    if (clientId && o.clientId !== clientId) continue;
    if (account && o.account !== account) continue;
    if (since !== undefined && e.timeMs < since) continue;
    if (symbol && o.contract.symbol !== symbol) continue;
    if (secType && o.contract.secType !== secType) continue;
    if (exchange && exchange !== "SMART" && exchange !== (o.contract.secType === "OPT" ? "CBOE" : "ARCA"))
      continue;
    if (side && side !== o.action && side !== (o.action === "BUY" ? "BOT" : "SLD")) continue;
    session.send(EXECUTION_DATA, executionValues(e, reqId));
    session.send(COMMISSION_REPORT, commissionValues(e));
  }
  session.send(EXECUTION_DATA_END, { reqId });
};

const completedOrders: Handler = (session) => {
  session.countRequest("completed-orders");
  const done = [...session.ctx.book.orders.values()]
    .filter((o) => o.completedMs !== undefined)
    .sort((a, b) => a.completedMs! - b.completedMs! || a.permId - b.permId);
  for (const order of done) session.send(COMPLETED_ORDER, orderValues(order));
  session.send(COMPLETED_ORDERS_END, {});
};

/** Handlers by request message id. */
export const ORDER_HANDLERS: ReadonlyArray<readonly [number, Handler]> = [
  [3, placeOrder],
  [4, cancelOrder],
  [58, globalCancel],
  [5, openOrders],
  [16, allOpenOrders],
  [15, autoOpenOrders],
  [7, executions],
  [99, completedOrders],
];
