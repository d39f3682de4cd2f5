import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Contract, EventBodyInput, StoredEvent } from "../../src/events/index.js";
import { foldBook, foldSession, sessionFigures, sessionOf, toUsd } from "../../src/projections/index.js";
import { stored } from "../support/given.js";

const PUT: Contract = {
  secType: "OPT",
  symbol: "QQQ",
  expiry: "20260206",
  strike: 516,
  right: "P",
  multiplier: 100,
  exchange: "SMART",
  currency: "USD",
};
const STRATEGY = { name: "trend-vwap", version: "2.0.0" };

const replayStarted = (stopLossPct: number): EventBodyInput => ({
  type: "ReplayStarted",
  version: 2,
  payload: {
    sourceJournal: "j.db",
    sourceStream: "live",
    sourceSessions: ["2026-02-04"],
    strategy: STRATEGY,
    params: { stopLossPct },
    fillModel: { name: "next-quote", params: {} },
    codeVersion: "test",
    outcomes: "simulated",
  },
});
const intent = (side: "BUY" | "SELL", purpose: string) => ({
  contract: PUT,
  side,
  quantity: 1,
  orderType: "MKT" as const,
  tif: "DAY" as const,
  purpose,
});
const quote = (bid: number, ask: number): EventBodyInput => ({
  type: "QuoteSnapshot",
  version: 1,
  payload: {
    contract: PUT,
    bidUsd: bid,
    askUsd: ask,
    lastUsd: null,
    bidSize: 10,
    askSize: 10,
    lastSize: 0,
    greeks: null,
    timing: { reqId: 1, requestedAtMs: 0, latencyMs: 1 },
    complete: true,
  },
});
/** A decision quoting `quoted`, its order, and the order's fill at `price` with 0.65 commission. */
function order(
  n: number,
  side: "BUY" | "SELL",
  purpose: string,
  quoted: number,
  price: number,
): (EventBodyInput & { id?: string; causation?: string; correlation?: string })[] {
  const decision = `D${n}`;
  const i = intent(side, purpose);
  return [
    {
      id: decision,
      type: "DecisionMade",
      version: 1,
      payload: {
        strategy: STRATEGY,
        cycle: n,
        symbol: "QQQ",
        action: side === "BUY" ? "enter" : "exit",
        reason: purpose,
        saw: [],
        intents: [i],
        signals: { quotedPriceUsd: quoted },
      },
    },
    {
      id: `I${n}`,
      type: "OrderIntended",
      version: 1,
      causation: decision,
      correlation: decision,
      payload: { intent: i, dryRun: false },
    },
    {
      type: "OrderSubmitted",
      version: 1,
      causation: `I${n}`,
      correlation: decision,
      payload: { orderId: n, clientId: 1, intent: i },
    },
    {
      type: "OrderFilled",
      version: 1,
      correlation: decision,
      payload: {
        orderId: n,
        execId: `x${n}`,
        contract: PUT,
        side,
        quantity: 1,
        priceUsd: price,
        exchange: "CBOE",
      },
    },
    {
      type: "CommissionReported",
      version: 1,
      payload: { execId: `x${n}`, orderId: n, commissionUsd: 0.65, currency: "USD", realizedPnlUsd: null },
    },
  ];
}

describe("round trips (worked example, hand-checked)", () => {
  it("entry, exit, reason, fees, P&L, R, MAE/MFE and slippage of one long put", () => {
    const events = stored(
      [
        replayStarted(0.2),
        ...order(1, "BUY", "entry", 2.0, 2.05),
        quote(1.75, 1.85), // mid 1.80: the worst mark
        quote(2.35, 2.45), // mid 2.40: the best
        ...order(2, "SELL", "profit-target", 2.3, 2.28),
      ],
      { stream: "replay-x" },
    );
    const [trip] = foldBook(events).summaries.get("replay-x|2026-02-04")!.trades;
    expect(trip).toBeDefined();
    const t = trip!;
    expect([t.side, t.quantity, t.contractKey, t.exitReason]).toEqual([
      "LONG",
      1,
      "QQQ 20260206 P 516",
      "profit-target",
    ]);
    expect([t.entryPriceMicros, t.exitPriceMicros]).toEqual([2_050_000, 2_280_000]);
    // (2.28 − 2.05)·100 − 2 × 0.65
    expect(toUsd(t.pnlMicros)).toBe(21.7);
    expect(toUsd(t.feesMicros)).toBe(1.3);
    // Risk: 2.05 × 0.2 × 100 = 41; 21.70 / 41 = 0.53
    expect(t.rMultiple).toBe(0.53);
    expect(toUsd(t.maeMicros!)).toBe(-25);
    expect(toUsd(t.mfeMicros!)).toBe(35);
    // Paid 0.05 over the quoted ask; sold 0.02 under the quoted bid.
    expect([t.entrySlippageMicros, t.exitSlippageMicros]).toEqual([50_000, 20_000]);
    expect(t.holdingMs).toBe(t.closedTs - t.entryTs);
  });

  it("a short round trip's excursions are mirrored, and no stop means no R", () => {
    const events = stored([
      ...order(1, "SELL", "entry", 2.0, 2.0),
      quote(2.45, 2.55), // mid 2.50: worst for a short
      ...order(2, "BUY", "stop-loss", 2.5, 2.5),
    ]);
    const t = foldBook(events).summaries.get("live|2026-02-04")!.trades[0]!;
    expect(t.side).toBe("SHORT");
    expect(toUsd(t.maeMicros!)).toBe(-50);
    expect(toUsd(t.mfeMicros!)).toBe(0);
    expect(t.rMultiple).toBeNull();
    expect(t.exitReason).toBe("stop-loss");
  });
});

describe("a session's P&L is its own", () => {
  it("day 2 does not carry day 1's result, folded with the whole journal or alone", () => {
    const day1 = stored([...order(1, "BUY", "entry", 2, 2), ...order(2, "SELL", "stop-loss", 1.5, 1.5)]);
    const day2 = stored([...order(3, "BUY", "entry", 2, 2), ...order(4, "SELL", "profit-target", 2.5, 2.5)], {
      session: "2026-02-05",
      startSeq: day1.length + 1,
      startTs: Date.UTC(2026, 1, 5, 15),
    });
    const whole = sessionOf(foldBook([...day1, ...day2]), "live", "2026-02-05", day2);
    const alone = foldSession(day2, [], "live", "2026-02-05");
    expect(toUsd(whole.summary.netPnlMicros)).toBe(48.7);
    expect(sessionFigures(whole, 1)).toEqual(sessionFigures(alone, 1));
    expect(whole.summary.maxDrawdownMicros).toBe(alone.summary.maxDrawdownMicros);
  });

  it("after any earlier session that ended flat, a session's figures equal those of the session folded alone", () => {
    const step = fc.record({
      side: fc.constantFrom("BUY" as const, "SELL" as const),
      price: fc.integer({ min: 1, max: 500 }).map((c) => c / 100),
      mark: fc.integer({ min: 1, max: 500 }).map((c) => c / 100),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), fc.array(step, { maxLength: 12 }), (a, b) => {
        let n = 0;
        const bodies = (steps: typeof a, flat: boolean) => {
          const out: ReturnType<typeof order> = [];
          let held = 0;
          for (const s of steps) {
            n += 1;
            out.push(...order(n, s.side, "entry", s.price, s.price), quote(s.mark, s.mark + 0.02));
            held += s.side === "BUY" ? 1 : -1;
          }
          for (; flat && held !== 0; held += held > 0 ? -1 : 1) {
            n += 1;
            out.push(...order(n, held > 0 ? "SELL" : "BUY", "end-of-day", 1, 1));
          }
          return out;
        };
        const day1 = stored(bodies(a, true));
        const day2: StoredEvent[] = stored(bodies(b, false), {
          session: "2026-02-05",
          startSeq: day1.length + 1,
          startTs: Date.UTC(2026, 1, 5, 15),
        });
        const whole = sessionOf(foldBook([...day1, ...day2]), "live", "2026-02-05", day2);
        const alone = foldSession(day2, [], "live", "2026-02-05");
        expect(sessionFigures(whole, 1000)).toEqual(sessionFigures(alone, 1000));
        const f = sessionFigures(alone, 1000);
        expect(Math.round((f.closedPnlUsd + f.openPnlUsd) * 100) / 100).toBe(f.netPnlUsd);
        for (const t of alone.summary.trades) {
          expect(t.maeMicros!).toBeLessThanOrEqual(0);
          expect(t.mfeMicros!).toBeGreaterThanOrEqual(0);
          expect(t.closedTs).toBeGreaterThanOrEqual(t.entryTs);
        }
      }),
      { numRuns: 200 },
    );
  });
});
