/**
 * trend-vwap: buys a near-the-money option in the direction of the intraday trend, confirmed by
 * VWAP, and exits on a profit target, a stop loss, a maximum holding time or the end of the day.
 *
 * - Entry: last 1-minute close above the session VWAP and the fast EMA above the slow EMA → buy the
 *   call nearest the money; the mirror image → buy the put. At most one position per symbol.
 * - Exit: option bid up `profitTargetPct` or down `stopLossPct` from the entry ask, held longer than
 *   `maxHoldMinutes`, or after `flatAfter` (New York time).
 * - `noEntryAfter` and `flatAfter` are set against a 16:00 close: on a day the gateway's hours close
 *   earlier (13:00 after Thanksgiving) they move back by the same distance (15:50 → 12:50). The
 *   session VWAP covers the day's own session.
 * - Daily loss limit: no new entries once the strategy's own realized P&L for the day (fills and
 *   commissions) is below −`dailyLossLimitUsd`.
 *
 * It trades on outcomes, never on beliefs: what it holds is the sum of its fills; an entry that is
 * refused, not sent (dry run), cancelled or rejected leaves it flat, so it never sells a contract
 * it does not hold. While one of its orders for a symbol is working it waits for the outcome
 * instead of deciding again. In a dry run nothing fills, so it holds nothing and may enter again.
 *
 * Pure: time is the decision time handed in (`input.nowMs`) or an event's own time, never the clock.
 */

import {
  type Bar,
  type Contract,
  contractKey,
  type DayHours,
  earlyCloseMinutes,
  newYorkParts,
  newYorkTimeToMs,
  type OptionContract,
  type PayloadOf,
} from "../events/index.js";
import { z } from "../vendor/index.js";
import type { CycleInput, Decision, OrderOutcome, Strategy, StrategyEvent } from "./contract.js";

export const TrendVwapParams = z
  .object({
    fastEma: z.number().int().min(2).default(5),
    slowEma: z.number().int().min(3).default(20),
    quantity: z.number().int().positive().max(10).default(1),
    profitTargetPct: z.number().positive().default(0.25),
    stopLossPct: z.number().positive().default(0.15),
    maxHoldMinutes: z.number().positive().default(60),
    dailyLossLimitUsd: z.number().positive().default(300),
    /** No entries after this New York time (HH:MM). */
    noEntryAfter: z
      .string()
      .regex(/^\d{2}:\d{2}$/)
      .default("15:30"),
    /** Close everything after this New York time (HH:MM). */
    flatAfter: z
      .string()
      .regex(/^\d{2}:\d{2}$/)
      .default("15:50"),
    /**
     * No entry on bars older than this many cycles (a pacing backoff, a failed request: the trend
     * it would enter on is history). Exits stay allowed: they are priced on this cycle's quotes.
     */
    maxBarAgeCycles: z.number().positive().default(2),
  })
  .strict();
export type TrendVwapParams = z.infer<typeof TrendVwapParams>;

/** A position built from its own fills. */
interface Holding {
  readonly contract: Contract;
  /** Contracts held (> 0: it only ever buys to open). */
  readonly quantity: number;
  /** Average fill price of the open lot, USD per unit. */
  readonly entryPriceUsd: number;
  /** Time of the fill that opened it. */
  readonly enteredAtMs: number;
}

/** One of its orders whose outcome is still open: sent (or about to be) and not yet done. */
interface WorkingOrder {
  readonly symbol: string;
  readonly contractKey: string;
  readonly side: "BUY" | "SELL";
  readonly quantity: number;
  readonly filled: number;
  readonly purpose: string;
  /** The gateway's order id once submitted: cancels and rejections name only it. */
  readonly orderId: number | null;
}

export interface TrendVwapState {
  readonly session: string | null;
  /** Recent bars per symbol (deduplicated by time, at most 400: a whole RTH day). */
  readonly bars: Readonly<Record<string, readonly Bar[]>>;
  /** What it holds, by contract key, from fills only. */
  readonly holdings: Readonly<Record<string, Holding>>;
  /** Its orders without a final outcome yet, by decision id (one intent per decision). */
  readonly working: Readonly<Record<string, WorkingOrder>>;
  readonly realizedTodayUsd: number;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The EMA of the bars' closes, read off the bars (a decision a cycle: no array of closes each time). */
function ema(bars: readonly Bar[], period: number): number | null {
  if (bars.length < period) return null;
  const k = 2 / (period + 1);
  // The seed sums left to right from 0, as a reduce would (the same float).
  let sum = 0;
  for (let i = 0; i < period; i++) sum += bars[i]!.closeUsd;
  let e = sum / period;
  for (let i = period; i < bars.length; i++) e = bars[i]!.closeUsd * k + e * (1 - k);
  return e;
}

/** `HH:MM` of a minute of the day. */
const hhmmOf = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/**
 * A cut-off time of day set against a 16:00 close, moved back by how much earlier today closes,
 * and the words that say so (none on a regular day, so its reasons read as they always did).
 */
function cutoff(hhmm: string, hours: DayHours): { minute: number; said: string } {
  const early = earlyCloseMinutes(hours);
  const minute = minutesOf(hhmm) - early;
  if (early === 0) return { minute, said: hhmm };
  return { minute, said: `${hhmmOf(minute)} (${hhmm} moved back ${hhmmOf(early)} to today's early close)` };
}

function sessionVwap(bars: readonly Bar[], session: string, hours: DayHours): number | null {
  let pv = 0;
  let v = 0;
  // Today's regular session only (09:30–16:00 New York unless the gateway's hours say otherwise).
  const open = hours.openMs ?? newYorkTimeToMs(session, 9, 30);
  const close = hours.closeMs ?? newYorkTimeToMs(session, 16, 0);
  for (const b of bars) {
    if (b.timeMs < open || b.timeMs >= close) continue;
    pv += b.vwapUsd * b.volume;
    v += b.volume;
  }
  return v > 0 ? pv / v : null;
}

const sameBar = (a: Bar, b: Bar) =>
  a.closeUsd === b.closeUsd && a.highUsd === b.highUsd && a.lowUsd === b.lowUsd && a.volume === b.volume;

function mergeBars(old: readonly Bar[], fresh: readonly Bar[]): Bar[] {
  const last = old[old.length - 1];
  const first = fresh[0];
  // The usual case: this cycle's hour of bars overlaps the last one and extends it. A real gateway's
  // answer ends with the minute still forming; the next answer's complete bar of that minute replaces it.
  if (last && first && first.timeMs >= (old[0]?.timeMs ?? 0)) {
    const redone = fresh.find((b) => b.timeMs === last.timeMs);
    const changed = redone !== undefined && !sameBar(redone, last);
    const added = fresh.filter((b) => b.timeMs > last.timeMs);
    if (added.length === 0 && !changed) return old as Bar[];
    // One copy a cycle (the spreads that built it made two or three, a day's most garbage after
    // the read): the old bars, the added ones after them, the last old one redone in place.
    const merged = old.concat(added);
    if (changed) merged[old.length - 1] = redone;
    return merged.length > 400 ? merged.slice(-400) : merged;
  }
  const byTime = new Map<number, Bar>();
  for (const b of old) byTime.set(b.timeMs, b);
  for (const b of fresh) byTime.set(b.timeMs, b);
  return [...byTime.values()].sort((a, b) => a.timeMs - b.timeMs).slice(-400);
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const hold = (reason: string, signals: Decision["signals"]): Decision => ({
  action: "hold",
  reason,
  intents: [],
  signals,
});

/** The working order an outcome is about: by its decision (correlation), else by the gateway's order id. */
function workingIdOf(state: TrendVwapState, event: OrderOutcome, orderId: number | null): string | null {
  if (event.correlation !== null && state.working[event.correlation]) return event.correlation;
  if (orderId === null) return null;
  for (const [id, order] of Object.entries(state.working)) if (order.orderId === orderId) return id;
  return null;
}

/** The order has its final outcome: it no longer works (what it filled stays held). */
function settle(state: TrendVwapState, id: string | null): TrendVwapState {
  if (id === null || !state.working[id]) return state;
  const { [id]: _done, ...working } = state.working;
  return { ...state, working };
}

/** One execution: a buy adds to the holding at its price, a sell closes what is held and realizes P&L. */
function applyFill(
  state: TrendVwapState,
  event: Extract<OrderOutcome, { type: "OrderFilled" }>,
): TrendVwapState {
  const fill = event.payload;
  const key = contractKey(fill.contract);
  const held = state.holdings[key];
  let holdings = state.holdings;
  let realizedTodayUsd = state.realizedTodayUsd;
  if (fill.side === "BUY") {
    const quantity = (held?.quantity ?? 0) + fill.quantity;
    const entryPriceUsd = held
      ? (held.entryPriceUsd * held.quantity + fill.priceUsd * fill.quantity) / quantity
      : fill.priceUsd;
    const holding: Holding = {
      contract: fill.contract,
      quantity,
      entryPriceUsd,
      enteredAtMs: held?.enteredAtMs ?? event.ts,
    };
    holdings = { ...holdings, [key]: holding };
  } else if (held) {
    const closing = Math.min(fill.quantity, held.quantity);
    const multiplier = held.contract.secType === "OPT" ? held.contract.multiplier : 1;
    realizedTodayUsd = round4(realizedTodayUsd + (fill.priceUsd - held.entryPriceUsd) * closing * multiplier);
    const { [key]: _closed, ...rest } = holdings;
    holdings =
      held.quantity > closing ? { ...rest, [key]: { ...held, quantity: held.quantity - closing } } : rest;
  }
  const id = workingIdOf(state, event, fill.orderId);
  const order = id === null ? undefined : state.working[id];
  let working = state.working;
  if (id !== null && order) {
    const filled = order.filled + fill.quantity;
    if (filled >= order.quantity) {
      const { [id]: _done, ...rest } = working;
      working = rest;
    } else working = { ...working, [id]: { ...order, filled } };
  }
  return { ...state, holdings, working, realizedTodayUsd };
}

/** Why the bars are too old to enter on (`maxBarAgeCycles`), or null when they are fresh enough. */
function staleBars(input: CycleInput, params: TrendVwapParams): string | null {
  const { barAgeMs, cycleMs } = input.freshness;
  if (barAgeMs === null) return "no bars";
  const limitMs = params.maxBarAgeCycles * cycleMs;
  if (barAgeMs <= limitMs) return null;
  return `the last bar is ${Math.round(barAgeMs / 60_000)} min old (over ${params.maxBarAgeCycles} cycles of ${Math.round(cycleMs / 60_000)} min)`;
}

export const trendVwap: Strategy<TrendVwapParams, TrendVwapState> = {
  name: "trend-vwap",
  // 2.0.0: holdings come from fills and order outcomes, no longer from its own decisions.
  // 2.1.0: no entry on bars older than `maxBarAgeCycles` cycles.
  version: "2.1.0",
  description:
    "Near-ATM options in the direction of the 1-minute trend confirmed by VWAP, with target, stop, max hold and a daily loss limit",
  params: TrendVwapParams,

  initialState: () => ({ session: null, bars: {}, holdings: {}, working: {}, realizedTodayUsd: 0 }),

  evolve(state: TrendVwapState, event: StrategyEvent): TrendVwapState {
    switch (event.type) {
      case "BarsReceived": {
        const symbol = event.payload.contract.symbol;
        return {
          ...state,
          bars: { ...state.bars, [symbol]: mergeBars(state.bars[symbol] ?? [], event.payload.bars) },
        };
      }
      case "QuoteSnapshot": {
        // A new trading day resets the daily loss budget.
        const session = newYorkParts(event.ts).date;
        return session === state.session ? state : { ...state, session, realizedTodayUsd: 0 };
      }
      case "OptionChainReceived":
        return state;
      case "DecisionMade": {
        // An order is working from its decision on, until its outcome says otherwise.
        const intent = event.payload.intents[0];
        if (!intent) return state;
        const order: WorkingOrder = {
          symbol: event.payload.symbol,
          contractKey: contractKey(intent.contract),
          side: intent.side,
          quantity: intent.quantity,
          filled: 0,
          purpose: intent.purpose,
          orderId: null,
        };
        return { ...state, working: { ...state.working, [event.id]: order } };
      }
      case "OrderIntended":
        return event.payload.dryRun ? settle(state, workingIdOf(state, event, null)) : state;
      case "OrderRefused":
      case "OrderCancelled":
      case "OrderRejected":
        return settle(
          state,
          workingIdOf(state, event, "orderId" in event.payload ? event.payload.orderId : null),
        );
      case "OrderSubmitted": {
        const id = workingIdOf(state, event, null);
        const order = id === null ? undefined : state.working[id];
        if (id === null || !order) return state;
        return {
          ...state,
          working: { ...state.working, [id]: { ...order, orderId: event.payload.orderId } },
        };
      }
      case "OrderStatusChanged": {
        const { status, orderId } = event.payload;
        const final = status === "Cancelled" || status === "ApiCancelled" || status === "Inactive";
        return final ? settle(state, workingIdOf(state, event, orderId)) : state;
      }
      case "OrderFilled":
        return applyFill(state, event);
      case "CommissionReported":
        return {
          ...state,
          realizedTodayUsd: round4(state.realizedTodayUsd - event.payload.commissionUsd),
        };
      default: {
        const never: never = event;
        throw new Error(`trend-vwap: unhandled event ${(never as { type: string }).type}`);
      }
    }
  },

  decide(state: TrendVwapState, input: CycleInput, params: TrendVwapParams): Decision {
    const bars = state.bars[input.symbol] ?? [];
    const clock = newYorkParts(input.nowMs);
    const session = clock.date;
    const minuteOfDay = clock.hour * 60 + clock.minute;
    const fast = ema(bars, params.fastEma);
    const slow = ema(bars, params.slowEma);
    const vwap = sessionVwap(bars, session, input.hours);
    const flatAfter = cutoff(params.flatAfter, input.hours);
    const noEntryAfter = cutoff(params.noEntryAfter, input.hours);
    const last = bars[bars.length - 1]?.closeUsd ?? null;
    const signals: Decision["signals"] = {
      lastCloseUsd: last,
      vwapUsd: vwap === null ? null : round4(vwap),
      fastEma: fast === null ? null : round4(fast),
      slowEma: slow === null ? null : round4(slow),
      realizedTodayUsd: state.realizedTodayUsd,
      decidedAtMs: input.nowMs,
    };

    const waiting = Object.values(state.working).find((o) => o.symbol === input.symbol);
    if (waiting)
      return hold(
        `waiting for the outcome of the ${waiting.purpose} order (${waiting.side} ${waiting.quantity} ${waiting.contractKey}, filled ${waiting.filled})`,
        signals,
      );

    const held = Object.keys(state.holdings)
      .sort()
      .map((key) => state.holdings[key]!)
      .find((h) => h.contract.symbol === input.symbol);
    if (held) {
      const heldKey = contractKey(held.contract);
      const quote = input.options.find((q) => contractKey(q.contract) === heldKey);
      if (!quote || quote.bidUsd === null || quote.bidUsd <= 0)
        return hold("holding; no bid for the held option this cycle", signals);
      const bid = quote.bidUsd;
      const entry = round4(held.entryPriceUsd);
      const change = (bid - held.entryPriceUsd) / held.entryPriceUsd;
      const heldMinutes = (input.nowMs - held.enteredAtMs) / 60_000;
      const exitSignals = { ...signals, quotedPriceUsd: bid, changePct: round4(change) };
      const exit = (purpose: string, reason: string): Decision => ({
        action: "exit",
        reason,
        intents: [
          {
            contract: held.contract,
            side: "SELL",
            quantity: held.quantity,
            orderType: "MKT",
            tif: "DAY",
            purpose,
          },
        ],
        signals: exitSignals,
      });
      if (change >= params.profitTargetPct)
        return exit("profit-target", `bid ${bid} is ${(change * 100).toFixed(1)} % over entry ${entry}`);
      if (change <= -params.stopLossPct)
        return exit("stop-loss", `bid ${bid} is ${(change * 100).toFixed(1)} % under entry ${entry}`);
      if (heldMinutes >= params.maxHoldMinutes)
        return exit("max-hold", `held ${heldMinutes.toFixed(0)} min ≥ ${params.maxHoldMinutes}`);
      if (minuteOfDay >= flatAfter.minute) return exit("end-of-day", `after ${flatAfter.said} New York`);
      return hold(`holding ${heldKey}: ${(change * 100).toFixed(1)} % since entry`, exitSignals);
    }

    if (fast === null || slow === null || vwap === null || last === null)
      return hold(`warming up: ${bars.length} bars, need ${params.slowEma}`, signals);
    if (state.realizedTodayUsd <= -params.dailyLossLimitUsd)
      return hold(`daily loss limit: ${state.realizedTodayUsd} ≤ −${params.dailyLossLimitUsd}`, signals);
    if (minuteOfDay >= noEntryAfter.minute)
      return hold(`no entries after ${noEntryAfter.said} New York`, signals);
    const bullish = last > vwap && fast > slow;
    const bearish = last < vwap && fast < slow;
    if (!bullish && !bearish) return hold("no trend: close, VWAP and EMAs disagree", signals);
    const right = bullish ? "C" : "P";
    const spot = input.underlying?.lastUsd ?? last;
    const candidates = input.options
      .filter(
        (q): q is PayloadOf<"QuoteSnapshot"> & { contract: OptionContract } =>
          q.contract.secType === "OPT" && q.contract.right === right && q.askUsd !== null && q.askUsd > 0,
      )
      .sort(
        (a, b) =>
          Math.abs(a.contract.strike - spot) - Math.abs(b.contract.strike - spot) ||
          a.contract.strike - b.contract.strike,
      );
    const pick = candidates[0];
    if (!pick)
      return hold(
        `${bullish ? "bullish" : "bearish"} but no ${right === "C" ? "call" : "put"} with an ask`,
        signals,
      );
    const stale = staleBars(input, params);
    if (stale) return hold(`${bullish ? "bullish" : "bearish"}, but ${stale}: no entry`, signals);
    return {
      action: "enter",
      reason: `${bullish ? "bullish" : "bearish"}: close ${last} ${bullish ? ">" : "<"} VWAP ${round4(vwap)}, EMA${params.fastEma} ${round4(fast)} ${bullish ? ">" : "<"} EMA${params.slowEma} ${round4(slow)}`,
      intents: [
        {
          contract: pick.contract,
          side: "BUY",
          quantity: params.quantity,
          orderType: "MKT",
          tif: "DAY",
          purpose: "entry",
        },
      ],
      signals: { ...signals, quotedPriceUsd: pick.askUsd },
    };
  },
};
