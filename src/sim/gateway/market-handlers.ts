/**
 * Market data requests: contract details and option parameters, with the scenario's faults
 * (snapshots and streaming are market-data-handlers.ts, historical bars historical-handlers.ts).
 */
import { newYorkParts } from "../../events/index.js";
import { type BookContract, listedOptions, requestContract, resolve } from "../book/index.js";
import type { Values } from "../protocol/index.js";
import {
  CONTRACT_DATA,
  CONTRACT_DATA_END,
  MIN_SERVER_VER,
  SECURITY_DEFINITION_OPTION_PARAMETER,
  SECURITY_DEFINITION_OPTION_PARAMETER_END,
  sessionHours,
} from "../protocol/index.js";
import { unanswered } from "./scenario.js";
import type { Handler, Session } from "./session.js";

const NO_DEFINITION = "No security definition has been found for the request";
export const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The resolved contract (an option only if the chain lists it now), or error 200 on the request id. */
export function known(session: Session, reqId: number, values: Values): BookContract | undefined {
  const c = resolve(session.ctx.market, requestContract(values), session.ctx.nowMs());
  if (!c) session.error(reqId, 200, NO_DEFINITION);
  return c;
}

/**
 * Contract details: one contract, or for an option named without a strike every listed contract of
 * its expiry (the way a client learns an expiry's own strikes), then the end marker.
 */
const contractDetails: Handler = (session, v) => {
  const nth = session.countRequest("contract-details");
  const reqId = Number(v.reqId);
  if (unanswered(session.ctx.scenario, "contract-details", nth)) {
    session.ctx.log({ event: "fault", fault: "unanswered", kind: "contract-details", reqId });
    return;
  }
  const request = requestContract(v);
  if (request.secType === "OPT" && !(request.strike > 0)) {
    const listed = listedOptions(session.ctx.market, request, session.ctx.nowMs());
    if (listed.length === 0) {
      session.error(reqId, 200, NO_DEFINITION);
      return;
    }
    for (const c of listed) contractData(session, reqId, c);
    session.send(CONTRACT_DATA_END, { reqId });
    return;
  }
  const c = known(session, reqId, v);
  if (!c) return;
  contractData(session, reqId, c);
  session.send(CONTRACT_DATA_END, { reqId });
};

function contractData(session: Session, reqId: number, c: BookContract): void {
  const { market } = session.ctx;
  const spec = market.spec(c.symbol)!;
  const isOption = c.secType === "OPT";
  const today = newYorkParts(session.ctx.nowMs()).date;
  session.send(CONTRACT_DATA, {
    reqId,
    symbol: c.symbol,
    secType: c.secType,
    lastTradeDateOrContractMonth: c.lastTradeDateOrContractMonth,
    lastTradeDate: c.lastTradeDateOrContractMonth,
    strike: c.strike,
    right: c.right,
    exchange: "SMART",
    currency: "USD",
    localSymbol: c.localSymbol,
    marketName: c.symbol,
    tradingClass: c.tradingClass,
    conId: c.conId,
    minTick: 0.01,
    // US stock sizes came in lots of 100 before MARKET_DATA_IN_SHARES (159).
    mdSizeMultiplier: !isOption && session.version < MIN_SERVER_VER.MARKET_DATA_IN_SHARES ? 100 : 1,
    multiplier: c.multiplier,
    orderTypes:
      "ACTIVETIM,AD,ADJUST,ALERT,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,GAT,GTC,GTD,LIT,LMT,MIT,MKT,NONALGO,OCA,REL,STP,STPLMT,TRAIL,WHATIF",
    validExchanges: isOption
      ? "SMART,AMEX,BATS,BOX,CBOE,EDGX,ISE,MIAX,NASDAQOM,PHLX"
      : "SMART,AMEX,ARCA,BATS,EDGX,IEX,ISLAND,NYSE",
    priceMagnifier: 1,
    underConId: isOption ? spec.conId : 0,
    longName: spec.longName,
    primaryExch: isOption ? "" : "ARCA",
    contractMonth: isOption ? c.lastTradeDateOrContractMonth.slice(0, 6) : "",
    industry: isOption ? "" : "Funds",
    category: isOption ? "" : "Equity Fund",
    subcategory: isOption ? "" : "Growth-Large Cap",
    timeZoneId: "US/Eastern",
    // Stocks trade 04:00–20:00 (liquid 09:30–16:00); equity-ETF options 09:30–16:15. On an early
    // close stocks end at 13:00 (extended hours at 17:00) and their options at 13:15.
    tradingHours: isOption
      ? sessionHours(today, "0930", "1615", "1315")
      : sessionHours(today, "0400", "2000", "1700"),
    liquidHours: isOption
      ? sessionHours(today, "0930", "1615", "1315")
      : sessionHours(today, "0930", "1600", "1300"),
    evRule: "",
    // Empty, as every real capture has it: Python clients read it as an int and drop "0.0".
    evMultiplier: undefined,
    secIdList: [],
    aggGroup: isOption ? 2 : 1,
    underSymbol: isOption ? c.symbol : "",
    underSecType: isOption ? "STK" : "",
    marketRuleIds: isOption ? "32,32,32,32,32,32,32,32,32,32" : "26,26,26,26,26,26,26,26",
    realExpirationDate: c.lastTradeDateOrContractMonth,
    stockType: isOption ? "" : "ETF",
    sizeMinTick: 1,
    minSize: 1,
    sizeIncrement: 1,
    suggestedSizeIncrement: isOption ? 1 : 100,
    ineligibilityReasonList: [],
  });
}

const optionParams: Handler = (session, v) => {
  session.countRequest("option-params");
  const reqId = Number(v.reqId);
  const symbol = String(v.underlyingSymbol ?? "");
  const { market } = session.ctx;
  const spec = market.spec(symbol);
  if (!spec) {
    session.error(reqId, 200, NO_DEFINITION);
    return;
  }
  const now = session.ctx.nowMs();
  const expirations = market.expirations(now).map((value) => ({ value }));
  const strikes = market.strikes(symbol, now).map((value) => ({ value }));
  for (const exchange of ["SMART", "CBOE"])
    session.send(SECURITY_DEFINITION_OPTION_PARAMETER, {
      reqId,
      exchange,
      underlyingConId: spec.conId,
      tradingClass: symbol,
      multiplier: "100",
      expirations,
      strikes,
    });
  session.send(SECURITY_DEFINITION_OPTION_PARAMETER_END, { reqId });
};

/** Handlers by request message id. */
export const MARKET_HANDLERS: ReadonlyArray<readonly [number, Handler]> = [
  [9, contractDetails],
  [78, optionParams],
];
