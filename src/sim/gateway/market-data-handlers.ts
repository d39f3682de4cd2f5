/**
 * Market data requests (REQ_MKT_DATA 1) and the market data type a connection asks for
 * (REQ_MARKET_DATA_TYPE 59), answered as IB answers an account with or without a real-time
 * subscription (`marketData` in the scenario, `journal sim --market-data`):
 *
 * - `live` (subscribed): real-time ticks (MARKET_DATA_TYPE 1) whatever type is asked for; a
 *   frozen type (2 or 4) gets the close's values marked frozen (2) while the market is shut.
 * - `delayed` (no subscription, delayed data enabled): type 1 or 2 gets error 354 and nothing
 *   else; type 3 gets notice 10167, MARKET_DATA_TYPE 3 and delayed ticks (66–76, option
 *   computations 80–83) priced 15 minutes ago; type 4 the same, marked 4 while the market is shut.
 * - `none` (neither): 354 for type 1 or 2, 10168 for type 3 or 4.
 *
 * Frozen data uses the real-time tick ids, delayed data its own: the client tells them apart by
 * MARKET_DATA_TYPE and by the ids.
 */
import { newYorkParts } from "../../events/index.js";
import { isTradingDay, regularHours } from "../market/index.js";
import {
  MARKET_DATA_TYPE,
  MIN_SERVER_VER,
  TICK_OPTION_COMPUTATION,
  TICK_REQ_PARAMS,
  TICK_SNAPSHOT_END,
} from "../protocol/index.js";
import { known } from "./market-handlers.js";
import { streamingUpdates, TICKS, tickMessages } from "./market-ticks.js";
import { unanswered } from "./scenario.js";
import type { Handler } from "./session.js";

/** IB's market data types: 1 real time, 2 frozen, 3 delayed, 4 delayed-frozen. */
export type MarketDataTypeId = 1 | 2 | 3 | 4;

/** How old delayed data is (IB: 15 minutes for US equities and options, 10 for some exchanges). */
export const DELAYED_BY_MS = 15 * 60_000;

const NOT_SUBSCRIBED =
  "Requested market data is not subscribed. Check API status by selecting the Account menu then under Management choose Market Data Subscription Manager and confirm the relevant market data subscription is active.";

/** What a request of `requested` type gets from an account with `account` data, the market `open` or not. */
export type ServedData =
  | { readonly kind: "ticks"; readonly type: MarketDataTypeId }
  | { readonly kind: "error"; readonly code: 354 | 10168; readonly message: string };

/** The answer IB gives (see the module comment). */
export function servedData(
  account: "live" | "delayed" | "none",
  requested: MarketDataTypeId,
  open: boolean,
): ServedData {
  const frozenAsked = requested === 2 || requested === 4;
  if (account === "live") return { kind: "ticks", type: frozenAsked && !open ? 2 : 1 };
  if (requested === 1 || requested === 2)
    return {
      kind: "error",
      code: 354,
      message: account === "delayed" ? `${NOT_SUBSCRIBED} Delayed market data is available.` : NOT_SUBSCRIBED,
    };
  if (account === "none")
    return {
      kind: "error",
      code: 10168,
      message: "Requested market data is not subscribed. Delayed market data is not enabled.",
    };
  return { kind: "ticks", type: requested === 4 && !open ? 4 : 3 };
}

/** An option computation not yet made: IB's markers, −1 for prices and IV, −2 for the greeks. */
const NOT_COMPUTED = {
  tickAttrib: 0,
  impliedVol: -1,
  delta: -2,
  optPrice: -1,
  pvDividend: -1,
  gamma: -2,
  vega: -2,
  theta: -2,
  undPrice: -1,
};

/** True while the regular session runs (the sim's NYSE calendar, early closes included). */
function marketOpen(nowMs: number): boolean {
  const date = newYorkParts(nowMs).date;
  if (!isTradingDay(date)) return false;
  const { openMs, closeMs } = regularHours(date);
  return nowMs >= openMs && nowMs < closeMs;
}

const marketDataType: Handler = (session, v) => {
  const type = Number(v.marketDataType);
  if (type === 1 || type === 2 || type === 3 || type === 4) session.marketDataType = type;
  session.ctx.log({
    event: "request",
    kind: "market-data-type",
    marketDataType: type,
    clientId: session.clientId,
  });
};

const marketData: Handler = (session, v) => {
  const { ctx } = session;
  const reqId = Number(v.reqId);
  const snapshot = v.snapshot === true;
  const nth = session.countRequest("snapshot");
  ctx.log({
    event: "request",
    kind: snapshot ? "snapshot" : "streaming",
    reqId,
    symbol: v.symbol,
    secType: v.secType,
    strike: v.strike,
    right: v.right,
    clientId: session.clientId,
  });
  const competing = ctx.scenario.competingSession;
  if (competing && nth >= competing.fromRequest && nth < competing.fromRequest + competing.count) {
    session.error(reqId, 10197, "No market data during competing live session");
    return;
  }
  const c = known(session, reqId, v);
  if (!c) return;
  const now = ctx.nowMs();
  const served = servedData(ctx.scenario.marketData, session.marketDataType, marketOpen(now));
  if (served.kind === "error") {
    ctx.log({ event: "not-subscribed", reqId, code: served.code, requested: session.marketDataType });
    session.error(reqId, served.code, served.message);
    return;
  }
  if (unanswered(ctx.scenario, "snapshot", nth)) {
    ctx.log({ event: "fault", fault: "unanswered", kind: "snapshot", reqId });
    return;
  }
  const delayed = served.type === 3 || served.type === 4;
  const ids = delayed ? TICKS.delayed : TICKS.realTime;
  // Below MARKET_DATA_IN_SHARES (159) a gateway reports stock sizes in lots of 100.
  const sizeUnit = c.secType === "STK" && session.version < MIN_SERVER_VER.MARKET_DATA_IN_SHARES ? 100 : 1;
  // Delayed data is the market of 15 minutes ago (the seeded market is a function of time).
  const messagesAt = (t: number) =>
    tickMessages(ctx, c, reqId, ids, delayed ? t - DELAYED_BY_MS : t, sizeUnit);
  const line = messagesAt(now);
  const ticks = (): void => {
    for (const [layout, values] of line) session.send(layout, values);
  };
  session.send(TICK_REQ_PARAMS, {
    tickerId: reqId,
    minTick: 0.01,
    bboExchange: "9c0001",
    snapshotPermissions: 3,
  });
  // IB says so on every request it answers with delayed data instead of the real-time data it lacks.
  if (delayed)
    session.error(reqId, 10167, "Requested market data is not subscribed. Displaying delayed market data.");
  session.send(MARKET_DATA_TYPE, { reqId, marketDataType: served.type });
  if (!snapshot) {
    // A subscription starts before the model has run: the computations come first as not computed.
    if (c.secType === "OPT")
      for (const tickType of ids.options)
        session.send(TICK_OPTION_COMPUTATION, { tickerId: reqId, tickType, ...NOT_COMPUTED });
    // alpha: streaming subscriptions piled up and overflowed the gateway's output buffer.
    if (ctx.scenario.streamingFlood) {
      for (let i = 0; i < 200; i++) ticks();
      session.error(
        -1,
        2100,
        "API client has been unsubscribed from account data. Output exceeded limit (was: 100413), removed first half",
      );
    } else ticks();
    session.subs.marketData.set(
      reqId,
      streamingUpdates(messagesAt, line, ctx.nowMs, (layout, values) => session.send(layout, values)),
    );
    return;
  }
  ctx.later(ctx.scenario.snapshotDelayMs, () =>
    session.batch(() => {
      ticks();
      session.send(TICK_SNAPSHOT_END, { reqId });
    }),
  );
};

/** Handlers by request message id. */
export const MARKET_DATA_HANDLERS: ReadonlyArray<readonly [number, Handler]> = [
  [1, marketData],
  [2, (session, v) => session.subs.marketData.delete(Number(v.reqId))],
  [59, marketDataType],
];
