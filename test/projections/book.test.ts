import { describe, expect, it } from "vitest";
import type { Contract, EventBodyInput } from "../../src/events/index.js";
import { foldBook, positionKey, reconcile, toUsd, unrealizedMicros } from "../../src/projections/index.js";
import { given, stored } from "../support/given.js";

const CALL: Contract = {
  secType: "OPT",
  symbol: "SPY",
  expiry: "20260206",
  strike: 690,
  right: "C",
  multiplier: 100,
  exchange: "SMART",
  currency: "USD",
};
const intent = (side: "BUY" | "SELL", quantity: number) => ({
  contract: CALL,
  side,
  quantity,
  orderType: "MKT" as const,
  tif: "DAY" as const,
  purpose: "entry",
});

let exec = 0;
function fill(
  side: "BUY" | "SELL",
  quantity: number,
  priceUsd: number,
  orderId = 1,
  commissionUsd = 0.65 * quantity,
): EventBodyInput[] {
  const execId = `exec-${++exec}`;
  return [
    {
      type: "OrderFilled",
      version: 1,
      payload: { orderId, execId, contract: CALL, side, quantity, priceUsd, exchange: "CBOE" },
    },
    {
      type: "CommissionReported",
      version: 1,
      payload: { execId, orderId, commissionUsd, currency: "USD", realizedPnlUsd: null },
    },
  ];
}

describe("positions (worked examples, hand-checked)", () => {
  it("buy 2 calls at 1.20, sell 1 at 1.50, sell 1 at 0.90, with 0.65 per contract", () => {
    given(stored([...fill("BUY", 2, 1.2), ...fill("SELL", 1, 1.5), ...fill("SELL", 1, 0.9)])).then((book) => {
      const p = book.positions.byKey.get(positionKey("live", CALL))!;
      // (1.50 − 1.20)·100 + (0.90 − 1.20)·100 − 4 × 0.65 = 30 − 30 − 2.60
      expect(p.quantity).toBe(0);
      expect(toUsd(p.realizedMicros)).toBe(-2.6);
      expect(toUsd(p.commissionsMicros)).toBe(2.6);
      const summary = book.summaries.get("live|2026-02-04")!;
      expect(summary.trades).toHaveLength(1);
      expect(toUsd(summary.trades[0]!.pnlMicros)).toBe(-2.6);
      expect(toUsd(summary.netPnlMicros)).toBe(-2.6);
      expect(toUsd(summary.grossPnlMicros)).toBe(0);
    });
  });

  it("closes a short at a loss: sell 3 at 2.10, buy 3 at 2.45", () => {
    given(stored([...fill("SELL", 3, 2.1, 1, 0), ...fill("BUY", 3, 2.45, 2, 0)])).then((book) => {
      const p = book.positions.byKey.get(positionKey("live", CALL))!;
      expect(p.quantity).toBe(0);
      // (2.10 − 2.45) · 3 · 100 = −105
      expect(toUsd(p.realizedMicros)).toBe(-105);
      expect(book.summaries.get("live|2026-02-04")!.wins).toBe(0);
    });
  });

  it("flips through zero: long 1 at 1.00, sell 3 at 1.10 leaves short 2 at 1.10", () => {
    given(stored([...fill("BUY", 1, 1.0, 1, 0), ...fill("SELL", 3, 1.1, 2, 0)])).then((book) => {
      const p = book.positions.byKey.get(positionKey("live", CALL))!;
      expect(p.quantity).toBe(-2);
      expect(toUsd(p.realizedMicros)).toBe(10);
      expect(p.openCostMicros).toBe(-2 * 1_100_000);
    });
  });

  it("marks unrealized P&L at the quote mid, times the multiplier", () => {
    const quote: EventBodyInput = {
      type: "QuoteSnapshot",
      version: 1,
      payload: {
        contract: CALL,
        bidUsd: 1.3,
        askUsd: 1.4,
        lastUsd: 1.33,
        bidSize: 1,
        askSize: 1,
        lastSize: 1,
        greeks: null,
        timing: { reqId: 1, requestedAtMs: 0, latencyMs: 1 },
        complete: true,
      },
    };
    given(stored([...fill("BUY", 2, 1.2, 1, 0), quote])).then((book) => {
      // (1.35 − 1.20) · 2 · 100 = 30
      expect(toUsd(unrealizedMicros(book.positions.byKey.get(positionKey("live", CALL))!))).toBe(30);
    });
  });

  it("charges a commission that arrives before its fill", () => {
    const [filled, commission] = fill("BUY", 1, 1.2, 1, 1.0);
    given(stored([commission!, filled!])).then((book) => {
      expect(toUsd(book.positions.byKey.get(positionKey("live", CALL))!.realizedMicros)).toBe(-1);
    });
  });

  it("leaves positions untouched when risk refuses an order", () => {
    given(
      stored([
        {
          type: "OrderIntended",
          version: 1,
          payload: { intent: intent("BUY", 50), dryRun: false },
          id: "INTENT1",
        },
        {
          type: "OrderRefused",
          version: 1,
          payload: { intent: intent("BUY", 50), rule: "max-position", detail: "50 > 5" },
          causation: "INTENT1",
        },
      ]),
    ).then((book) => {
      expect(book.positions.byKey.size).toBe(0);
      const order = book.orders.get("live|2026-02-04")!.byKey.get("INTENT1")!;
      expect(order.phase).toBe("refused");
      expect(order.history.map((h) => h.phase)).toEqual(["intended", "refused"]);
    });
  });
});

describe("orders", () => {
  it("follows an order from intent to filled through the gateway's orderId", () => {
    given(
      stored([
        {
          type: "OrderIntended",
          version: 1,
          payload: { intent: intent("BUY", 2), dryRun: false },
          id: "INTENT1",
        },
        {
          type: "OrderSubmitted",
          version: 1,
          payload: { orderId: 7, clientId: 3, intent: intent("BUY", 2) },
          causation: "INTENT1",
        },
        {
          type: "OrderStatusChanged",
          version: 1,
          payload: {
            orderId: 7,
            status: "Submitted",
            filled: 0,
            remaining: 2,
            avgFillPriceUsd: null,
            lastFillPriceUsd: null,
            permId: 9,
          },
        },
        ...fill("BUY", 1, 1.2, 7),
        ...fill("BUY", 1, 1.3, 7),
        {
          type: "OrderStatusChanged",
          version: 1,
          payload: {
            orderId: 7,
            status: "Filled",
            filled: 2,
            remaining: 0,
            avgFillPriceUsd: 1.25,
            lastFillPriceUsd: 1.3,
            permId: 9,
          },
        },
      ]),
    ).then((book) => {
      const order = book.orders.get("live|2026-02-04")!.byKey.get("INTENT1")!;
      expect(order.phase).toBe("filled");
      expect(order.orderId).toBe(7);
      expect(order.filledQuantity).toBe(2);
      expect(order.history.map((h) => h.phase)).toEqual([
        "intended",
        "submitted",
        "partially-filled",
        "filled",
      ]);
    });
  });
});

describe("reconciliation", () => {
  it("reports a position the gateway has and the journal does not", () => {
    const book = foldBook(
      stored([
        ...fill("BUY", 1, 1.2, 1, 0),
        {
          type: "PositionsReported",
          version: 1,
          payload: {
            account: "DU123",
            positions: [
              { contract: CALL, quantity: 1, avgCostUsd: 120 },
              {
                contract: { secType: "STK", symbol: "QQQ", exchange: "SMART", currency: "USD" },
                quantity: 10,
                avgCostUsd: 520,
              },
            ],
          },
        },
      ]),
    );
    expect(reconcile(book, "live")).toEqual([
      { stream: "live", contractKey: "QQQ", ours: 0, gateway: 10, difference: -10 },
    ]);
  });
});

describe("a busy session's orders", () => {
  // Past 32 orders a session's maps turn persistent (orders.ts): the fold must not tell.
  const orders = (n: number): EventBodyInput[] =>
    Array.from({ length: n }, (_, i) => [
      {
        type: "OrderIntended",
        version: 1,
        payload: { intent: intent("BUY", 1), dryRun: false },
        id: `INTENT${i}`,
      } as EventBodyInput,
      {
        type: "OrderSubmitted",
        version: 1,
        payload: { orderId: 100 + i, clientId: 3, intent: intent("BUY", 1) },
        causation: `INTENT${i}`,
      } as EventBodyInput,
      ...fill("BUY", 1, 1 + i / 100, 100 + i),
    ]).flat();

  it("keeps every order in intent order, each found by its gateway id, and earlier states as they were", () => {
    const events = stored(orders(80));
    const half = foldBook(events.slice(0, events.length / 2));
    const whole = foldBook(events.slice(events.length / 2), half);
    const session = whole.orders.get("live|2026-02-04")!;
    expect([...session.byKey.keys()]).toEqual(Array.from({ length: 80 }, (_, i) => `INTENT${i}`));
    expect([...session.byKey.values()].every((o) => o.phase === "filled" && o.filledQuantity === 1)).toBe(
      true,
    );
    for (let i = 0; i < 80; i++) expect(session.byOrderId.get(`live|${100 + i}`)).toBe(`INTENT${i}`);
    // The state after the first half is a value: folding on from it changed nothing in it.
    const before = half.orders.get("live|2026-02-04")!;
    expect(before.byKey.size).toBe(40);
    expect(before.byKey.get("INTENT39")!.phase).toBe("filled");
    expect(before.byKey.has("INTENT40")).toBe(false);
    // And the fold equals the one in a single pass.
    expect(foldBook(events)).toEqual(whole);
  });
});
