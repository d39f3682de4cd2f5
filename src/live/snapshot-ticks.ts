/**
 * A snapshot's ticks folded into our quote: which tick type is a bid, an ask or a last, and which
 * values IB sends to mean "unset" (0 or negative prices, 1.7976931348623157E308, −1/−2 for a
 * greek the model did not compute), and what kind of data the quote is.
 *
 * Tick ids (IB's TickType, as `@stoqey/ib`'s enum numbers them): real-time and frozen data share
 * 1 bid, 2 ask, 4 last, sizes 0/3/5, option computation 13 (model); delayed data has its own:
 * 66 bid, 67 ask, 68 last, sizes 69/70/71, option computation 83 (delayed model). Which kind a
 * quote is comes from MARKET_DATA_TYPE (58: 1 live, 2 frozen, 3 delayed, 4 delayed-frozen); without
 * one, delayed tick ids say delayed.
 */
import type { MarketDataType } from "../events/index.js";
import type { SnapshotResult } from "./gateway-types.js";

const UNSET = 1.7976931348623157e308;

/** A price, or null when IB means "none". */
export const priceOrNull = (x: number | undefined): number | null =>
  x === undefined || !Number.isFinite(x) || x <= 0 || x >= UNSET ? null : x;
const sizeOrNull = (x: number | undefined): number | null =>
  x === undefined || !Number.isFinite(x) || x < 0 || x >= UNSET ? null : x;
const computedOrNull = (x: number | undefined): number | null =>
  x === undefined || !Number.isFinite(x) || x === -1 || x === -2 || Math.abs(x) >= UNSET ? null : x;

/** IB's MARKET_DATA_TYPE numbers, by name. */
export const MARKET_DATA_TYPES: Readonly<Record<number, MarketDataType>> = {
  1: "live",
  2: "frozen",
  3: "delayed",
  4: "delayed-frozen",
};

const PRICE_TICKS: Readonly<Record<number, "bidUsd" | "askUsd" | "lastUsd">> = {
  1: "bidUsd",
  2: "askUsd",
  4: "lastUsd",
  66: "bidUsd",
  67: "askUsd",
  68: "lastUsd",
};
const SIZE_TICKS: Readonly<Record<number, "bidSize" | "askSize" | "lastSize">> = {
  0: "bidSize",
  3: "askSize",
  5: "lastSize",
  69: "bidSize",
  70: "askSize",
  71: "lastSize",
};
/** The model's option computation, real time (13) and delayed (83); bid/ask/last ones (10–12, 80–82) are not kept. */
const MODEL_OPTION_TICKS = new Set([13, 83]);
const DELAYED_TICKS = new Set([66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 80, 81, 82, 83, 88, 90]);

/** Option computation values as TICK_OPTION_COMPUTATION carries them. */
export interface OptionTicks {
  iv?: number | undefined;
  delta?: number | undefined;
  optPrice?: number | undefined;
  gamma?: number | undefined;
  vega?: number | undefined;
  theta?: number | undefined;
  und?: number | undefined;
}

/** Accumulates one snapshot's ticks; `result` is complete: false until the snapshot end. */
export class SnapshotTicks {
  readonly result: SnapshotResult = {
    bidUsd: null,
    askUsd: null,
    lastUsd: null,
    bidSize: null,
    askSize: null,
    lastSize: null,
    greeks: null,
    complete: false,
    marketData: null,
  };
  /** MARKET_DATA_TYPE came for this request: it decides, whatever tick ids arrive. */
  private typeStated = false;

  /** MARKET_DATA_TYPE: the kind of data the gateway serves this request (an unknown number is ignored). */
  dataType(type: number): void {
    const name = MARKET_DATA_TYPES[type];
    if (!name) return;
    this.result.marketData = name;
    this.typeStated = true;
  }

  /** TICK_PRICE: 1 bid, 2 ask, 4 last; delayed 66, 67, 68. */
  price(tickType: number, value: number): void {
    const field = PRICE_TICKS[tickType];
    if (field) this.result[field] = priceOrNull(value);
    this.seen(tickType);
  }

  /** TICK_SIZE: 0 bid, 3 ask, 5 last; delayed 69, 70, 71. */
  size(tickType: number | undefined, value: number | undefined): void {
    if (tickType === undefined) return;
    const field = SIZE_TICKS[tickType];
    if (field) this.result[field] = sizeOrNull(value);
    this.seen(tickType);
  }

  /** TICK_OPTION_COMPUTATION: only the model's (13, delayed 83) is kept. */
  option(tickType: number, t: OptionTicks): void {
    this.seen(tickType);
    if (!MODEL_OPTION_TICKS.has(tickType)) return;
    this.result.greeks = {
      impliedVol: computedOrNull(t.iv),
      delta: computedOrNull(t.delta),
      gamma: computedOrNull(t.gamma),
      vega: computedOrNull(t.vega),
      theta: computedOrNull(t.theta),
      optPriceUsd: computedOrNull(t.optPrice),
      undPriceUsd: computedOrNull(t.und),
    };
  }

  /** A delayed tick id without a MARKET_DATA_TYPE: the quote is delayed. */
  private seen(tickType: number): void {
    if (!this.typeStated && DELAYED_TICKS.has(tickType)) this.result.marketData = "delayed";
  }
}
