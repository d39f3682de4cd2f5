/**
 * Round trips: what happened to each position from flat to flat (or through zero), with what a
 * trader reviews — entry and exit premiums, exit reason, holding time, fees, R multiple, MAE/MFE
 * and slippage against the quote the strategy decided on.
 *
 * The P&L of a round trip is not computed here: it is the positions fold's `ClosedTrade.pnlMicros`
 * (one truth); this fold only follows what the positions fold does not need.
 */
import { type Contract, contractKey, type EventBody, type StoredEvent } from "../events/index.js";
import {
  addInterval,
  ENTRY_QUOTE_WINDOW_MS,
  type GreekPnl,
  type GreekPoint,
  type GreekSums,
  greekPnl,
  greekPoint,
  NO_GREEK_SUMS,
  rechargeGreekPnl,
} from "./greek-pnl.js";
import { type Micros, toMicros } from "./money.js";
import type { OrdersState } from "./orders.js";
import { PersistentMap } from "./persistent-map.js";
import { type ClosedTrade, markOf, positionKey } from "./positions.js";
import { NO_RECENT_POINTS, notePoint, type RecentPoints, recentPoint } from "./recent-points.js";

/** One closed round trip. Money in µ$ (after the multiplier) unless it says per unit. */
export interface RoundTrip extends ClosedTrade {
  readonly contractKey: string;
  readonly symbol: string;
  /** The direction of the position: LONG (bought first) or SHORT. */
  readonly side: "LONG" | "SHORT";
  /** Largest absolute quantity held during the trip. */
  readonly quantity: number;
  readonly multiplier: number;
  readonly entryTs: number;
  /** Average entry and exit premium, µ$ per unit. */
  readonly entryPriceMicros: Micros;
  readonly exitPriceMicros: Micros;
  /** The closing order's purpose (`stop-loss`, `profit-target`, …), else `unknown`. */
  readonly exitReason: string;
  readonly holdingMs: number;
  readonly feesMicros: Micros;
  /** P&L over the risk the strategy took (entry × stop distance × quantity × multiplier); null without a stop. */
  readonly rMultiple: number | null;
  /** The risk R is measured against, µ$; null without a stop. */
  readonly riskMicros: Micros | null;
  /** Worst and best unrealized P&L at the quote marks between entry and exit (≤ 0 and ≥ 0); null without quotes. */
  readonly maeMicros: Micros | null;
  readonly mfeMicros: Micros | null;
  /** Fill minus the quote the decision saw, µ$ per unit, signed so that > 0 costs money; null when unknown. */
  readonly entrySlippageMicros: Micros | null;
  readonly exitSlippageMicros: Micros | null;
  /** P&L before fees by greek (see ./greek-pnl.ts), each in whole cents; the five add up to pnl + fees. */
  readonly greekPnl: GreekPnl;
}

/** What is followed of one open trip. */
interface OpenTrip {
  readonly entryTs: number;
  readonly sign: 1 | -1;
  readonly maxQty: number;
  readonly entryQty: number;
  readonly entryNotional: Micros;
  readonly exitQty: number;
  readonly exitNotional: Micros;
  readonly fees: Micros;
  readonly minMark: Micros | null;
  readonly maxMark: Micros | null;
  readonly entrySlip: { qty: number; micros: Micros } | null;
  readonly exitSlip: { qty: number; micros: Micros } | null;
  readonly exitReason: string;
  readonly multiplier: number;
  /** The last quote's model computation: where the next greek interval starts (null: none yet). */
  readonly point: GreekPoint | null;
  readonly greeks: GreekSums;
}

/** The maps that grow with the journal are persistent (shared, not copied, on a change); `open` stays small. */
export interface TripsState {
  /** Position key → the open trip. */
  readonly open: ReadonlyMap<string, OpenTrip>;
  /** Decision id → the price the decision quoted (its `quotedPriceUsd` signal), µ$. */
  readonly quoted: PersistentMap<Micros>;
  /** `stream|session` → stop distance as a fraction of the entry premium (the strategy's `stopLossPct`). */
  readonly stops: PersistentMap<number>;
  /** execId → position key, for commissions. */
  readonly execs: PersistentMap<string>;
  /**
   * Position key → the last model computation quoted for it within ENTRY_QUOTE_WINDOW_MS of the
   * latest quote (older ones are dropped, so the map stays as small as a few cycles' strikes): the
   * start of a new trip's first greek interval.
   */
  readonly lastPoints: RecentPoints;
}

export const initialTrips: TripsState = {
  open: new Map(),
  quoted: PersistentMap.empty(),
  stops: PersistentMap.empty(),
  execs: PersistentMap.empty(),
  lastPoints: NO_RECENT_POINTS,
};

/**
 * Remember a quote's model computation as its contract's last (the book's shortcut for quotes of
 * contracts nobody holds calls this too, so a trip opened later finds its entry quote).
 */
export function noteQuotePoint(
  state: TripsState,
  event: StoredEvent<Extract<EventBody, { type: "QuoteSnapshot" }>>,
): TripsState {
  return notedAt(state, event, greekPoint(event.ts, event.payload));
}

/** `noteQuotePoint` with the quote's point already computed. */
function notedAt(
  state: TripsState,
  event: StoredEvent<Extract<EventBody, { type: "QuoteSnapshot" }>>,
  point: GreekPoint | null,
): TripsState {
  if (point === null) return state;
  // Other streams' events may be older or newer (a replay appended after live): keep what is near.
  const key = positionKey(event.stream, event.payload.contract);
  return tripsWith(state, state.open, notePoint(state.lastPoints, key, point, ENTRY_QUOTE_WINDOW_MS));
}

/**
 * The state with its open trips and recent points replaced, built field by field: every quote
 * builds one, and a spread made V8 build it property by property.
 */
function tripsWith(
  state: TripsState,
  open: ReadonlyMap<string, OpenTrip>,
  lastPoints: RecentPoints,
): TripsState {
  return { open, quoted: state.quoted, stops: state.stops, execs: state.execs, lastPoints };
}

/** An open trip at a new quote: its mark range, and its greek interval's new end (as above). */
function remarked(
  t: OpenTrip,
  minMark: Micros | null,
  maxMark: Micros | null,
  point: GreekPoint | null,
  greeks: GreekSums,
): OpenTrip {
  return {
    entryTs: t.entryTs,
    sign: t.sign,
    maxQty: t.maxQty,
    entryQty: t.entryQty,
    entryNotional: t.entryNotional,
    exitQty: t.exitQty,
    exitNotional: t.exitNotional,
    fees: t.fees,
    minMark,
    maxMark,
    entrySlip: t.entrySlip,
    exitSlip: t.exitSlip,
    exitReason: t.exitReason,
    multiplier: t.multiplier,
    point,
    greeks,
  };
}

function stopOf(params: Record<string, unknown>): number | null {
  const v = params.stopLossPct;
  return typeof v === "number" && v > 0 ? v : null;
}

function multiplierOf(contract: Contract): number {
  return contract.secType === "OPT" ? contract.multiplier : 1;
}

const widen = (lo: Micros | null, hi: Micros | null, mark: Micros) => ({
  minMark: lo === null ? mark : Math.min(lo, mark),
  maxMark: hi === null ? mark : Math.max(hi, mark),
});

function addSlip(
  slip: OpenTrip["entrySlip"],
  quoted: Micros | undefined,
  price: Micros,
  qty: number,
  buy: boolean,
): OpenTrip["entrySlip"] {
  if (quoted === undefined) return slip;
  const s = (buy ? price - quoted : quoted - price) * qty;
  return slip === null ? { qty, micros: s } : { qty: slip.qty + qty, micros: slip.micros + s };
}

export interface TripsStep {
  state: TripsState;
  trip: RoundTrip | null;
}

/**
 * Fold one event. `closed` is what the positions fold reported for this event; `orders` is the
 * orders of the event's session after this event (to find the closing order's purpose).
 */
export function evolveTrips(
  state: TripsState,
  event: StoredEvent,
  closed: ClosedTrade | null,
  orders: OrdersState | undefined,
): TripsStep {
  switch (event.type) {
    case "SessionOpened":
    case "ReplayStarted": {
      const stop = stopOf(event.payload.params);
      if (stop === null) return { state, trip: null };
      return {
        state: {
          open: state.open,
          quoted: state.quoted,
          stops: state.stops.set(`${event.stream}|${event.session}`, stop),
          execs: state.execs,
          lastPoints: state.lastPoints,
        },
        trip: null,
      };
    }
    case "DecisionMade": {
      const q = event.payload.signals.quotedPriceUsd;
      if (event.payload.intents.length === 0 || typeof q !== "number") return { state, trip: null };
      const quoted = state.quoted.set(event.id, toMicros(q));
      return {
        state: {
          open: state.open,
          quoted,
          stops: state.stops,
          execs: state.execs,
          lastPoints: state.lastPoints,
        },
        trip: null,
      };
    }
    case "QuoteSnapshot": {
      const point = greekPoint(event.ts, event.payload);
      const noted = notedAt(state, event, point);
      const key = positionKey(event.stream, event.payload.contract);
      const open = noted.open.get(key);
      if (!open) return { state: noted, trip: null };
      const mark = markOf(event.payload.bidUsd, event.payload.askUsd, event.payload.lastUsd);
      if (mark === null && point === null) return { state: noted, trip: null };
      let { minMark, maxMark, point: from, greeks } = open;
      if (mark !== null) {
        minMark = minMark === null ? mark : Math.min(minMark, mark);
        maxMark = maxMark === null ? mark : Math.max(maxMark, mark);
      }
      if (point !== null) {
        const units = open.sign * (open.entryQty - open.exitQty) * open.multiplier;
        if (from !== null) greeks = addInterval(greeks, from, point, units);
        from = point;
      }
      const next = remarked(open, minMark, maxMark, from, greeks);
      return { state: tripsWith(noted, new Map(noted.open).set(key, next), noted.lastPoints), trip: null };
    }
    case "CommissionReported": {
      const key = state.execs.get(event.payload.execId);
      const open = key === undefined ? undefined : state.open.get(key);
      if (key === undefined || !open) return { state, trip: null };
      const fees = open.fees + toMicros(event.payload.commissionUsd);
      return {
        state: tripsWith(state, new Map(state.open).set(key, { ...open, fees }), state.lastPoints),
        trip: null,
      };
    }
    case "OrderFilled": {
      const p = event.payload;
      const key = positionKey(event.stream, p.contract);
      const price = toMicros(p.priceUsd);
      const buy = p.side === "BUY";
      const sign = buy ? 1 : -1;
      const quoted = event.correlation === null ? undefined : state.quoted.get(event.correlation);
      const orderKey = orders?.byOrderId.get(`${event.stream}|${p.orderId}`);
      const purpose = (orderKey && orders?.byKey.get(orderKey)?.intent.purpose) || "unknown";
      const execs = state.execs.set(p.execId, key);
      const open = new Map(state.open);
      let current = open.get(key);
      let remaining = p.quantity;
      let trip: RoundTrip | null = null;
      if (current && current.sign !== sign) {
        const held = current.entryQty - current.exitQty;
        const closing = Math.min(held, remaining);
        current = {
          ...current,
          exitQty: current.exitQty + closing,
          exitNotional: current.exitNotional + closing * price,
          exitSlip: addSlip(current.exitSlip, quoted, price, closing, buy),
          exitReason: purpose,
          ...widen(current.minMark, current.maxMark, price),
        };
        remaining -= closing;
        if (closed) {
          trip = finish(current, closed, p.contract, state.stops.get(`${event.stream}|${event.session}`));
          open.delete(key);
          current = undefined;
        } else {
          open.set(key, current);
        }
      }
      if (remaining > 0) {
        const base: OpenTrip = current ?? {
          entryTs: event.ts,
          sign,
          maxQty: 0,
          entryQty: 0,
          entryNotional: 0,
          exitQty: 0,
          exitNotional: 0,
          fees: 0,
          minMark: null,
          maxMark: null,
          entrySlip: null,
          exitSlip: null,
          exitReason: "unknown",
          multiplier: multiplierOf(p.contract),
          point: entryPoint(recentPoint(state.lastPoints, key, ENTRY_QUOTE_WINDOW_MS), event.ts),
          greeks: NO_GREEK_SUMS,
        };
        const entryQty = base.entryQty + remaining;
        open.set(key, {
          ...base,
          entryQty,
          maxQty: Math.max(base.maxQty, entryQty - base.exitQty),
          entryNotional: base.entryNotional + remaining * price,
          entrySlip: addSlip(base.entrySlip, quoted, price, remaining, buy),
          ...widen(base.minMark, base.maxMark, price),
        });
      }
      return {
        state: { open, quoted: state.quoted, stops: state.stops, execs, lastPoints: state.lastPoints },
        trip,
      };
    }
    default:
      return { state, trip: null };
  }
}

/** The contract's last computation before the entry fill, if recent enough to start the first interval. */
function entryPoint(last: GreekPoint | undefined, fillTs: number): GreekPoint | null {
  if (last === undefined || last.ts > fillTs || fillTs - last.ts > ENTRY_QUOTE_WINDOW_MS) return null;
  return last;
}

function finish(t: OpenTrip, closed: ClosedTrade, contract: Contract, stop: number | undefined): RoundTrip {
  const m = multiplierOf(contract);
  const entry = Math.round(t.entryNotional / t.entryQty);
  const exit = Math.round(t.exitNotional / t.exitQty);
  // Excursions of the marks against the average entry, over the largest quantity held.
  const excursion = (mark: Micros | null) => (mark === null ? null : (mark - entry) * t.sign * t.maxQty * m);
  const lo = excursion(t.sign === 1 ? t.minMark : t.maxMark);
  const hi = excursion(t.sign === 1 ? t.maxMark : t.minMark);
  const risk = stop === undefined ? 0 : entry * stop * t.maxQty * m;
  // The closed trade's fields one by one: spread into this many more, V8 built each trip's object
  // property by property (3 % of the engine's profile, for a few thousand trips).
  return {
    stream: closed.stream,
    session: closed.session,
    key: closed.key,
    openedSeq: closed.openedSeq,
    closedSeq: closed.closedSeq,
    closedTs: closed.closedTs,
    pnlMicros: closed.pnlMicros,
    contractKey: contractKey(contract),
    symbol: contract.symbol,
    side: t.sign === 1 ? "LONG" : "SHORT",
    quantity: t.maxQty,
    multiplier: m,
    entryTs: t.entryTs,
    entryPriceMicros: entry,
    exitPriceMicros: exit,
    exitReason: t.exitReason,
    holdingMs: closed.closedTs - t.entryTs,
    feesMicros: t.fees,
    rMultiple: risk > 0 ? rOf(closed.pnlMicros, risk) : null,
    riskMicros: risk > 0 ? Math.round(risk) : null,
    maeMicros: lo === null ? null : Math.min(0, lo),
    mfeMicros: hi === null ? null : Math.max(0, hi),
    entrySlippageMicros: t.entrySlip === null ? null : Math.round(t.entrySlip.micros / t.entrySlip.qty),
    exitSlippageMicros: t.exitSlip === null ? null : Math.round(t.exitSlip.micros / t.exitSlip.qty),
    greekPnl: greekPnl(t.greeks, closed.pnlMicros, t.fees),
  };
}

/** A commission that arrived after the closing fill: add it to the trip's fees and take it off its P&L. */
export function chargeTrip(trip: RoundTrip, micros: Micros): RoundTrip {
  const pnlMicros = trip.pnlMicros - micros;
  const feesMicros = trip.feesMicros + micros;
  return {
    ...trip,
    pnlMicros,
    feesMicros,
    greekPnl: rechargeGreekPnl(trip.greekPnl, pnlMicros, feesMicros),
    rMultiple: trip.riskMicros === null ? null : rOf(pnlMicros, trip.riskMicros),
  };
}

/** P&L in units of risk, to the hundredth. */
function rOf(pnl: Micros, risk: Micros): number {
  return Math.round((pnl / risk) * 100) / 100;
}
