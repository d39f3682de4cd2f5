/**
 * Reference data a gateway answers from its own tables, cheap and asked by many clients on
 * connect: the head timestamp (a common first call of bots), matching symbols, market rules, user
 * info, scanner parameters, news providers, soft-dollar tiers and family codes. The answers agree
 * with the simulated market: the same symbols, conIds, exchanges and the market rules that
 * contract details name.
 */
import { newYorkTimeToMs } from "../../events/index.js";
import { optionListingDay, SYMBOLS } from "../market/index.js";
import {
  FAMILY_CODES,
  HEAD_TIMESTAMP,
  MARKET_RULE,
  NEWS_PROVIDERS,
  SCANNER_PARAMETERS,
  SOFT_DOLLAR_TIERS,
  SYMBOL_SAMPLES,
  USER_INFO,
} from "../protocol/index.js";
import { historyContract } from "./historical-handlers.js";
import type { Handler } from "./session.js";

/** The first trading day of each simulated symbol (its listing), the head of its history. */
export const FIRST_TRADED: Readonly<Record<string, string>> = {
  SPY: "1993-01-29",
  QQQ: "1999-03-10",
  IWM: "2000-05-26",
};

/** Market rules by id, as contract details name them: 26 for the ETFs, 32 for their options (penny-wide throughout). */
export const MARKET_RULES: ReadonlyMap<number, readonly { lowEdge: number; increment: number }[]> = new Map([
  [26, [{ lowEdge: 0, increment: 0.01 }]],
  [32, [{ lowEdge: 0, increment: 0.01 }]],
]);

/** The free news providers every IBKR account lists. */
const NEWS = [
  { code: "BRFG", name: "Briefing.com General Market Columns" },
  { code: "BRFUPDN", name: "Briefing.com Analyst Actions" },
  { code: "DJNL", name: "Dow Jones Newsletters" },
];

const SCANNER_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ScanParameterResponse>' +
  "<InstrumentList><Instrument><name>US Stocks</name><type>STK</type><filters>PRICE,VOLUME</filters></Instrument></InstrumentList>" +
  "<LocationTree><Location><displayName>US Stocks</displayName><locationCode>STK.US</locationCode><instruments>STK</instruments></Location></LocationTree>" +
  "<ScanTypeList><ScanType><displayName>Top % Gainers</displayName><scanCode>TOP_PERC_GAIN</scanCode><instruments>STK</instruments></ScanType></ScanTypeList>" +
  "</ScanParameterResponse>";

const pad = (n: number) => String(n).padStart(2, "0");

/** `yyyyMMdd-HH:mm:ss` in UTC, as IB writes a head timestamp for formatDate 1. */
function utcStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** What an option's bars show (historical-request.ts): its head is the same whichever it asks. */
const OPTION_DATA: ReadonlySet<string> = new Set(["TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK"]);

/**
 * The first bar's time: the listing day's open (regular hours; the simulated market has no earlier
 * prints). A listed option's is the open of the day its chain first listed its expiry, where its
 * history starts; an expired one (named with includeExpired) has no bars, so no head.
 */
const headTimestamp: Handler = (session, v) => {
  session.countRequest("head-timestamp");
  const reqId = Number(v.reqId);
  const named = historyContract(session, reqId, v);
  if (!named) return;
  const c = named.contract;
  const first =
    c.secType === "STK"
      ? FIRST_TRADED[c.symbol]
      : !named.expired && OPTION_DATA.has(String(v.whatToShow ?? "").toUpperCase())
        ? optionListingDay(session.ctx.market, c.lastTradeDateOrContractMonth)
        : undefined;
  if (!first) {
    session.error(reqId, 162, "Historical Market Data Service error message:No head time stamp");
    return;
  }
  const ms = newYorkTimeToMs(first, 9, 30);
  session.send(HEAD_TIMESTAMP, {
    reqId,
    headTimestamp: Number(v.formatDate) === 2 ? String(ms / 1000) : utcStamp(ms),
  });
};

/** Symbols whose ticker starts with the pattern or whose name contains it (IB matches both). */
const matchingSymbols: Handler = (session, v) => {
  session.countRequest("matching-symbols");
  const pattern = String(v.pattern ?? "")
    .trim()
    .toUpperCase();
  const descriptions = Object.entries(SYMBOLS)
    .filter(([symbol, spec]) => pattern && (symbol.startsWith(pattern) || spec.longName.includes(pattern)))
    .map(([symbol, spec]) => ({
      conId: spec.conId,
      symbol,
      secType: "STK",
      primaryExch: "ARCA",
      currency: "USD",
      derivativeSecTypes: ["CFD", "OPT", "IOPT", "WAR", "BAG"].map((value) => ({ value })),
      description: spec.longName,
      issuerId: "",
    }));
  session.send(SYMBOL_SAMPLES, { reqId: Number(v.reqId), descriptions });
};

const marketRule: Handler = (session, v) => {
  session.countRequest("market-rule");
  const marketRuleId = Number(v.marketRuleId);
  const priceIncrements = MARKET_RULES.get(marketRuleId);
  if (!priceIncrements) {
    session.error(
      -1,
      321,
      `Error validating request.-'sim' : cause - Invalid market rule id ${marketRuleId}`,
    );
    return;
  }
  session.send(MARKET_RULE, { marketRuleId, priceIncrements });
};

/** Handlers by request message id. */
export const REFERENCE_HANDLERS: ReadonlyArray<readonly [number, Handler]> = [
  [87, headTimestamp],
  [90, () => {}],
  [81, matchingSymbols],
  [91, marketRule],
  [104, (s, v) => s.send(USER_INFO, { reqId: Number(v.reqId), whiteBrandingId: "" })],
  [24, (s) => s.send(SCANNER_PARAMETERS, { xml: SCANNER_XML })],
  [85, (s) => s.send(NEWS_PROVIDERS, { providers: NEWS })],
  [79, (s, v) => s.send(SOFT_DOLLAR_TIERS, { reqId: Number(v.reqId), tiers: [] })],
  [80, (s) => s.send(FAMILY_CODES, { familyCodes: [{ accountId: s.ctx.account, familyCode: "" }] })],
];
