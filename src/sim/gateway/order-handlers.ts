/**
 * Order requests (place, cancel, open orders, executions, completed orders) and the messages a
 * gateway sends as orders change: OPEN_ORDER then ORDER_STATUS on every state change; on a fill
 * EXECUTION_DATA, ORDER_STATUS, OPEN_ORDER, COMMISSION_REPORT (the order a real gateway uses).
 */
import { newYorkParts, newYorkTimeToMs } from "../../events/index.js";
import type { BookExecution, BookOrder } from "../book/index.js";
import { contractValues, requestContract, resolve } from "../book/index.js";
import {
  COMMISSION_REPORT,
  COMPLETED_ORDER,
  COMPLETED_ORDERS_END,
  EXECUTION_DATA,
  EXECUTION_DATA_END,
  executionTime,
  ibTime,
  javaDouble,
  OPEN_ORDER,
  OPEN_ORDER_END,
  ORDER_STATUS,
  UNSET_DOUBLE,
  UNSET_INT,
} from "../protocol/index.js";
import type { Handler, Session, SimContext } from "./session.js";

const MAX = javaDouble(UNSET_DOUBLE);

/** What a real gateway writes for the order attributes a plain order leaves unset. */
const ORDER_DEFAULTS: Readonly<Record<string, unknown>> = {
  auxPrice: 0,
  ocaGroup: "",
  openClose: "",
  origin: 0,
  outsideRth: false,
  hidden: false,
  discretionaryAmt: 0,
  goodAfterTime: "",
  sharesAllocation: "",
  faGroup: "",
  faMethod: "",
  faPercentage: "",
  faProfile: "",
  modelCode: "",
  goodTillDate: "",
  rule80A: "",
  settlingFirm: "",
  shortSaleSlot: 0,
  designatedLocation: "",
  exemptCode: -1,
  auctionStrategy: 0,
  blockOrder: false,
  sweepToFill: false,
  allOrNone: false,
  displaySize: UNSET_INT,
  scaleInitLevelSize: UNSET_INT,
  scaleSubsLevelSize: UNSET_INT,
  ocaType: 3,
  eTradeOnly: false,
  firmQuoteOnly: false,
  parentId: 0,
  triggerMethod: 0,
  volatilityType: 0,
  // A gateway writes "None" and then the delta-neutral block the decoders read after a non-empty type.
  deltaNeutralOrderType: "None",
  deltaNeutralConId: 0,
  deltaNeutralSettlingFirm: "",
  deltaNeutralClearingAccount: "",
  deltaNeutralClearingIntent: "",
  deltaNeutralOpenClose: "",
  deltaNeutralShortSale: false,
  deltaNeutralShortSaleSlot: 0,
  deltaNeutralDesignatedLocation: "",
  continuousUpdate: 0,
  referencePriceType: 0,
  comboLegsDescription: "",
  comboLegs: [],
  orderComboLegs: [],
  smartComboRoutingParams: [],
  hedgeType: "",
  optOutSmartRouting: false,
  clearingAccount: "",
  clearingIntent: "IB",
  notHeld: false,
  hasDeltaNeutralContract: false,
  algoStrategy: "",
  solicited: false,
  whatIf: false,
  initMarginBefore: MAX,
  maintMarginBefore: MAX,
  equityWithLoanBefore: MAX,
  initMarginChange: MAX,
  maintMarginChange: MAX,
  equityWithLoanChange: MAX,
  initMarginAfter: MAX,
  maintMarginAfter: MAX,
  equityWithLoanAfter: MAX,
  commissionCurrency: "",
  warningText: "",
  randomizeSize: false,
  randomizePrice: false,
  conditions: [],
  adjustedOrderType: "None",
  adjustableTrailingUnit: 0,
  softDollarTierName: "",
  softDollarTierValue: "",
  softDollarTierDisplayName: "",
  dontUseAutoPriceForHedge: true,
  isOmsContainer: false,
  discretionaryUpToLimitPrice: false,
  usePriceMgmtAlgo: false,
  duration: UNSET_INT,
  postToAts: UNSET_INT,
  autoCancelParent: false,
  customerAccount: "",
  professionalCustomer: false,
  bondAccruedInterest: "",
  includeOvernight: false,
  extOperator: "",
  manualOrderIndicator: UNSET_INT,
  autoCancelDate: "",
  refFuturesConId: UNSET_INT,
  shareholder: "Not an insider or substantial shareholder",
  imbalanceOnly: false,
  routeMarketableToBbo: false,
  parentPermId: UNSET_INT,
};

/** The OPEN_ORDER / COMPLETED_ORDER values of a book order. */
export function orderValues(order: BookOrder): Record<string, unknown> {
  return {
    ...ORDER_DEFAULTS,
    ...contractValues(order.contract),
    // A stock's right is "?" in order messages (unset), as real captures have it.
    right: order.contract.secType === "STK" ? "?" : order.contract.right,
    orderId: order.orderId,
    action: order.action,
    totalQuantity: order.totalQuantity,
    orderType: order.orderType,
    lmtPrice: order.lmtPrice,
    tif: order.tif,
    account: order.account,
    orderRef: order.orderRef,
    clientId: order.clientId,
    permId: order.permId,
    status: order.status,
    filledQuantity: order.filled,
    completedTime: order.completedMs === undefined ? "" : ibTime(order.completedMs),
    completedStatus: order.completedStatus ?? "",
  };
}

function statusValues(order: BookOrder): Record<string, unknown> {
  return {
    orderId: order.orderId,
    status: order.status,
    filled: order.filled,
    remaining: order.totalQuantity - order.filled,
    avgFillPrice: order.avgFillPrice,
    permId: order.permId,
    parentId: 0,
    lastFillPrice: order.lastFillPrice,
    clientId: order.clientId,
    whyHeld: "",
    mktCapPrice: 0,
  };
}

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
function orderListeners(ctx: SimContext, order: BookOrder): Session[] {
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

const placeOrder: Handler = (session, v) => {
  session.countRequest("place-order");
  const { ctx } = session;
  const orderId = Number(v.orderId);
  const action = String(v.action ?? "");
  const quantity = Number(v.totalQuantity);
  const orderType = String(v.orderType ?? "");
  const lmtPrice = v.lmtPrice === undefined ? undefined : Number(v.lmtPrice);
  const orderRef = String(v.orderRef ?? "");
  ctx.log({
    event: "request",
    kind: "order",
    orderId,
    symbol: v.symbol,
    action,
    quantity,
    orderType,
    orderRef,
    clientId: session.clientId,
  });
  ctx.book.nextOrderId = Math.max(ctx.book.nextOrderId, orderId + 1);
  const existing = ctx.book.orders.get(orderId);
  if (existing) {
    // Same id again: a modification of a working order, else IB's 103.
    if (!ctx.book.modify(existing, quantity, lmtPrice)) session.error(orderId, 103, "Duplicate order id");
    return;
  }
  const contract = resolve(ctx.market, requestContract(v), ctx.nowMs());
  if (!contract) {
    session.error(orderId, 200, "No security definition has been found for the request");
    return;
  }
  if (
    (action !== "BUY" && action !== "SELL") ||
    !(quantity > 0) ||
    (orderType !== "MKT" && orderType !== "LMT") ||
    (orderType === "LMT" && !(lmtPrice !== undefined && lmtPrice > 0 && lmtPrice < UNSET_DOUBLE))
  ) {
    session.error(
      orderId,
      201,
      `Order rejected - reason:unsupported order (${action} ${quantity} ${orderType})`,
    );
    return;
  }
  const now = ctx.nowMs();
  const refusal = ctx.book.refusal(contract, action, quantity);
  if (refusal) {
    ctx.log({ event: "refused", orderId, code: refusal.code });
    session.error(orderId, refusal.code, refusal.text);
  }
  const order = ctx.book.place(
    {
      orderId,
      clientId: session.clientId,
      contract,
      action,
      totalQuantity: quantity,
      orderType,
      lmtPrice: orderType === "LMT" ? lmtPrice : undefined,
      tif: String(v.tif ?? "") || "DAY",
      account: String(v.account ?? "") || ctx.account,
      orderRef,
    },
    now,
    refusal !== undefined,
  );
  if (refusal) return;
  // PreSubmitted now, Submitted once the (simulated) exchange has it, then the first match.
  ctx.later(ctx.scenario.fillDelayMs, () => {
    ctx.book.submit(order);
    ctx.book.match(ctx.nowMs());
  });
};

const cancelOrder: Handler = (session, v) => {
  session.countRequest("cancel-order");
  const { book } = session.ctx;
  const orderId = Number(v.orderId);
  const order = book.orders.get(orderId);
  if (!order || (order.clientId !== session.clientId && session.clientId !== 0)) {
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
    if (all || order.clientId === session.clientId) {
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
