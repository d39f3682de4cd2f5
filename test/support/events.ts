/**
 * fast-check arbitraries for valid events, shared by the journal, projection and replay tests.
 */
import fc from "fast-check";
import type { Contract, NewEvent, OrderIntent } from "../../src/events/index.js";

const T0 = Date.UTC(2026, 1, 4, 14, 30);

export const arbTs = fc.integer({ min: T0, max: T0 + 6.5 * 3600_000 });
const price = fc
  .double({ min: 0.01, max: 1000, noNaN: true, noDefaultInfinity: true })
  .map((p) => Math.round(p * 100) / 100);

export const arbContract: fc.Arbitrary<Contract> = fc.oneof(
  fc
    .constantFrom("SPY", "QQQ", "IWM")
    .map((symbol) => ({ secType: "STK" as const, symbol, exchange: "SMART", currency: "USD" })),
  fc
    .record({
      symbol: fc.constantFrom("SPY", "QQQ"),
      strike: fc.integer({ min: 600, max: 720 }),
      right: fc.constantFrom("C" as const, "P" as const),
    })
    .map(({ symbol, strike, right }) => ({
      secType: "OPT" as const,
      symbol,
      expiry: "20260206",
      strike,
      right,
      multiplier: 100,
      exchange: "SMART",
      currency: "USD",
    })),
);

export const arbIntent: fc.Arbitrary<OrderIntent> = fc.record({
  contract: arbContract,
  side: fc.constantFrom("BUY" as const, "SELL" as const),
  quantity: fc.integer({ min: 1, max: 5 }),
  orderType: fc.constant("MKT" as const),
  tif: fc.constant("DAY" as const),
  purpose: fc.constantFrom("entry", "profit-target", "stop-loss"),
});

/** A valid new event of one of several representative types. */
export const arbNewEvent: fc.Arbitrary<NewEvent> = fc.oneof(
  fc
    .record({ ts: arbTs, code: fc.integer({ min: 100, max: 11000 }), message: fc.string({ maxLength: 40 }) })
    .map(
      ({ ts, code, message }): NewEvent => ({
        type: "GatewayNotice",
        version: 2,
        ts,
        payload: { code, message, reqId: -1, severity: "info" },
      }),
    ),
  fc.record({ ts: arbTs, cycle: fc.nat(500) }).map(
    ({ ts, cycle }): NewEvent => ({
      type: "CycleStarted",
      version: 1,
      ts,
      payload: { cycle, symbols: ["SPY"], gatewayTimeMs: ts },
    }),
  ),
  fc.record({ ts: arbTs, contract: arbContract, bid: price, spread: fc.integer({ min: 1, max: 20 }) }).map(
    ({ ts, contract, bid, spread }): NewEvent => ({
      type: "QuoteSnapshot",
      version: 1,
      ts,
      payload: {
        contract,
        bidUsd: bid,
        askUsd: Math.round((bid + spread / 100) * 100) / 100,
        lastUsd: bid,
        bidSize: 10,
        askSize: 12,
        lastSize: 1,
        greeks: null,
        timing: { reqId: 7, requestedAtMs: ts - 20, latencyMs: 20 },
        complete: true,
      },
    }),
  ),
  fc.record({ ts: arbTs, intent: arbIntent }).map(
    ({ ts, intent }): NewEvent => ({
      type: "OrderIntended",
      version: 1,
      ts,
      payload: { intent, dryRun: true },
    }),
  ),
);
