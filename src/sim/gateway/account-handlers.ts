/**
 * Account requests: positions (a subscription: all, end, then a push after every fill),
 * account updates (values, portfolio, update time, download end), account updates multi,
 * account summary and PnL. Every one reports the simulator's one account.
 */
import type { Holding } from "../book/index.js";
import { contractValues } from "../book/index.js";
import {
  ACCOUNT_SUMMARY,
  ACCOUNT_SUMMARY_END,
  ACCOUNT_UPDATE_MULTI,
  ACCOUNT_UPDATE_MULTI_END,
  ACCT_DOWNLOAD_END,
  ACCT_UPDATE_TIME,
  ACCT_VALUE,
  accountTime,
  PNL,
  PNL_SINGLE,
  PORTFOLIO_VALUE,
  POSITION,
  POSITION_END,
  POSITION_MULTI,
  POSITION_MULTI_END,
} from "../protocol/index.js";
import { requestedSummary, updateRows } from "./account-values.js";
import type { Handler, Session, SimContext } from "./session.js";

function positionValues(ctx: SimContext, h: Holding): Record<string, unknown> {
  return {
    ...contractValues(h.contract),
    account: ctx.account,
    // Positions carry no routing exchange; stocks show their primary exchange.
    exchange: h.contract.secType === "STK" ? "ARCA" : "",
    position: h.quantity,
    avgCost: h.avgCost,
  };
}

function portfolioValues(ctx: SimContext, h: Holding): Record<string, unknown> {
  const now = ctx.nowMs();
  const mark = ctx.book.mark(h.contract, now);
  const mult = h.contract.secType === "OPT" ? Number(h.contract.multiplier || 100) : 1;
  const marketValue = Math.round(mark * mult * h.quantity * 100) / 100;
  return {
    ...contractValues(h.contract),
    primaryExch: h.contract.secType === "STK" ? "ARCA" : "",
    position: h.quantity,
    marketPrice: mark,
    marketValue,
    averageCost: h.avgCost,
    unrealizedPNL: Math.round((marketValue - h.avgCost * h.quantity) * 100) / 100,
    realizedPNL: h.realizedPnl,
    accountName: ctx.account,
  };
}

function sendAccountUpdate(session: Session): void {
  const { ctx } = session;
  for (const [key, value, currency] of updateRows(ctx))
    session.send(ACCT_VALUE, { key, value, currency, accountName: ctx.account });
  for (const h of ctx.book.holdings.values()) session.send(PORTFOLIO_VALUE, portfolioValues(ctx, h));
  session.send(ACCT_UPDATE_TIME, { timeStamp: accountTime(ctx.nowMs()) });
}

function sendPnl(session: Session, reqId: number): void {
  const s = session.ctx.book.summary(session.ctx.nowMs());
  session.send(PNL, {
    reqId,
    dailyPnL: Math.round((s.unrealizedPnlUsd + s.realizedPnlUsd) * 100) / 100,
    unrealizedPnL: s.unrealizedPnlUsd,
    realizedPnL: s.realizedPnlUsd,
  });
}

/** After every fill: positions, portfolio and PnL to the connections subscribed to them. */
export function routeAccountEvents(ctx: SimContext): void {
  ctx.book.onEvent((e) => {
    if (e.type !== "fill") return;
    for (const s of ctx.sessions) {
      if (!s.started) continue;
      if (s.subs.positions) s.send(POSITION, positionValues(ctx, e.holding));
      for (const reqId of s.subs.positionsMulti)
        s.send(POSITION_MULTI, { ...positionValues(ctx, e.holding), reqId, modelCode: "" });
      if (s.subs.accountUpdates) {
        s.send(PORTFOLIO_VALUE, portfolioValues(ctx, e.holding));
        for (const [key, value, currency] of updateRows(ctx))
          s.send(ACCT_VALUE, { key, value, currency, accountName: ctx.account });
        s.send(ACCT_UPDATE_TIME, { timeStamp: accountTime(ctx.nowMs()) });
      }
      for (const reqId of s.subs.pnl) sendPnl(s, reqId);
    }
  });
}

const positions: Handler = (session) => {
  session.countRequest("positions");
  session.subs.positions = true;
  // A closed position stays listed with 0 for the rest of the session, as on a real gateway.
  for (const h of session.ctx.book.holdings.values()) session.send(POSITION, positionValues(session.ctx, h));
  session.send(POSITION_END, {});
};

const cancelPositions: Handler = (session) => {
  session.subs.positions = false;
};

const accountData: Handler = (session, v) => {
  session.countRequest("account-updates");
  const subscribe = v.subscribe === true;
  session.subs.accountUpdates = subscribe;
  if (!subscribe) return;
  sendAccountUpdate(session);
  session.send(ACCT_DOWNLOAD_END, { accountName: session.ctx.account });
};

/** The *Multi requests name one account (or All): another account is IB's 321 on the request's id. */
function refusesAccount(session: Session, reqId: number, requested: unknown): boolean {
  const account = String(requested ?? "");
  if (!account || account === "All" || account === session.ctx.account) return false;
  session.error(reqId, 321, `Error validating request:-'cd' : cause - Invalid account code ${account}`);
  return true;
}

const accountUpdatesMulti: Handler = (session, v) => {
  session.countRequest("account-updates-multi");
  const reqId = Number(v.reqId);
  const { ctx } = session;
  if (refusesAccount(session, reqId, v.account)) return;
  session.subs.accountMulti.add(reqId);
  const modelCode = String(v.modelCode ?? "");
  for (const [key, value, currency] of updateRows(ctx))
    session.send(ACCOUNT_UPDATE_MULTI, { reqId, account: ctx.account, modelCode, key, value, currency });
  session.send(ACCOUNT_UPDATE_MULTI_END, { reqId });
};

/**
 * reqPositionsMulti: one account's positions, filtered by model code. An account that is not FA has
 * no models, so a model code other than empty lists nothing, and an unknown account is IB's 321.
 * The subscription then follows every fill, as reqPositions does.
 */
const positionsMulti: Handler = (session, v) => {
  session.countRequest("positions-multi");
  const reqId = Number(v.reqId);
  const { ctx } = session;
  if (refusesAccount(session, reqId, v.account)) return;
  // Only the empty model holds anything, so only its requests are told of later fills.
  if (String(v.modelCode ?? "") === "") {
    session.subs.positionsMulti.add(reqId);
    for (const h of ctx.book.holdings.values())
      session.send(POSITION_MULTI, { ...positionValues(ctx, h), reqId, modelCode: "" });
  }
  session.send(POSITION_MULTI_END, { reqId });
};

const cancelPositionsMulti: Handler = (session, v) => {
  session.subs.positionsMulti.delete(Number(v.reqId));
};

const cancelAccountUpdatesMulti: Handler = (session, v) => {
  session.subs.accountMulti.delete(Number(v.reqId));
};

const accountSummary: Handler = (session, v) => {
  session.countRequest("account-summary");
  const reqId = Number(v.reqId);
  for (const [tag, value, currency] of requestedSummary(session.ctx, String(v.tags ?? "")))
    session.send(ACCOUNT_SUMMARY, { reqId, account: session.ctx.account, tag, value, currency });
  session.send(ACCOUNT_SUMMARY_END, { reqId });
};

const pnl: Handler = (session, v) => {
  session.countRequest("pnl");
  const reqId = Number(v.reqId);
  session.subs.pnl.add(reqId);
  sendPnl(session, reqId);
};

const pnlSingle: Handler = (session, v) => {
  session.countRequest("pnl");
  const reqId = Number(v.reqId);
  const { ctx } = session;
  const h = ctx.book.holdings.get(Number(v.conId));
  if (!h) {
    session.send(PNL_SINGLE, { reqId, position: 0, dailyPnL: 0, unrealizedPnL: 0, realizedPnL: 0, value: 0 });
    return;
  }
  const p = portfolioValues(ctx, h);
  session.send(PNL_SINGLE, {
    reqId,
    position: h.quantity,
    dailyPnL: Number(p.unrealizedPNL) + h.realizedPnl,
    unrealizedPnL: p.unrealizedPNL,
    realizedPnL: h.realizedPnl,
    value: p.marketValue,
  });
};

const cancelPnl: Handler = (session, v) => {
  session.subs.pnl.delete(Number(v.reqId));
};

/** Handlers by request message id. */
export const ACCOUNT_HANDLERS: ReadonlyArray<readonly [number, Handler]> = [
  [61, positions],
  [64, cancelPositions],
  [6, accountData],
  [74, positionsMulti],
  [75, cancelPositionsMulti],
  [76, accountUpdatesMulti],
  [77, cancelAccountUpdatesMulti],
  [62, accountSummary],
  [63, () => {}],
  [92, pnl],
  [93, cancelPnl],
  [94, pnlSingle],
  [95, () => {}],
];
