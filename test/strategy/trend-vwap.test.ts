/**
 * trend-vwap as given/when/then specifications: given these market events (and its own past
 * decisions), when it decides for a cycle, then this decision.
 */
import { describe, expect, it } from "vitest";
import { type Bar, type Contract, type EventBodyInput, newYorkTimeToMs } from "../../src/events/index.js";
import { type Decision, StrategyRunner, trendVwap } from "../../src/strategy/index.js";
import { stored } from "../support/given.js";

const SESSION = "2026-02-04";
const OPEN = newYorkTimeToMs(SESSION, 9, 30);
const SPY: Contract = { secType: "STK", symbol: "SPY", exchange: "SMART", currency: "USD" };
const option = (strike: number, right: "C" | "P"): Contract => ({
  secType: "OPT",
  symbol: "SPY",
  expiry: "20260205",
  strike,
  right,
  multiplier: 100,
  exchange: "SMART",
  currency: "USD",
});
const timing = { reqId: 1, requestedAtMs: 0, latencyMs: 1 };

/** `minutes` one-minute bars from the open, closing on `path(i)`. */
function bars(minutes: number, path: (i: number) => number): EventBodyInput {
  const list: Bar[] = Array.from({ length: minutes }, (_, i) => {
    const close = path(i);
    return {
      timeMs: OPEN + i * 60_000,
      openUsd: close - 0.05,
      highUsd: close + 0.1,
      lowUsd: close - 0.1,
      closeUsd: close,
      volume: 1000,
      vwapUsd: close,
      count: 10,
    };
  });
  return {
    type: "BarsReceived",
    version: 1,
    payload: { contract: SPY, barSize: "1 min", whatToShow: "TRADES", useRth: true, timing, bars: list },
  };
}
const quote = (contract: Contract, bid: number, ask: number): EventBodyInput => ({
  type: "QuoteSnapshot",
  version: 1,
  payload: {
    contract,
    bidUsd: bid,
    askUsd: ask,
    lastUsd: (bid + ask) / 2,
    bidSize: 10,
    askSize: 10,
    lastSize: 1,
    greeks: null,
    timing,
    complete: true,
  },
});
const chain = (under: number): EventBodyInput[] => [
  quote(SPY, under - 0.01, under + 0.01),
  quote(option(Math.round(under), "C"), 2.0, 2.05),
  quote(option(Math.round(under), "P"), 1.9, 1.95),
  quote(option(Math.round(under) + 1, "C"), 1.5, 1.55),
];

/** given(cycles of market events).when(decide each cycle).then(the last decision). */
function given(
  cycles: EventBodyInput[][],
  params: Record<string, unknown> = {},
  startTs = OPEN + 45 * 60_000,
) {
  const runner = new StrategyRunner(trendVwap, trendVwap.params.parse(params));
  const decisions: Decision[] = [];
  cycles.forEach((events, c) => {
    for (const event of stored(events as never, { startTs: startTs + c * 300_000, startSeq: 1 + c * 100 })) {
      runner.observe(event as never);
    }
    const d = runner.decide(c + 1);
    if (d) decisions.push(d);
  });
  return { decisions, last: decisions[decisions.length - 1]! };
}

const rising = (i: number) => 690 + i * 0.05;
const falling = (i: number) => 700 - i * 0.05;

describe("trend-vwap", () => {
  it("holds while warming up (fewer bars than the slow EMA)", () => {
    const { last } = given([[bars(10, rising), ...chain(690.5)]]);
    expect(last.action).toBe("hold");
    expect(last.reason).toMatch(/warming up: 10 bars, need 20/);
  });

  it("buys the call nearest the money when close > VWAP and fast EMA > slow EMA", () => {
    const { last } = given([[bars(45, rising), ...chain(692.2)]]);
    expect(last.action).toBe("enter");
    expect(last.intents).toEqual([
      {
        contract: option(692, "C"),
        side: "BUY",
        quantity: 1,
        orderType: "MKT",
        tif: "DAY",
        purpose: "entry",
      },
    ]);
    expect(last.signals.quotedPriceUsd).toBe(2.05);
  });

  it("buys the put in the mirror case", () => {
    const { last } = given([[bars(45, falling), ...chain(697.8)]]);
    expect(last.action).toBe("enter");
    expect(last.intents[0]?.contract).toEqual(option(698, "P"));
  });

  it("takes profit when the held option's bid is up by the target", () => {
    const { decisions } = given([
      [bars(45, rising), ...chain(692.2)],
      [bars(50, rising), quote(SPY, 692.4, 692.5), quote(option(692, "C"), 2.6, 2.65)],
    ]);
    expect(decisions.map((d) => d.action)).toEqual(["enter", "exit"]);
    expect(decisions[1]!.intents[0]).toMatchObject({
      side: "SELL",
      purpose: "profit-target",
      contract: option(692, "C"),
    });
  });

  it("stops out when the bid falls by the stop loss", () => {
    const { decisions } = given([
      [bars(45, rising), ...chain(692.2)],
      [bars(50, rising), quote(SPY, 692.4, 692.5), quote(option(692, "C"), 1.7, 1.75)],
    ]);
    expect(decisions[1]!.intents[0]).toMatchObject({ side: "SELL", purpose: "stop-loss" });
  });

  it("stops entering once its own realized loss passes the daily limit", () => {
    const { decisions } = given(
      [
        [bars(45, rising), ...chain(692.2)],
        [bars(50, rising), quote(SPY, 692.4, 692.5), quote(option(692, "C"), 1.0, 1.05)],
        [bars(55, rising), ...chain(692.8)],
      ],
      { dailyLossLimitUsd: 50 },
    );
    // Entry at 2.05, stopped at 1.00: −105 USD ≤ −50.
    expect(decisions.map((d) => d.action)).toEqual(["enter", "exit", "hold"]);
    expect(decisions[2]!.reason).toMatch(/daily loss limit/);
  });

  it("makes no entries after noEntryAfter (New York time)", () => {
    const { last } = given([[bars(45, rising), ...chain(692.2)]], {}, newYorkTimeToMs(SESSION, 15, 35));
    expect(last.action).toBe("hold");
    expect(last.reason).toMatch(/no entries after 15:30/);
  });

  it("is pure: the same events give the same decisions, and the state is never mutated", () => {
    const cycles = [
      [bars(45, rising), ...chain(692.2)],
      [bars(50, rising), quote(SPY, 692.4, 692.5), quote(option(692, "C"), 2.6, 2.65)],
    ];
    const state = trendVwap.initialState(trendVwap.params.parse({}));
    const frozen = JSON.stringify(state);
    expect(JSON.stringify(given(cycles).decisions)).toBe(JSON.stringify(given(cycles).decisions));
    expect(JSON.stringify(state)).toBe(frozen);
  });
});
