/**
 * The ticks of one market data line at an instant (bid, ask, last with sizes, the day's volume, a
 * stock's session open/high/low and previous close, an option's computations), and a streaming
 * line's updates: what changed since it last sent, as IB streams it.
 */
import { asOption, type BookContract } from "../book/index.js";
import {
  type MessageLayout,
  TICK_OPTION_COMPUTATION,
  TICK_PRICE,
  TICK_SIZE,
  type Values,
} from "../protocol/index.js";
import { dayPrices, dayTrades } from "./day-prices.js";
import { round6 } from "./market-handlers.js";
import type { SimContext } from "./session.js";

/** Tick ids by data type: delayed data has its own (DELAYED_BID 66 …), frozen uses the real-time ones. */
export const TICKS = {
  realTime: { bid: 1, ask: 2, last: 4, volume: 8, options: [10, 11, 12, 13], day: [14, 6, 7, 9] },
  delayed: { bid: 66, ask: 67, last: 68, volume: 74, options: [80, 81, 82, 83], day: [76, 72, 73, 75] },
} as const;

export type TickIds = (typeof TICKS)[keyof typeof TICKS];

/** One line's messages for the market at `pricedAt` (sizes divided by `sizeUnit`, lots below 159). */
export function tickMessages(
  ctx: SimContext,
  c: BookContract,
  reqId: number,
  ids: TickIds,
  pricedAt: number,
  sizeUnit: number,
): [MessageLayout, Values][] {
  const out: [MessageLayout, Values][] = [];
  const quote = ctx.book.quote(c, pricedAt);
  const model = c.secType === "OPT" ? ctx.market.optionModel(asOption(c), pricedAt) : undefined;
  const day = c.secType === "STK" ? dayPrices(ctx.market, c.symbol, pricedAt) : undefined;
  const traded = dayTrades(ctx.market, c, pricedAt);
  // A stock trades all the time (its quote's last); an option's last is its last print, if any.
  const last = c.secType === "OPT" ? traded.lastPrint : quote.last;
  for (const [tickType, price, size] of [
    [ids.bid, quote.bid, quote.bidSize],
    [ids.ask, quote.ask, quote.askSize],
    [ids.last, last, quote.lastSize],
  ] as const)
    if (price !== undefined)
      out.push([TICK_PRICE, { tickerId: reqId, tickType, price, size: size / sizeUnit, attrMask: 0 }]);
  // Below 159 in whole lots, as a gateway then rounded the day's volume.
  out.push([
    TICK_SIZE,
    { tickerId: reqId, tickType: ids.volume, size: Math.round(traded.volume / sizeUnit) },
  ]);
  if (day) {
    const [open, high, low, close] = ids.day;
    for (const [tickType, price] of [
      [open, day.open],
      [high, day.high],
      [low, day.low],
      [close, day.close],
    ] as const)
      out.push([TICK_PRICE, { tickerId: reqId, tickType, price, size: 0, attrMask: 0 }]);
  }
  if (!model) return out;
  const [bid, ask, lastComputation, modelled] = ids.options;
  for (const [tickType, optPrice] of [
    [bid, quote.bid],
    [ask, quote.ask],
    // The last print's price; −1 (IB's not-computed marker) before the option's first.
    [lastComputation, last ?? -1],
    [modelled, round6(model.price)],
  ] as const)
    out.push([
      TICK_OPTION_COMPUTATION,
      {
        tickerId: reqId,
        tickType,
        // 0: return-based volatility, what IB computes for US equity options.
        tickAttrib: 0,
        impliedVol: round6(model.impliedVol),
        delta: round6(model.delta),
        optPrice,
        pvDividend: 0,
        gamma: round6(model.gamma),
        vega: round6(model.vega),
        theta: round6(model.theta),
        undPrice: round6(model.underlying),
      },
    ]);
  return out;
}

/** How often (simulated ms) a streaming line looks for changes: IB aggregates equity ticks so. */
const STREAM_EVERY_MS = 250;

/**
 * A streaming line's updates: `messagesAt(t)` every 250 simulated ms, each tick sent only when its
 * values changed since it was last sent (IB streams changes, not the whole line again). `sent` is
 * what the subscription's first batch sent; the returned function is the server's beat.
 */
export function streamingUpdates(
  messagesAt: (t: number) => [MessageLayout, Values][],
  first: [MessageLayout, Values][],
  nowMs: () => number,
  send: (layout: MessageLayout, values: Values) => void,
): () => void {
  const sent = new Map<string, string>();
  const changed = (layout: MessageLayout, values: Values): boolean => {
    const key = `${layout.id}|${String(values.tickType)}`;
    const text = JSON.stringify(values);
    if (sent.get(key) === text) return false;
    sent.set(key, text);
    return true;
  };
  for (const [layout, values] of first) changed(layout, values);
  let dueMs = nowMs() + STREAM_EVERY_MS;
  return () => {
    const t = nowMs();
    if (t < dueMs) return;
    dueMs = t + STREAM_EVERY_MS;
    for (const [layout, values] of messagesAt(t)) if (changed(layout, values)) send(layout, values);
  };
}
