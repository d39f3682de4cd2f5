/**
 * The shared risk rules as specifications (given this book, when this intent, then this answer)
 * and as properties over random books and random order flows.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Contract, EventBodyInput, OrderIntent, StoredEvent } from "../../src/events/index.js";
import {
  type BookState,
  checkExposure,
  checkRisk,
  DEFAULT_RISK_LIMITS,
  foldBook,
  isReducing,
  type RiskLimits,
  riskExposure,
  sessionPnlMicros,
} from "../../src/projections/index.js";
import { stored } from "../support/given.js";

const DAY1 = "2026-02-04";
const DAY2 = "2026-02-05";
const scope = (session = DAY1) => ({ stream: "live", session });
const option = (strike: number, right: "C" | "P" = "C"): Contract => ({
  secType: "OPT",
  symbol: "SPY",
  expiry: "20260206",
  strike,
  right,
  multiplier: 100,
  exchange: "SMART",
  currency: "USD",
});
const intent = (
  contract: Contract,
  side: "BUY" | "SELL",
  quantity: number,
  purpose = "entry",
): OrderIntent => ({
  contract,
  side,
  quantity,
  orderType: "MKT",
  tif: "DAY",
  purpose,
});

let nextOrder = 1;
/** An order's journaled life: intended, submitted, and filled for `filled` of its quantity at `priceUsd`. */
function order(
  i: OrderIntent,
  filled: number,
  priceUsd = 2,
): (EventBodyInput & { id?: string; causation?: string })[] {
  const orderId = nextOrder++;
  const id = `INT${orderId}`;
  const events: (EventBodyInput & { id?: string; causation?: string })[] = [
    { id, type: "OrderIntended", version: 1, payload: { intent: i, dryRun: false } },
    { causation: id, type: "OrderSubmitted", version: 1, payload: { orderId, clientId: 1, intent: i } },
  ];
  if (filled > 0)
    events.push({
      type: "OrderFilled",
      version: 1,
      payload: {
        orderId,
        execId: `E${orderId}`,
        contract: i.contract,
        side: i.side,
        quantity: filled,
        priceUsd,
        exchange: "SIM",
      },
    });
  return events;
}

/** A snapshot of `contract` quoted `bid`/`ask`, last traded at their mid. */
function quote(contract: Contract, bidUsd: number, askUsd: number): EventBodyInput {
  return {
    type: "QuoteSnapshot",
    version: 1,
    payload: {
      contract,
      bidUsd,
      askUsd,
      lastUsd: (bidUsd + askUsd) / 2,
      bidSize: 1,
      askSize: 1,
      lastSize: 1,
      greeks: null,
      timing: { reqId: 1, requestedAtMs: 0, latencyMs: 1 },
      complete: true,
    },
  };
}

function book(days: { session: string; events: (EventBodyInput & { id?: string; causation?: string })[] }[]) {
  let seq = 1;
  const all: StoredEvent[] = [];
  for (const day of days) {
    const evs = stored(day.events as never, {
      session: day.session,
      startSeq: seq,
      startTs: Date.UTC(2026, 1, Number(day.session.slice(8)), 15),
    });
    seq += evs.length;
    all.push(...evs);
  }
  return foldBook(all);
}

describe("risk rules: each refusal names its own rule", () => {
  it("short-option: refuses a SELL of an option it does not hold, allowed only with allowShortOptions", () => {
    const b = book([{ session: DAY1, events: [] }]);
    const sell = intent(option(690), "SELL", 1, "stop-loss");
    expect(checkRisk(b, scope(), sell, DEFAULT_RISK_LIMITS)).toMatchObject({
      rule: "short-option",
      detail: expect.stringMatching(/would leave -1 .*allowShortOptions: true/),
    });
    expect(checkRisk(b, scope(), sell, { ...DEFAULT_RISK_LIMITS, allowShortOptions: true })).toBeNull();
  });

  it("delayed-data: refuses an entry on a delayed or frozen quote unless allowDelayedData; an exit still goes", () => {
    const c = option(690);
    const flat = book([{ session: DAY1, events: [] }]);
    for (const data of ["delayed", "frozen", "delayed-frozen"] as const)
      expect(checkRisk(flat, scope(), intent(c, "BUY", 1), DEFAULT_RISK_LIMITS, data)).toMatchObject({
        rule: "delayed-data",
        detail: expect.stringMatching(new RegExp(`last quote is ${data} data.*risk.allowDelayedData: true`)),
      });
    expect(checkRisk(flat, scope(), intent(c, "BUY", 1), DEFAULT_RISK_LIMITS, "live")).toBeNull();
    // Quotes recorded before the type was journaled are real time.
    expect(checkRisk(flat, scope(), intent(c, "BUY", 1), DEFAULT_RISK_LIMITS)).toBeNull();
    const allowed = { ...DEFAULT_RISK_LIMITS, allowDelayedData: true };
    expect(checkRisk(flat, scope(), intent(c, "BUY", 1), allowed, "delayed")).toBeNull();
    const held = book([{ session: DAY1, events: order(intent(c, "BUY", 1), 1) }]);
    expect(
      checkRisk(held, scope(), intent(c, "SELL", 1, "end-of-day"), DEFAULT_RISK_LIMITS, "delayed"),
    ).toBeNull();
  });

  it("short-option: a second exit while the first is still working is refused (working SELLs count)", () => {
    const c = option(690);
    const b = book([
      { session: DAY1, events: [...order(intent(c, "BUY", 1), 1), ...order(intent(c, "SELL", 1), 0)] },
    ]);
    expect(checkRisk(b, scope(), intent(c, "SELL", 1), DEFAULT_RISK_LIMITS)?.rule).toBe("short-option");
  });

  it("short-option: a SELL larger than the holding is refused, not cut", () => {
    const c = option(690);
    const b = book([{ session: DAY1, events: order(intent(c, "BUY", 2), 2) }]);
    expect(checkRisk(b, scope(), intent(c, "SELL", 3), DEFAULT_RISK_LIMITS)?.rule).toBe("short-option");
    expect(checkRisk(b, scope(), intent(c, "SELL", 2), DEFAULT_RISK_LIMITS)).toBeNull();
  });

  it("max-position: refuses a BUY past the cap counting working BUYs; a stop-loss over the cap still goes", () => {
    const c = option(690);
    // The book says 7 (say it was wrong, or the cap was lowered): reducing must still be allowed.
    const b = book([
      { session: DAY1, events: [...order(intent(c, "BUY", 4), 4), ...order(intent(c, "BUY", 3), 3)] },
    ]);
    expect(checkRisk(b, scope(), intent(c, "BUY", 1), DEFAULT_RISK_LIMITS)?.rule).toBe("max-position");
    expect(checkRisk(b, scope(), intent(c, "SELL", 1, "stop-loss"), DEFAULT_RISK_LIMITS)).toBeNull();
    const working = book([
      { session: DAY1, events: [...order(intent(c, "BUY", 3), 3), ...order(intent(c, "BUY", 2), 0)] },
    ]);
    expect(checkRisk(working, scope(), intent(c, "BUY", 1), DEFAULT_RISK_LIMITS)).toMatchObject({
      rule: "max-position",
      detail: expect.stringMatching(/position would be 6 counting working orders \(held 3\)/),
    });
  });

  it("max-open-orders: refuses a fourth working order, but not an exit", () => {
    const c = option(690);
    const b = book([
      {
        session: DAY1,
        events: [
          ...order(intent(c, "BUY", 1), 1),
          ...order(intent(option(691), "BUY", 1), 0),
          ...order(intent(option(692), "BUY", 1), 0),
          ...order(intent(option(693), "BUY", 1), 0),
        ],
      },
    ]);
    expect(checkRisk(b, scope(), intent(option(694), "BUY", 1), DEFAULT_RISK_LIMITS)?.rule).toBe(
      "max-open-orders",
    );
    expect(checkRisk(b, scope(), intent(c, "SELL", 1), DEFAULT_RISK_LIMITS)).toBeNull();
  });

  it("daily-loss-limit: per trading session, not summed over the stream's earlier sessions", () => {
    const c = option(690);
    const d = option(691);
    // Day 1 loses 400 (+ fees); day 2 loses 141 (+ fees): the day-2 budget of 500 is not spent.
    const b = book([
      { session: DAY1, events: [...order(intent(c, "BUY", 1), 1, 6), ...order(intent(c, "SELL", 1), 1, 2)] },
      {
        session: DAY2,
        events: [...order(intent(d, "BUY", 1), 1, 3), ...order(intent(d, "SELL", 1), 1, 1.59)],
      },
    ]);
    expect(sessionPnlMicros(b, scope(DAY1))).toBe(-400_000_000);
    expect(sessionPnlMicros(b, scope(DAY2))).toBe(-141_000_000);
    expect(checkRisk(b, scope(DAY2), intent(d, "BUY", 1), DEFAULT_RISK_LIMITS)).toBeNull();
    expect(
      checkRisk(b, scope(DAY2), intent(d, "BUY", 1), { ...DEFAULT_RISK_LIMITS, dailyLossLimitUsd: 141 }),
    ).toMatchObject({
      rule: "daily-loss-limit",
      detail: expect.stringMatching(/session P&L -141 USD/),
    });
  });

  it("daily-loss-limit: a position carried overnight counts only what it lost today, the session's own P&L", () => {
    const c = option(690);
    const quoteAt = (mid: number) => quote(c, mid - 0.05, mid + 0.05);
    // Bought at 3 on day 1 and held: day 1 ends at 2 (−100), day 2 falls on to 1.5 (−50 more).
    const b = book([
      { session: DAY1, events: [...order(intent(c, "BUY", 1), 1, 3), quoteAt(2)] },
      { session: DAY2, events: [quoteAt(1.75), quoteAt(1.5)] },
    ]);
    expect(sessionPnlMicros(b, scope(DAY1))).toBe(-100_000_000);
    expect(sessionPnlMicros(b, scope(DAY2))).toBe(-50_000_000);
    expect(sessionPnlMicros(b, scope(DAY2))).toBe(b.summaries.get(`live|${DAY2}`)!.netPnlMicros);
    // A 100 USD budget for day 2 is half spent, not gone: a new entry still goes.
    const limits = { ...DEFAULT_RISK_LIMITS, dailyLossLimitUsd: 100 };
    expect(checkRisk(b, scope(DAY2), intent(option(700), "BUY", 1), limits)).toBeNull();
  });

  it("daily-loss-limit: counts the open position's unrealized loss, and never blocks its exit", () => {
    const c = option(690);
    const b = book([{ session: DAY1, events: [...order(intent(c, "BUY", 2), 2, 4), quote(c, 0.9, 1.1)] }]);
    expect(sessionPnlMicros(b, scope())).toBe(-600_000_000);
    expect(checkRisk(b, scope(), intent(option(700), "BUY", 1), DEFAULT_RISK_LIMITS)?.rule).toBe(
      "daily-loss-limit",
    );
    expect(checkRisk(b, scope(), intent(c, "SELL", 2, "stop-loss"), DEFAULT_RISK_LIMITS)).toBeNull();
  });
});

describe("risk rules against the broker's positions (live)", () => {
  const withBroker = (b: BookState, i: OrderIntent, broker: number) =>
    checkExposure({ ...riskExposure(b, scope(), i), broker }, i, DEFAULT_RISK_LIMITS);

  it("broker-position: the book is long a call another program sold (broker flat): the exit is refused, naming both sides", () => {
    const c = option(690);
    const b = book([{ session: DAY1, events: order(intent(c, "BUY", 1), 1) }]);
    const exit = intent(c, "SELL", 1, "stop-loss");
    expect(checkRisk(b, scope(), exit, DEFAULT_RISK_LIMITS)).toBeNull();
    expect(withBroker(b, exit, 0)).toMatchObject({
      rule: "broker-position",
      detail: expect.stringMatching(/the book holds 1, the broker 0.*leave the account at -1/),
    });
    expect(withBroker(b, exit, 1)).toBeNull();
  });

  it("broker-position: a fill the broker never made (book 3, broker 1) lets 1 go, not 3; working exits count", () => {
    const c = option(690);
    const b = book([{ session: DAY1, events: order(intent(c, "BUY", 3), 3) }]);
    expect(withBroker(b, intent(c, "SELL", 3), 1)?.rule).toBe("broker-position");
    expect(withBroker(b, intent(c, "SELL", 1), 1)).toBeNull();
    const working = book([
      { session: DAY1, events: [...order(intent(c, "BUY", 3), 3), ...order(intent(c, "SELL", 1), 0)] },
    ]);
    expect(withBroker(working, intent(c, "SELL", 1), 1)).toMatchObject({
      rule: "broker-position",
      detail: expect.stringMatching(/with 1 already on the way/),
    });
  });

  it("broker-position: a short the broker does not have is not bought back (stock, the other side)", () => {
    const spy: Contract = { secType: "STK", symbol: "SPY", exchange: "SMART", currency: "USD" };
    const b = book([{ session: DAY1, events: order(intent(spy, "SELL", 10), 10) }]);
    expect(withBroker(b, intent(spy, "BUY", 10), 0)?.rule).toBe("broker-position");
    expect(withBroker(b, intent(spy, "BUY", 10), -10)).toBeNull();
  });

  it("a broker that agrees with the book changes nothing: every answer is the book-only one", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ i: arbIntent, filled: fc.nat(8) }), { maxLength: 6 }),
        arbIntent,
        (flow, next) => {
          const events = flow.flatMap(({ i, filled }) => order(i, Math.min(filled, i.quantity)));
          const b = book([{ session: DAY1, events }]);
          const exposure = riskExposure(b, scope(), next);
          const agreeing = checkExposure({ ...exposure, broker: exposure.held }, next, DEFAULT_RISK_LIMITS);
          const bookOnly = checkExposure(exposure, next, DEFAULT_RISK_LIMITS);
          // Equal, except an exit the working orders already cover: the broker side refuses it.
          if (agreeing?.rule === "broker-position")
            expect(exposure.workingBuy + exposure.workingSell).toBeGreaterThan(0);
          else expect(agreeing).toEqual(bookOnly);
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const CONTRACTS: Contract[] = [
  option(690),
  option(690, "P"),
  option(691),
  { secType: "STK", symbol: "SPY", exchange: "SMART", currency: "USD" },
];
const arbLimits: fc.Arbitrary<RiskLimits> = fc.record({
  maxPositionPerContract: fc.integer({ min: 1, max: 6 }),
  maxOpenOrders: fc.integer({ min: 1, max: 4 }),
  dailyLossLimitUsd: fc.constantFrom(1, 100, 500),
  allowShortOptions: fc.constant(false),
});
const arbIntent = fc
  .record({
    c: fc.integer({ min: 0, max: CONTRACTS.length - 1 }),
    side: fc.constantFrom<"BUY" | "SELL">("BUY", "SELL"),
    q: fc.integer({ min: 1, max: 8 }),
  })
  .map(({ c, side, q }) => intent(CONTRACTS[c]!, side, q));

describe("risk rules: properties", () => {
  it("a reducing order is never refused by the position cap (nor at all, with nothing else being sold)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ i: arbIntent, filled: fc.nat(8), price: fc.integer({ min: 1, max: 900 }) }), {
          maxLength: 12,
          size: "max",
        }),
        arbLimits,
        fc.nat(),
        fc.nat(),
        (history, limits, pick, size) => {
          const b = book([
            {
              session: DAY1,
              events: history.flatMap((h) => order(h.i, Math.min(h.filled, h.i.quantity), h.price / 100)),
            },
          ]);
          const held = [...b.positions.byKey.values()].filter((p) => p.quantity !== 0);
          if (held.length === 0) return;
          const p = held[pick % held.length]!;
          const reduce = intent(
            p.contract,
            p.quantity > 0 ? "SELL" : "BUY",
            1 + (size % Math.abs(p.quantity)),
          );
          expect(isReducing(reduce, p.quantity)).toBe(true);
          const refusal = checkRisk(b, scope(), reduce, limits);
          expect(refusal?.rule).not.toBe("max-position");
          expect(refusal === null || refusal.rule === "short-option").toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("no sequence of approved orders, filled in any order and amount, ever leaves a short option", () => {
    type Step =
      | { kind: "intent"; i: OrderIntent }
      | { kind: "fill"; n: number; part: number }
      | { kind: "cancel"; n: number };
    // Two options and small quantities, so exits meet working exits often.
    const arbOptionIntent = fc
      .record({
        c: fc.integer({ min: 0, max: 1 }),
        side: fc.constantFrom<"BUY" | "SELL">("BUY", "SELL"),
        q: fc.integer({ min: 1, max: 3 }),
      })
      .map(({ c, side, q }) => intent(CONTRACTS[c * 2]!, side, q));
    const arbStep: fc.Arbitrary<Step> = fc.oneof(
      arbOptionIntent.map((i) => ({ kind: "intent" as const, i })),
      arbIntent.map((i) => ({ kind: "intent" as const, i })),
      fc
        .record({ n: fc.nat(), part: fc.integer({ min: 1, max: 8 }) })
        .map((s) => ({ kind: "fill" as const, ...s })),
      fc.nat().map((n) => ({ kind: "cancel" as const, n })),
    );
    fc.assert(
      fc.property(
        fc.array(arbStep, { minLength: 10, maxLength: 40, size: "max" }),
        arbLimits.map((l) => ({ ...l, maxOpenOrders: l.maxOpenOrders + 2 })),
        (steps, limits) => {
          let b: BookState = foldBook([]);
          let seq = 1;
          let orderId = 0;
          const working: { orderId: number; i: OrderIntent; left: number }[] = [];
          const append = (bodies: (EventBodyInput & { id?: string; causation?: string })[]) => {
            const evs = stored(bodies as never, { session: DAY1, startSeq: seq });
            seq += evs.length;
            b = foldBook(evs, b);
          };
          for (const step of steps) {
            if (step.kind === "intent") {
              if (checkRisk(b, scope(), step.i, limits) !== null) continue;
              orderId += 1;
              const id = `I${orderId}`;
              append([
                { id, type: "OrderIntended", version: 1, payload: { intent: step.i, dryRun: false } },
                {
                  causation: id,
                  type: "OrderSubmitted",
                  version: 1,
                  payload: { orderId, clientId: 1, intent: step.i },
                },
              ]);
              working.push({ orderId, i: step.i, left: step.i.quantity });
            } else if (working.length > 0) {
              const w = working[step.n % working.length]!;
              if (step.kind === "cancel") {
                append([
                  { type: "OrderCancelled", version: 1, payload: { orderId: w.orderId, reason: "test" } },
                ]);
                working.splice(working.indexOf(w), 1);
              } else {
                const q = Math.min(w.left, step.part);
                append([
                  {
                    type: "OrderFilled",
                    version: 1,
                    payload: {
                      orderId: w.orderId,
                      execId: `E${seq}`,
                      contract: w.i.contract,
                      side: w.i.side,
                      quantity: q,
                      priceUsd: 1,
                      exchange: "SIM",
                    },
                  },
                ]);
                w.left -= q;
                if (w.left === 0) working.splice(working.indexOf(w), 1);
              }
            }
            for (const p of b.positions.byKey.values())
              if (p.contract.secType === "OPT") expect(p.quantity, p.key).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
