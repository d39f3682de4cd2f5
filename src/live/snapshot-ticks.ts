/**
 * A snapshot's ticks folded into our quote: which tick type is a bid, an ask or a last, and which
 * values IB sends to mean "unset" (0 or negative prices, 1.7976931348623157E308, −1/−2 for a
 * greek the model did not compute).
 */
import type { SnapshotResult } from "./gateway-types.js";

const UNSET = 1.7976931348623157e308;

/** A price, or null when IB means "none". */
export const priceOrNull = (x: number | undefined): number | null =>
  x === undefined || !Number.isFinite(x) || x <= 0 || x >= UNSET ? null : x;
const sizeOrNull = (x: number | undefined): number | null =>
  x === undefined || !Number.isFinite(x) || x < 0 || x >= UNSET ? null : x;
const computedOrNull = (x: number | undefined): number | null =>
  x === undefined || !Number.isFinite(x) || x === -1 || x === -2 || Math.abs(x) >= UNSET ? null : x;

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
  };

  /** TICK_PRICE: 1 bid, 2 ask, 4 last. */
  price(tickType: number, value: number): void {
    if (tickType === 1) this.result.bidUsd = priceOrNull(value);
    else if (tickType === 2) this.result.askUsd = priceOrNull(value);
    else if (tickType === 4) this.result.lastUsd = priceOrNull(value);
  }

  /** TICK_SIZE: 0 bid, 3 ask, 5 last. */
  size(tickType: number | undefined, value: number | undefined): void {
    if (tickType === 0) this.result.bidSize = sizeOrNull(value);
    else if (tickType === 3) this.result.askSize = sizeOrNull(value);
    else if (tickType === 5) this.result.lastSize = sizeOrNull(value);
  }

  /** TICK_OPTION_COMPUTATION: only the model's (13) is kept. */
  option(tickType: number, t: OptionTicks): void {
    if (tickType !== 13) return;
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
}
