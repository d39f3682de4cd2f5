/**
 * Historical bars (REQ_HISTORICAL_DATA 20) answered as IB's HMDS answers them: the window, bar
 * size, `endDateTime`, `useRTH` and `whatToShow` of historical-request.ts, IB's own pacing for
 * small bars, and the scenario's faults (unanswered, the pacing fault) on top. Stocks' bars come
 * from market/history.ts, a listed option's from market/option-history.ts.
 */
import { newYorkParts, newYorkTimeToMs } from "../../events/index.js";
import { asOption, type BookContract, requestContract, resolve } from "../book/index.js";
import { type HistoryBar, historyBars, optionHistoryBars } from "../market/index.js";
import {
  HISTORICAL_DATA,
  HISTORICAL_DATA_UPDATE,
  ibTime,
  MIN_SERVER_VER,
  type Values,
} from "../protocol/index.js";
import { pacingViolation } from "./historical-pacing.js";
import { type HistoryQuery, isRefusal, readHistoryQuery } from "./historical-request.js";
import { known } from "./market-handlers.js";
import { unanswered } from "./scenario.js";
import type { Handler, Session } from "./session.js";

const HMDS = "Historical Market Data Service error message:";
const PACING = `${HMDS}Historical data request pacing violation`;

/** HMDS names the data by its own words: `Trades`, `Midpoint`, `Bid_Ask`. */
const dataName = (what: string) =>
  what
    .toLowerCase()
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("_");

/** The scenario's pacing fault: more than `maxRequests` within `windowSeconds` of real time. */
function scenarioPacing(session: Session): boolean {
  const { ctx } = session;
  const pacing = ctx.scenario.pacing;
  if (!pacing) return false;
  const real = ctx.realNow();
  const times = ctx.historicalTimes;
  while (times.length && real - times[0]! > pacing.windowSeconds * 1000) times.shift();
  times.push(real);
  return times.length > pacing.maxRequests;
}

/** A bar's date: `yyyyMMdd` for daily and longer bars (either format), else by formatDate. */
function barDate(bar: HistoryBar, formatDate: number): string {
  if (bar.daily) return newYorkParts(bar.timeMs).date.replaceAll("-", "");
  return formatDate === 2 ? String(Math.floor(bar.timeMs / 1000)) : ibTime(bar.timeMs);
}

/** `YYYY-MM-DD` of an option's expiry (`YYYYMMDD`). */
const expiryDate = (c: BookContract) =>
  `${c.lastTradeDateOrContractMonth.slice(0, 4)}-${c.lastTradeDateOrContractMonth.slice(4, 6)}-${c.lastTradeDateOrContractMonth.slice(6, 8)}`;

/**
 * The contract a historical request names, as `known` resolves it (error 200 otherwise); with
 * `includeExpired`, also an option whose expiry has passed, if its chain listed it on its last
 * day. The second is a contract IB knows but keeps no bars of (`expired`).
 */
export function historyContract(
  session: Session,
  reqId: number,
  v: Values,
): { contract: BookContract; expired: boolean } | undefined {
  const { market } = session.ctx;
  const request = requestContract(v);
  if (request.secType === "OPT" && (v.includeExpired === true || Number(v.includeExpired) === 1)) {
    const c = resolve(market, request);
    const today = newYorkParts(session.ctx.nowMs()).date;
    if (
      c &&
      expiryDate(c) < today &&
      market.isListed(
        c.symbol,
        c.lastTradeDateOrContractMonth,
        c.strike,
        newYorkTimeToMs(expiryDate(c), 12, 0),
      )
    )
      return { contract: c, expired: true };
  }
  const c = known(session, reqId, v);
  return c && { contract: c, expired: false };
}

type NamedContract = { contract: BookContract; expired: boolean };

/** The bars of a window: a stock's, a listed option's; IB keeps none of an expired option. */
function barsFor(session: Session, named: NamedContract, query: HistoryQuery): HistoryBar[] {
  const { market } = session.ctx;
  const c = named.contract;
  if (c.secType === "STK") return historyBars(market, c.symbol, query, query.step, query.rth, query.what);
  return named.expired ? [] : optionHistoryBars(market, asOption(c), query, query.step, query.what);
}

/** A bar's wire values; volumes below 0 (quotes' −1) stay −1. */
function wireBar(bar: HistoryBar, formatDate: number, volumeUnit: number): Values {
  return {
    date: barDate(bar, formatDate),
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: bar.volume < 0 ? -1 : Math.round(bar.volume / volumeUnit),
    wap: bar.wap,
    barCount: bar.count,
  };
}

/** How often (simulated ms) a keepUpToDate request's bar under way is looked at again. */
const UPDATE_EVERY_MS = 5_000;

/**
 * `keepUpToDate`: after the bars, HISTORICAL_DATA_UPDATE with the bar under way — the last bar a
 * request would return now (the completed minutes of its bucket: the simulator never serves a
 * minute still forming; a new date starts the next bar) — first at once, then each time it has
 * changed, looked at every 5 simulated seconds, until CANCEL_HISTORICAL_DATA or the connection
 * ends. Intraday bars and days; weeks and months get no updates.
 */
function keepUpToDate(
  session: Session,
  reqId: number,
  named: NamedContract,
  query: HistoryQuery,
  wire: (bar: HistoryBar) => Values,
): void {
  if (query.step.unit !== "s" && query.step.unit !== "day") return;
  let dueMs = Number.NEGATIVE_INFINITY;
  let sent = "";
  session.subs.historyUpdates.set(reqId, () => {
    const now = session.ctx.nowMs();
    if (now < dueMs) return;
    dueMs = now + UPDATE_EVERY_MS;
    // The day so far holds whole buckets (no intraday bar spans midnight) and folds cheaply.
    const today = newYorkTimeToMs(newYorkParts(now).date, 0, 0);
    const bar = barsFor(session, named, { ...query, startMs: today, endMs: now }).at(-1);
    if (!bar) return;
    const values = { reqId, ...wire(bar) };
    const text = JSON.stringify(values);
    if (text === sent) return;
    sent = text;
    session.send(HISTORICAL_DATA_UPDATE, values);
  });
}

const cancelHistorical: Handler = (session, v) => {
  session.subs.historyUpdates.delete(Number(v.reqId));
};

const historical: Handler = (session, v) => {
  const nth = session.countRequest("historical");
  const { ctx } = session;
  const reqId = Number(v.reqId);
  const request = {
    endDateTime: String(v.endDateTime ?? ""),
    durationStr: String(v.durationStr ?? ""),
    barSizeSetting: String(v.barSizeSetting ?? ""),
    useRTH: Number(v.useRTH ?? 0),
    whatToShow: String(v.whatToShow ?? ""),
  };
  const formatDate = Number(v.formatDate ?? 1);
  ctx.log({
    event: "request",
    kind: "historical",
    reqId,
    symbol: v.symbol,
    barSize: request.barSizeSetting,
    duration: request.durationStr,
    clientId: session.clientId,
  });
  if (unanswered(ctx.scenario, "historical", nth)) {
    ctx.log({ event: "fault", fault: "unanswered", kind: "historical", reqId });
    return;
  }
  if (scenarioPacing(session)) {
    ctx.log({ event: "fault", fault: "pacing", reqId });
    session.error(reqId, 162, PACING);
    return;
  }
  const named = historyContract(session, reqId, v);
  if (!named) return;
  const c = named.contract;
  const now = ctx.nowMs();
  const query = readHistoryQuery(request, now, c);
  if (isRefusal(query)) {
    session.error(reqId, query.code, query.text);
    return;
  }
  const series = `${c.conId}|${String(v.exchange ?? "")}|${query.what}`;
  const identity = `${series}|${request.endDateTime}|${request.durationStr}|${request.barSizeSetting}|${query.rth}|${formatDate}`;
  if (
    pacingViolation(ctx, {
      atMs: now,
      series,
      identity,
      whatToShow: query.what,
      barSeconds: query.stepSeconds,
    })
  ) {
    ctx.log({ event: "pacing", reqId, rule: "ib" });
    session.error(reqId, 162, PACING);
    return;
  }
  // IB keeps no bars of an expired option: HMDS says so as it does for any contract without data.
  const bars = barsFor(session, named, query);
  if (bars.length === 0) {
    session.error(
      reqId,
      162,
      `${HMDS}HMDS query returned no data: ${c.localSymbol}@SMART ${dataName(query.what)}`,
    );
    return;
  }
  // Below HMDS_MARKET_DATA_IN_SHARES (175) a gateway reports stock bar volume in lots of 100 (an
  // option's is in contracts at every version).
  const volumeUnit =
    c.secType === "STK" && session.version < MIN_SERVER_VER.HMDS_MARKET_DATA_IN_SHARES ? 100 : 1;
  const wire = (b: HistoryBar) => wireBar(b, formatDate, volumeUnit);
  session.send(HISTORICAL_DATA, {
    reqId,
    startDateStr: ibTime(query.startMs),
    endDateStr: ibTime(query.endMs),
    bars: bars.map(wire),
  });
  if (v.keepUpToDate === true) keepUpToDate(session, reqId, named, query, wire);
};

/** Handlers by request message id. */
export const HISTORICAL_HANDLERS: ReadonlyArray<readonly [number, Handler]> = [
  [20, historical],
  [25, cancelHistorical],
];
