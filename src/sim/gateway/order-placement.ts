/**
 * placeOrder as IB treats it: a modification when the client's id is already working, then the
 * checks in IB's order (contract 200, order type and quantity 201, price grid 110, margin 201),
 * then either a what-if answer (OPEN_ORDER with the margin figures, nothing placed) or the order
 * itself — held while `transmit` is false, PreSubmitted, then Submitted when it may work — with
 * the warnings IB attaches to ordinary orders (399 before the open, 10349 a TIF taken from the
 * preset, 2109 outside-RTH ignored), which are not errors: the order goes on.
 */
import {
  BOOK_ORDER_TYPES,
  type BookContract,
  type BookOrder,
  type BookOrderType,
  easternText,
  type MarginImpact,
  OFF_TICK_TEXT,
  onTickGrid,
  requestContract,
  resolve,
  sessionOpen,
  workingSession,
} from "../book/index.js";
import { OPEN_ORDER, UNSET_DOUBLE } from "../protocol/index.js";
import { orderValues } from "./order-values.js";
import type { Handler, Session } from "./session.js";

const price = (v: unknown): number | undefined => {
  const n = v === undefined || v === "" ? Number.NaN : Number(v);
  return Number.isFinite(n) && n < UNSET_DOUBLE ? n : undefined;
};

/** The order as decoded, in the book's terms. */
interface Placement {
  orderId: number;
  action: string;
  quantity: number;
  orderType: string;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  tif: string;
  outsideRth: boolean;
  transmit: boolean;
  parentId: number;
  whatIf: boolean;
  orderRef: string;
  account: string;
}

function placementOf(v: Record<string, unknown>): Placement {
  return {
    orderId: Number(v.orderId),
    action: String(v.action ?? ""),
    quantity: Number(v.totalQuantity),
    orderType: String(v.orderType ?? "").toUpperCase(),
    lmtPrice: price(v.lmtPrice),
    auxPrice: price(v.auxPrice),
    tif: String(v.tif ?? "").toUpperCase(),
    outsideRth: v.outsideRth === true,
    // An absent transmit (a client that stops early) transmits, as the API's default does.
    transmit: v.transmit !== false,
    parentId: Number(v.parentId ?? 0) || 0,
    whatIf: v.whatIf === true,
    orderRef: String(v.orderRef ?? ""),
    account: String(v.account ?? ""),
  };
}

/** Why an order of this shape is not one the account takes (IB's 201 text), or undefined. */
function unsupported(p: Placement): string | undefined {
  const bad = `Order rejected - reason:unsupported order (${p.action} ${p.quantity} ${p.orderType})`;
  if ((p.action !== "BUY" && p.action !== "SELL") || !(p.quantity > 0) || !BOOK_ORDER_TYPES.has(p.orderType))
    return bad;
  const needsLimit = p.orderType === "LMT" || p.orderType === "STP LMT";
  const needsStop = p.orderType === "STP" || p.orderType === "STP LMT";
  if (needsLimit && !(p.lmtPrice !== undefined && p.lmtPrice > 0)) return bad;
  if (needsStop && !(p.auxPrice !== undefined && p.auxPrice > 0)) return bad;
  if (p.tif !== "" && p.tif !== "DAY" && p.tif !== "GTC" && p.tif !== "IOC")
    return `Order rejected - reason:unsupported time in force ${p.tif}`;
  return undefined;
}

/** The prices of the order that must sit on the contract's grid. */
function pricesOf(p: Placement): number[] {
  const out: number[] = [];
  if (p.orderType === "LMT" || p.orderType === "STP LMT") out.push(p.lmtPrice!);
  if (p.orderType === "STP" || p.orderType === "STP LMT") out.push(p.auxPrice!);
  return out;
}

/** IB's margin figures as OPEN_ORDER carries them (text, as the gateway writes them). */
function whatIfValues(impact: MarginImpact): Record<string, unknown> {
  const text = (x: number) => x.toFixed(2);
  return {
    whatIf: true,
    initMarginBefore: text(impact.initMarginBefore),
    maintMarginBefore: text(impact.maintMarginBefore),
    equityWithLoanBefore: text(impact.equityWithLoanBefore),
    initMarginChange: text(impact.initMarginAfter - impact.initMarginBefore),
    maintMarginChange: text(impact.maintMarginAfter - impact.maintMarginBefore),
    equityWithLoanChange: text(impact.equityWithLoanAfter - impact.equityWithLoanBefore),
    initMarginAfter: text(impact.initMarginAfter),
    maintMarginAfter: text(impact.maintMarginAfter),
    equityWithLoanAfter: text(impact.equityWithLoanAfter),
    commission: impact.commission,
    minCommission: impact.commission,
    maxCommission: impact.commission,
    commissionCurrency: "USD",
  };
}

/** "BUY 1 SPY Feb06'26 690 CALL" style, as IB's order messages name an order. */
function describe(p: Placement, c: BookContract): string {
  if (c.secType === "STK") return `${p.action} ${p.quantity} ${c.symbol} ARCA`;
  const e = c.lastTradeDateOrContractMonth;
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
    Number(e.slice(4, 6)) - 1
  ];
  return `${p.action} ${p.quantity} ${c.symbol} ${month}${e.slice(6, 8)}'${e.slice(2, 4)} ${c.strike} ${c.right === "P" ? "PUT" : "CALL"} CBOE`;
}

/** The warnings IB attaches to this order as placed now (each where IB sends it, or all with the scenario's). */
function warnings(session: Session, p: Placement, c: BookContract, nowMs: number): [number, string][] {
  const all = session.ctx.scenario.orderWarnings;
  const out: [number, string][] = [];
  if (all || p.tif === "") out.push([10349, "Order TIF was set to DAY based on order preset."]);
  // Options and market orders trade in the regular session only: the attribute is dropped.
  if (all || (p.outsideRth && (c.secType === "OPT" || p.orderType === "MKT")))
    out.push([
      2109,
      "Order Event Warning:Attribute 'Outside Regular Trading Hours' is ignored based on the order type and destination. PlaceOrder is now being processed.",
    ]);
  if (all || !sessionOpen(c.secType, nowMs)) {
    const { openMs } = workingSession(c.secType, nowMs);
    const opens = openMs > nowMs ? openMs : workingSession(c.secType, openMs + 86_400_000).openMs;
    out.push([
      399,
      `Order Message:\n${describe(p, c)}\nWarning: your order will not be placed at the exchange until ${easternText(opens)} US/Eastern`,
    ]);
  }
  return out;
}

export const placeOrder: Handler = (session, v) => {
  session.countRequest("place-order");
  const { ctx } = session;
  const p = placementOf(v);
  const { orderId } = p;
  ctx.log({
    event: "request",
    kind: p.whatIf ? "what-if" : "order",
    orderId,
    symbol: v.symbol,
    action: p.action,
    quantity: p.quantity,
    orderType: p.orderType,
    orderRef: p.orderRef,
    clientId: session.clientId,
  });
  ctx.book.useOrderId(session.clientId, orderId);
  const existing = ctx.book.order(session.clientId, orderId);
  if (existing && !p.whatIf) {
    // Same id again: a modification of a working order (or the transmit of a held one), else 103.
    if (!ctx.book.modify(existing, p.quantity, p.lmtPrice, p.auxPrice))
      session.error(orderId, 103, "Duplicate order id");
    else if (p.transmit && !existing.transmitted) startWorking(session, ctx.book.transmit(existing));
    return;
  }
  const contract = resolve(ctx.market, requestContract(v), ctx.nowMs());
  if (!contract) {
    session.error(orderId, 200, "No security definition has been found for the request");
    return;
  }
  const shape = unsupported(p);
  if (shape) {
    session.error(orderId, 201, shape);
    return;
  }
  if (pricesOf(p).some((x) => !onTickGrid(contract, x))) {
    ctx.log({ event: "refused", orderId, code: 110 });
    session.error(orderId, 110, OFF_TICK_TEXT);
    return;
  }
  const now = ctx.nowMs();
  const atPrice = pricesOf(p)[0];
  const action = p.action as "BUY" | "SELL";
  const refusal = ctx.book.refusal(contract, action, p.quantity, atPrice, now);
  if (refusal) {
    ctx.log({ event: "refused", orderId, code: refusal.code });
    session.error(orderId, refusal.code, refusal.text);
    if (p.whatIf) return;
  }
  if (p.whatIf) {
    // Answered with the margin figures; nothing is placed, filled or reported.
    const impact = ctx.book.marginImpact(contract, action, p.quantity, atPrice, now);
    const draft = {
      ...ctx.book.draft(orderFields(session, p, contract), now),
      status: "PreSubmitted" as const,
    };
    session.send(OPEN_ORDER, { ...orderValues(draft), ...whatIfValues(impact) });
    return;
  }
  const order = ctx.book.place(orderFields(session, p, contract), now, refusal !== undefined);
  if (refusal) return;
  for (const [code, text] of warnings(session, p, contract, now)) session.error(orderId, code, text);
  if (order.transmitted) startWorking(session, [order, ...ctx.book.transmit(order)]);
};

function orderFields(session: Session, p: Placement, contract: BookContract) {
  const type = p.orderType as BookOrderType;
  const limited = type === "LMT" || type === "STP LMT";
  const stopped = type === "STP" || type === "STP LMT";
  return {
    orderId: p.orderId,
    clientId: session.clientId,
    contract,
    action: p.action as "BUY" | "SELL",
    totalQuantity: p.quantity,
    orderType: type,
    lmtPrice: limited ? p.lmtPrice : undefined,
    auxPrice: stopped ? p.auxPrice : undefined,
    tif: p.tif || "DAY",
    parentId: p.parentId,
    outsideRth: p.outsideRth,
    transmitted: p.transmit,
    account: p.account || session.ctx.account,
    orderRef: p.orderRef,
  };
}

/** Transmitted orders reach the (simulated) exchange after the fill delay, then match. */
function startWorking(session: Session, orders: readonly BookOrder[]): void {
  const { ctx } = session;
  ctx.atMarketTime(ctx.scenario.fillDelayMs, () => ctx.book.release(orders, ctx.nowMs()));
}
