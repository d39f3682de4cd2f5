/**
 * No silent holes in a what-if's quotes: a contract the run holds that live stopped quoting is
 * marked from the cycle's implied-volatility smile and Black–Scholes (flagged `modelled`, seen by
 * the strategy, counted), and what the run still holds at the end closes at its last mark.
 */
import { describe, expect, it } from "vitest";
import type { Contract, EventBodyInput, OptionContract } from "../../src/events/index.js";
import { decisionQuoteFillModel, replaySession } from "../../src/replay/index.js";
import { blackScholes, normalCdf, smileAt } from "../../src/replay/quote-model.js";
import type { Strategy } from "../../src/strategy/index.js";
import { stored } from "../support/given.js";

describe("the pricing model", () => {
  it("Black–Scholes gives the textbook values (S = K = 100, one year, 20 %, no rate)", () => {
    const call = blackScholes("C", 100, 100, 1, 0.2);
    expect(call.priceUsd).toBeCloseTo(7.9656, 3);
    expect(call.delta).toBeCloseTo(0.5398, 3);
    expect(call.gamma).toBeCloseTo(0.01985, 4);
    // IB's units: vega per vol point, theta per day.
    expect(call.vega).toBeCloseTo(0.397, 3);
    expect(call.theta).toBeCloseTo(-0.01088, 4);
    // Put–call parity at a zero rate: C − P = S − K.
    const put = blackScholes("P", 100, 95, 0.5, 0.3);
    expect(blackScholes("C", 100, 95, 0.5, 0.3).priceUsd - put.priceUsd).toBeCloseTo(5, 9);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 3);
  });

  it("reads the smile linearly between strikes and flat beyond them", () => {
    const smile: [number, number][] = [
      [690, 0.2],
      [700, 0.18],
    ];
    expect(smileAt(smile, 695)).toBeCloseTo(0.19, 10);
    expect(smileAt(smile, 680)).toBe(0.2);
    expect(smileAt(smile, 720)).toBe(0.18);
    expect(smileAt([], 690)).toBeNull();
  });
});

const option = (strike: number): OptionContract => ({
  secType: "OPT",
  symbol: "SPY",
  expiry: "20260206",
  strike,
  right: "C",
  multiplier: 100,
  exchange: "SMART",
  currency: "USD",
});
const SPY: Contract = { secType: "STK", symbol: "SPY", exchange: "SMART", currency: "USD" };
const timing = { reqId: 1, requestedAtMs: 0, latencyMs: 1 };
const quote = (strike: number, bid: number, ask: number, iv: number): EventBodyInput => ({
  type: "QuoteSnapshot",
  version: 1,
  payload: {
    contract: option(strike),
    bidUsd: bid,
    askUsd: ask,
    lastUsd: null,
    bidSize: 10,
    askSize: 10,
    lastSize: null,
    greeks: {
      impliedVol: iv,
      delta: 0.5,
      gamma: 0.05,
      vega: 0.16,
      theta: -1,
      optPriceUsd: null,
      undPriceUsd: 690,
    },
    timing,
    complete: true,
  },
});
const bars = (close: number): EventBodyInput => ({
  type: "BarsReceived",
  version: 1,
  payload: {
    contract: SPY,
    barSize: "1 min",
    whatToShow: "TRADES",
    useRth: true,
    timing,
    bars: [
      {
        timeMs: Date.UTC(2026, 1, 4, 15),
        openUsd: close,
        highUsd: close,
        lowUsd: close,
        closeUsd: close,
        volume: 1,
        vwapUsd: close,
        count: 1,
      },
    ],
  },
});
const cycle = (c: number, market: EventBodyInput[]): EventBodyInput[] => [
  { type: "CycleStarted", version: 1, payload: { cycle: c, symbols: ["SPY"], gatewayTimeMs: 0 } },
  ...market,
  {
    type: "CycleCompleted",
    version: 2,
    payload: { cycle: c, status: "ok", durationMs: 1, requests: 1, errors: 0, timeouts: 0, inputs: null },
  },
];

/** Buys the 690 call in cycle 1 and holds it; each decision says whether the quote it holds by was modelled. */
const buyAndHold: Strategy<Record<string, never>, { held: boolean }> = {
  name: "buy-and-hold-690",
  version: "1",
  description: "test strategy",
  params: { safeParse: () => ({ success: true, data: {} }), parse: () => ({}) } as never,
  initialState: () => ({ held: false }),
  evolve: (state, event) => (event.type === "OrderFilled" ? { held: true } : state),
  decide(state, input) {
    const mine = input.options.find((q) => q.contract.secType === "OPT" && q.contract.strike === 690);
    const signals = { modelled: mine ? (mine.modelled ? 1 : 0) : null, bidUsd: mine?.bidUsd ?? null };
    if (input.cycle === 1 && mine)
      return {
        action: "enter",
        reason: "cycle 1",
        intents: [
          { contract: option(690), side: "BUY", quantity: 1, orderType: "MKT", tif: "DAY", purpose: "entry" },
        ],
        signals,
      };
    return { action: "hold", reason: state.held ? "holding" : "flat", intents: [], signals };
  },
};

/** Live quoted the 690 call in cycle 1 only; after it, only the 691 call (its smile point). */
const events = stored(
  [
    ...cycle(1, [bars(690), quote(690, 2.0, 2.05, 0.2), quote(691, 1.5, 1.55, 0.19)]),
    ...cycle(2, [bars(691), quote(691, 2.0, 2.05, 0.19)]),
    ...cycle(3, [bars(692), quote(691, 2.6, 2.65, 0.19)]),
  ].map((e) => ({ type: e.type, version: e.version, payload: e.payload }) as never),
);
/** `strategy` over that day, through the decision-quote fill model. */
const replayed = (strategy: Strategy<Record<string, never>, { held: boolean }>) =>
  replaySession({
    session: "2026-02-04",
    sourceJournal: "hand",
    sourceStream: "live",
    events,
    strategy: strategy as never,
    paramOverrides: {},
    fillModel: decisionQuoteFillModel(),
    codeVersion: "test",
  });

describe("a what-if holding a contract that live stopped quoting", () => {
  const result = replayed(buyAndHold);
  const out = result.output;

  it("marks it from the cycle's smile and Black–Scholes, flagged modelled, and the strategy sees the flag", () => {
    const modelled = out.filter((e) => e.type === "QuoteSnapshot" && e.payload.modelled);
    expect(modelled).toHaveLength(2);
    const decisions = out.flatMap((e) => (e.type === "DecisionMade" ? [e.payload] : []));
    expect(decisions.map((d) => d.signals.modelled)).toEqual([0, 1, 1]);
    // The model's price rises with the underlying (691 → 692): a real mark, not the entry's.
    const bids = decisions.slice(1).map((d) => d.signals.bidUsd as number);
    expect(bids[1]!).toBeGreaterThan(bids[0]!);
    // The cycle's spread (0.05) around the model price, at the 691 point's 19 % (flat beyond).
    const first = modelled[0]!;
    if (first.type !== "QuoteSnapshot") throw new Error("not a quote");
    expect(first.payload.greeks?.impliedVol).toBe(0.19);
    expect(first.payload.askUsd! - first.payload.bidUsd!).toBeCloseTo(0.05, 9);
  });

  it("closes what the run still holds at the session's end at its last mark, flagged, and counts it all", () => {
    const sells = out.filter((e) => e.type === "OrderFilled" && e.payload.side === "SELL");
    expect(sells).toHaveLength(1);
    const sell = sells[0]!;
    if (sell.type !== "OrderFilled") throw new Error("not a fill");
    expect(sell.payload.modelled).toBe(true);
    const intent = out.find((e) => e.type === "OrderIntended" && e.payload.intent.purpose === "session-end");
    expect(intent).toBeDefined();
    const lastModelled = out.filter((e) => e.type === "QuoteSnapshot" && e.payload.modelled).at(-1)!;
    if (lastModelled.type !== "QuoteSnapshot") throw new Error("not a quote");
    const mid = (lastModelled.payload.bidUsd! + lastModelled.payload.askUsd!) / 2;
    expect(sell.payload.priceUsd).toBeCloseTo(mid, 4);
    expect(result.replay.trades).toBe(1);
    expect(result.modelled).toEqual({ quotes: 2, fills: 1, closedAtEnd: 1 });
  });
});

/** Buys the 690 and the 691 call in cycle 1 and holds both. */
const buyBothAndHold: Strategy<Record<string, never>, { held: boolean }> = {
  ...buyAndHold,
  name: "buy-690-and-691",
  decide(_state, input) {
    if (input.cycle !== 1) return { action: "hold", reason: "holding", intents: [], signals: {} };
    return {
      action: "enter",
      reason: "cycle 1",
      intents: [690, 691].map((strike) => ({
        contract: option(strike),
        side: "BUY" as const,
        quantity: 1,
        orderType: "MKT" as const,
        tif: "DAY" as const,
        purpose: "entry" as const,
      })),
      signals: {},
    };
  },
};

describe("a what-if holding one contract live quotes and one it stopped quoting", () => {
  it("journals live's quotes of the first as marks beside the modelled quotes of the second", () => {
    const result = replayed(buyBothAndHold);
    const quotes = result.output.flatMap((e) => (e.type === "QuoteSnapshot" ? [e] : []));
    expect(quotes.filter((q) => q.payload.modelled).map((q) => q.payload.contract)).toEqual([
      option(690),
      option(690),
    ]);
    // Live's 691 quotes after the fill mark the run's 691 position: its P&L moved with them.
    const marks = quotes.filter(
      (q) => !q.payload.modelled && q.payload.contract.secType === "OPT" && q.payload.contract.strike === 691,
    );
    const sourceIds = new Set(events.map((e) => e.id));
    expect(marks.map((q) => q.payload.bidUsd)).toEqual(expect.arrayContaining([2.0, 2.6]));
    expect(marks.every((q) => q.causation !== undefined && sourceIds.has(q.causation!))).toBe(true);
  });
});
