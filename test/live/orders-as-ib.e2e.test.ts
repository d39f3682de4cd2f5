/**
 * Orders as IB treats them (issue 22 item 4), end to end: the built CLI against the simulator —
 * a fill in parts folded into the book, rejections journaled with IB's reason, a DAY order the
 * gateway cancels at the close settled, warnings journaled as notices only, and the pre-trade
 * what-if that refuses an entry over `risk.maxInitialMarginUsd`.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs, type StoredEvent } from "../../src/events/index.js";
import {
  evolveOrders,
  evolvePositions,
  initialOrders,
  initialPositions,
  type OrderView,
} from "../../src/projections/index.js";
import { journalEvents, liveHarness, eventsOfType as of } from "../support/live-harness.js";

const h = liveHarness("orders-as-ib-e2e-");
afterEach(() => h.cleanup());
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

const PROBE = join(import.meta.dirname, "..", "support", "probe-strategy.ts");
const config = (name: string, text: string) => {
  const file = join(h.dir, name);
  writeFileSync(file, text);
  return file;
};

/** `journal live --paper` with the probe strategy and `yaml` as its config; resolves with the journal's events. */
async function trade(
  scenario: Parameters<typeof h.setup>[0],
  yaml: string,
  cycles: number,
  options: Parameters<typeof h.setup>[1] = {},
): Promise<StoredEvent[]> {
  const { sim, journal } = await h.setup(scenario, options);
  const file = config(`c${Math.random().toString(36).slice(2)}.yaml`, yaml);
  const run = await h.live([
    "--journal",
    journal,
    "--config",
    file,
    "--port",
    String(sim.port),
    "--strategy",
    PROBE,
    "--paper",
    "--interval",
    "1",
    "--cycles",
    String(cycles),
  ]).done;
  expect(run.code, run.stderr).toBe(0);
  return journalEvents(journal);
}

/** The orders fold over the journal: the one order the run sent. */
function onlyOrder(evs: readonly StoredEvent[]): OrderView {
  const state = evs.reduce(evolveOrders, initialOrders);
  const sent = [...state.byKey.values()].filter((o) => o.orderId !== null);
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

const ENTRY_ONLY = "params: { callCycle: 1, putCycle: 99, exitCycle: 99";

describe("a fill in parts", () => {
  it("folds both parts into the book: partly filled with the rest working, then filled, the position the sum", async () => {
    // 100 calls against a displayed ask of 60: IB fills what is shown, the rest a second later.
    const evs = await trade(
      { accountEquityUsd: 1_000_000 },
      `risk: { maxPositionPerContract: 200 }\nstrategy:\n  ${ENTRY_ONLY}, quantity: 100 }\n`,
      1,
    );
    const fills = of(evs, "OrderFilled").map((f) => f.payload.quantity);
    expect(fills.length).toBeGreaterThan(1);
    expect(fills.reduce((a, b) => a + b, 0)).toBe(100);
    const order = onlyOrder(evs);
    expect(order.phase).toBe("filled");
    expect(order.filledQuantity).toBe(100);
    const phases = order.history.map((e) => e.phase);
    expect(phases).toContain("partially-filled");
    expect(phases.indexOf("partially-filled")).toBeLessThan(phases.lastIndexOf("filled"));
    // Between the parts the gateway said how much was left working.
    const partial = of(evs, "OrderStatusChanged").find(
      (s) => s.payload.filled > 0 && s.payload.remaining > 0,
    );
    expect(partial?.payload.filled).toBe(fills[0]);
    expect(partial?.payload.status).toBe("Submitted");
    const positions = evs.reduce((state, e) => evolvePositions(state, e).state, initialPositions);
    const held = [...positions.byKey.values()].find((p) => p.key.endsWith(order.contractKey));
    expect(held?.quantity).toBe(100);
    expect(of(evs, "SessionClosed")[0]!.payload.detail ?? "").not.toMatch(/still working/);
  });
});

describe("rejections with IB's reason", () => {
  it("journals a 201 for too little equity as OrderRejected with IB's text; the order is settled, nothing waits for it", async () => {
    const evs = await trade({ accountEquityUsd: 100 }, `strategy:\n  ${ENTRY_ONLY} }\n`, 2);
    const rejected = of(evs, "OrderRejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.payload.code).toBe(201);
    expect(rejected[0]!.payload.reason).toMatch(
      /YOUR EQUITY WITH LOAN VALUE \[100\.00 USD\] MUST EXCEED THE INITIAL MARGIN/,
    );
    expect(onlyOrder(evs).phase).toBe("rejected");
    // Journaled before the next cycle: the strategy sees it there.
    const next = of(evs, "CycleStarted").find((c) => c.payload.cycle === 2)!;
    expect(rejected[0]!.seq).toBeLessThan(next.seq);
    expect(of(evs, "OrderFilled")).toEqual([]);
    expect(of(evs, "SessionClosed")[0]!.payload.detail ?? "").not.toMatch(/still working/);
  });

  it("journals a price off the option's tick grid as OrderRejected 110", async () => {
    const evs = await trade({}, `strategy:\n  ${ENTRY_ONLY}, limitPriceUsd: 1.005 }\n`, 1);
    const rejected = of(evs, "OrderRejected");
    expect(rejected.map((r) => [r.payload.code, r.payload.reason])).toEqual([
      [110, "The price does not conform to the minimum price variation for this contract."],
    ]);
    expect(onlyOrder(evs).phase).toBe("rejected");
  });
});

describe("the close", () => {
  it("settles a DAY order the gateway cancels at an early close (options' 13:15 on 2026-11-27) as cancelled", async () => {
    // A bid of a cent never fills; the session waits for it until the gateway ends it.
    const evs = await trade(
      {},
      `closeTimeoutSeconds: 120\nstrategy:\n  ${ENTRY_ONLY}, limitPriceUsd: 0.01 }\n`,
      1,
      // 60× leaves the bot 15 real seconds to start and place its order before the 13:00 close.
      { startMs: newYorkTimeToMs("2026-11-27", 12, 45), speed: 60 },
    );
    const cancelled = of(evs, "OrderCancelled");
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.payload.reason).toMatch(/a DAY order ends at its session's close/);
    expect(of(evs, "OrderStatusChanged").at(-1)!.payload.status).toBe("Cancelled");
    expect(onlyOrder(evs).phase).toBe("cancelled");
    expect(of(evs, "SessionClosed")[0]!.payload.detail ?? "").not.toMatch(/still working/);
  });
});

describe("warnings", () => {
  it("journals 399, 10349 and 2109 on an order as warnings: the order fills, nothing fails", async () => {
    const evs = await trade({ orderWarnings: true }, `strategy:\n  ${ENTRY_ONLY} }\n`, 2);
    const orderId = of(evs, "OrderSubmitted")[0]!.payload.orderId;
    const onOrder = of(evs, "GatewayNotice").filter((n) => n.payload.reqId === orderId);
    expect(onOrder.map((n) => n.payload.code).sort()).toEqual([10349, 2109, 399].sort());
    expect(onOrder.every((n) => n.payload.severity === "warning")).toBe(true);
    expect(of(evs, "OrderRejected")).toEqual([]);
    expect(of(evs, "OrderCancelled")).toEqual([]);
    expect(onlyOrder(evs).phase).toBe("filled");
    expect(of(evs, "CycleCompleted").map((c) => c.payload.status)).toEqual(["ok", "ok"]);
  });
});

describe("the pre-trade what-if", () => {
  it("refuses an entry whose initial margin change exceeds risk.maxInitialMarginUsd (rule initial-margin); nothing is sent", async () => {
    // 10 SPY shares need ~3 450 USD of initial margin (Reg T 50 %).
    const evs = await trade(
      {},
      `risk: { maxInitialMarginUsd: 1000, maxPositionPerContract: 10 }\nstrategy:\n  ${ENTRY_ONLY}, stockEntry: true, quantity: 10 }\n`,
      1,
    );
    const refused = of(evs, "OrderRefused");
    expect(refused.map((r) => r.payload.rule)).toEqual(["initial-margin"]);
    const change = Number(/initial margin by (\d+\.\d\d) USD/.exec(refused[0]!.payload.detail)![1]);
    expect(change).toBeGreaterThan(1000);
    expect(refused[0]!.payload.detail).toMatch(/over risk.maxInitialMarginUsd 1000/);
    expect(of(evs, "OrderIntended")).toEqual([]);
    expect(of(evs, "OrderSubmitted")).toEqual([]);
    expect(of(evs, "OrderFilled")).toEqual([]);
  });

  it("lets the entry go under the limit, and the what-if itself is never executed", async () => {
    const evs = await trade(
      {},
      `risk: { maxInitialMarginUsd: 100000, maxPositionPerContract: 10 }\nstrategy:\n  ${ENTRY_ONLY}, stockEntry: true, quantity: 10 }\n`,
      1,
    );
    expect(of(evs, "OrderRefused")).toEqual([]);
    const fills = of(evs, "OrderFilled");
    // One order's fills, 10 shares: the what-if before it bought nothing.
    expect(fills.reduce((a, f) => a + f.payload.quantity, 0)).toBe(10);
    expect(new Set(fills.map((f) => f.payload.orderId))).toEqual(
      new Set([of(evs, "OrderSubmitted")[0]!.payload.orderId]),
    );
    expect(fills.every((f) => f.payload.contract.secType === "STK")).toBe(true);
  });
});
