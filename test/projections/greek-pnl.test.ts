/**
 * P&L by greek on constructed trades whose greeks and moves are known, term by term; and the sum
 * rule (the five add up to the P&L before fees, to the cent) on any trade fast-check builds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Contract, EventBodyInput, StoredEvent } from "../../src/events/index.js";
import { foldBook, type RoundTrip, toUsd } from "../../src/projections/index.js";
import { stored } from "../support/given.js";

const CALL: Contract = {
  secType: "OPT",
  symbol: "SPY",
  expiry: "20260206",
  strike: 100,
  right: "C",
  multiplier: 100,
  exchange: "SMART",
  currency: "USD",
};
const T0 = Date.UTC(2026, 1, 4, 15);
const HOUR = 3_600_000;

interface Greeks {
  und: number;
  iv: number | null;
  delta: number | null;
  gamma: number | null;
  vega: number | null;
  theta: number | null;
}
type Body = EventBodyInput & { ts: number };

const quote = (ts: number, mid: number, g: Greeks | null): Body => ({
  ts,
  type: "QuoteSnapshot",
  version: 1,
  payload: {
    contract: CALL,
    bidUsd: mid - 0.05,
    askUsd: mid + 0.05,
    lastUsd: null,
    bidSize: 10,
    askSize: 10,
    lastSize: 0,
    greeks:
      g === null
        ? null
        : {
            impliedVol: g.iv,
            delta: g.delta,
            gamma: g.gamma,
            vega: g.vega,
            theta: g.theta,
            optPriceUsd: mid,
            undPriceUsd: g.und,
          },
    timing: { reqId: 1, requestedAtMs: ts, latencyMs: 1 },
    complete: true,
  },
});
let orderId = 0;
const fill = (ts: number, side: "BUY" | "SELL", quantity: number, price: number): Body[] => {
  orderId += 1;
  return [
    {
      ts,
      type: "OrderFilled",
      version: 1,
      payload: {
        orderId,
        execId: `x${orderId}`,
        contract: CALL,
        side,
        quantity,
        priceUsd: price,
        exchange: "CBOE",
      },
    },
    {
      ts,
      type: "CommissionReported",
      version: 1,
      payload: {
        execId: `x${orderId}`,
        orderId,
        commissionUsd: 0.65 * quantity,
        currency: "USD",
        realizedPnlUsd: null,
      },
    },
  ];
};
/** Stored events at the bodies' own times. */
const at = (bodies: readonly Body[]): StoredEvent[] =>
  stored(bodies).map((e, i) => ({ ...e, ts: bodies[i]!.ts }) as StoredEvent);
const tripsOf = (events: readonly StoredEvent[]): readonly RoundTrip[] =>
  foldBook(events).summaries.get("live|2026-02-04")?.trades ?? [];
const usd = (t: RoundTrip) => ({
  delta: toUsd(t.greekPnl.deltaMicros),
  gamma: toUsd(t.greekPnl.gammaMicros),
  theta: toUsd(t.greekPnl.thetaMicros),
  vega: toUsd(t.greekPnl.vegaMicros),
  residual: toUsd(t.greekPnl.residualMicros),
});
const cents = (usdValue: number) => Math.round(usdValue * 100);

describe("P&L by greek (constructed trades, each term hand-checked)", () => {
  it("splits a long two-lot call over two six-hour intervals into delta, gamma, theta, vega and the rest", () => {
    const q0 = { und: 100, iv: 0.2, delta: 0.5, gamma: 0.05, vega: 0.1, theta: -0.3 };
    const q1 = { und: 102, iv: 0.22, delta: 0.6, gamma: 0.04, vega: 0.12, theta: -0.4 };
    const q2 = { und: 101, iv: 0.21, delta: 0.55, gamma: 0.045, vega: 0.11, theta: -0.35 };
    const [trip, ...more] = tripsOf(
      at([
        quote(T0, 2.0, q0),
        ...fill(T0 + 1_000, "BUY", 2, 2.05),
        quote(T0 + 6 * HOUR, 3.1, q1),
        quote(T0 + 12 * HOUR, 2.65, q2),
        ...fill(T0 + 12 * HOUR + 1_000, "SELL", 2, 2.6),
      ]),
    );
    expect(more).toEqual([]);
    // units 2 × 100 = 200; Δt 0.25 day per interval; Δiv in points (× 100).
    // delta: 0.5 × 2 × 200 + 0.6 × (−1) × 200 = 200 − 120
    // gamma: ½ × 0.05 × 4 × 200 + ½ × 0.04 × 1 × 200 = 20 + 4
    // theta: −0.3 × 0.25 × 200 − 0.4 × 0.25 × 200 = −15 − 20
    // vega:  0.1 × 2 × 200 + 0.12 × (−1) × 200 = 40 − 24
    // before fees (2.60 − 2.05) × 200 = 110; residual 110 − (80 + 24 − 35 + 16) = 25
    expect(usd(trip!)).toEqual({ delta: 80, gamma: 24, theta: -35, vega: 16, residual: 25 });
    expect(toUsd(trip!.pnlMicros)).toBe(110 - 4 * 0.65);
  });

  it("mirrors a short position, skips a quote without a computation, and puts a greek not computed in the residual", () => {
    const q0 = { und: 100, iv: 0.2, delta: 0.5, gamma: 0.05, vega: 0.1, theta: -0.3 };
    const q1 = { und: 101, iv: 0.25, delta: 0.6, gamma: null, vega: null, theta: -0.4 };
    const q2 = { und: 99, iv: 0.2, delta: 0.4, gamma: 0.04, vega: 0.12, theta: -0.2 };
    const [trip] = tripsOf(
      at([
        quote(T0, 2.0, q0),
        ...fill(T0 + 1_000, "SELL", 1, 1.95),
        quote(T0 + 3 * HOUR, 2.2, null), // no computation: not a point, the interval runs on to q1
        quote(T0 + 6 * HOUR, 2.5, q1),
        quote(T0 + 12 * HOUR, 1.6, q2),
        ...fill(T0 + 12 * HOUR + 1_000, "BUY", 1, 1.65),
      ]),
    );
    // units −100. q0→q1 (0.25 day): delta 0.5 × 1 × −100 = −50; gamma ½ × 0.05 × 1 × −100 = −2.5;
    // theta −0.3 × 0.25 × −100 = 7.5; vega 0.1 × 5 × −100 = −50.
    // q1→q2: delta 0.6 × −2 × −100 = 120; gamma, vega not computed at q1: 0; theta −0.4 × 0.25 × −100 = 10.
    // before fees (1.95 − 1.65) × 100 = 30; residual 30 − (70 − 2.5 + 17.5 − 50) = −5
    expect(usd(trip!)).toEqual({ delta: 70, gamma: -2.5, theta: 17.5, vega: -50, residual: -5 });
  });

  it("starts at the last quote before the entry only when it is recent, and leaves a trip without one to the residual", () => {
    const g = { und: 100, iv: 0.2, delta: 0.5, gamma: 0.05, vega: 0.1, theta: -0.3 };
    const [trip] = tripsOf(
      at([
        quote(T0, 2.0, g),
        ...fill(T0 + 16 * 60_000, "BUY", 1, 2.05), // 16 minutes later: the quote is too old
        ...fill(T0 + 17 * 60_000, "SELL", 1, 2.25),
      ]),
    );
    expect(usd(trip!)).toEqual({ delta: 0, gamma: 0, theta: 0, vega: 0, residual: 20 });
  });

  it("adds up to the P&L before fees to the cent, whatever the quotes, greeks and fills", () => {
    const point = fc.record({
      und: fc.integer({ min: 9_000, max: 11_000 }).map((c) => c / 100),
      iv: fc.option(fc.integer({ min: 5, max: 90 }).map((p) => p / 100)),
      delta: fc.option(fc.double({ min: -1, max: 1, noNaN: true })),
      gamma: fc.option(fc.double({ min: 0, max: 0.2, noNaN: true })),
      vega: fc.option(fc.double({ min: 0, max: 0.5, noNaN: true })),
      theta: fc.option(fc.double({ min: -3, max: 0, noNaN: true })),
    });
    const step = fc.record({
      gapMs: fc.integer({ min: 1, max: 20 * 60_000 }),
      mid: fc.integer({ min: 10, max: 900 }).map((c) => c / 100),
      greeks: fc.option(point, { freq: 5 }),
      trade: fc.option(
        fc.record({
          side: fc.constantFrom("BUY" as const, "SELL" as const),
          qty: fc.integer({ min: 1, max: 3 }),
        }),
        { freq: 2 },
      ),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 2, maxLength: 30 }), (steps) => {
        let ts = T0;
        let held = 0;
        const bodies: Body[] = [];
        for (const s of steps) {
          ts += s.gapMs;
          bodies.push(quote(ts, s.mid, s.greeks));
          if (s.trade) {
            bodies.push(
              ...fill(ts + 1, s.trade.side, s.trade.qty, s.mid + (s.trade.side === "BUY" ? 0.05 : -0.05)),
            );
            held += s.trade.side === "BUY" ? s.trade.qty : -s.trade.qty;
          }
        }
        if (held !== 0) bodies.push(...fill(ts + 2, held > 0 ? "SELL" : "BUY", Math.abs(held), 1));
        for (const t of tripsOf(at(bodies))) {
          const parts = usd(t);
          const sum =
            cents(parts.delta) +
            cents(parts.gamma) +
            cents(parts.theta) +
            cents(parts.vega) +
            cents(parts.residual);
          expect(sum).toBe(cents(toUsd(t.pnlMicros)) + cents(toUsd(t.feesMicros)));
        }
      }),
    );
  });
});
