/**
 * Orders as IB treats them (issues 22 and 23), driven by the unmodified `@stoqey/ib` client over
 * TCP: order ids per client id, STP and brackets accepted, 110 off the price grid, 201 for too
 * little equity, DAY orders cancelled at the close, the warnings of ordinary orders, and what-if
 * orders answered with margin figures and never executed.
 */
import {
  type Contract,
  EventName,
  type Execution,
  IBApi,
  OptionType,
  type Order,
  OrderAction,
  type OrderState,
  OrderType,
  SecType,
  TimeInForce,
} from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import { minimumTick, onTickGrid } from "../../src/sim/book/index.js";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/sim/index.js";

const START = newYorkTimeToMs("2026-02-04", 10, 30);
const sims: Simulator[] = [];
const clients: IBApi[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of sims.splice(0)) await s.close();
});

async function sim(options: SimulatorOptions = {}): Promise<Simulator> {
  const s = await startSimulator({ seed: 42, startMs: START, ...options });
  sims.push(s);
  return s;
}

interface Notice {
  id: number;
  code: number;
  text: string;
}

async function client(port: number, clientId: number) {
  const ib = new IBApi({ host: "127.0.0.1", port });
  clients.push(ib);
  const notices: Notice[] = [];
  const statuses: string[] = [];
  const fills: Execution[] = [];
  ib.on(EventName.error, (e, code, id) => notices.push({ id, code, text: e.message }));
  ib.on(EventName.orderStatus, (id, status, filled) => statuses.push(`${id} ${status} ${filled}`));
  ib.on(EventName.execDetails, (_r, _c, e) => fills.push(e));
  const ready = new Promise<number>((resolve) => ib.once(EventName.nextValidId, resolve));
  ib.connect(clientId);
  return { ib, notices, statuses, fills, nextId: await ready };
}

/** Resolve once `predicate` holds (polled), or fail naming `what`. */
async function until(what: string, predicate: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const SPY: Contract = { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const call = (strike: number, expiry = "20260205"): Contract => ({
  ...SPY,
  secType: SecType.OPT,
  lastTradeDateOrContractMonth: expiry,
  strike,
  right: OptionType.Call,
  multiplier: 100,
});
const order = (action: OrderAction, qty: number, extra: Partial<Order> = {}): Order => ({
  action,
  orderType: OrderType.MKT,
  totalQuantity: qty,
  tif: TimeInForce.DAY,
  transmit: true,
  ...extra,
});

describe("order ids and order types", () => {
  it("keeps one order id sequence per client id: client 107 may use the id client 7 used", async () => {
    const s = await sim();
    const a = await client(s.port, 7);
    expect(a.nextId).toBe(1);
    a.ib.placeOrder(1, SPY, order(OrderAction.BUY, 1));
    await until("client 7's fill", () => a.fills.length === 1);
    const b = await client(s.port, 107);
    // IB's next valid id is per client id: 107 has used none.
    expect(b.nextId).toBe(1);
    b.ib.placeOrder(1, SPY, order(OrderAction.BUY, 2));
    await until("client 107's fill", () => b.fills.length === 1);
    expect(b.notices.filter((n) => n.code === 103)).toEqual([]);
    expect(b.fills[0]!.shares).toBe(2);
    expect(b.fills[0]!.clientId).toBe(107);
    // Client 7's own sequence moved past its id 1 and no further.
    const next = new Promise<number>((resolve) => a.ib.once(EventName.nextValidId, resolve));
    a.ib.reqIds();
    expect(await next).toBe(2);
  });

  it("reports average cost as IB's cost basis (commission in it) and a close's realized P&L net of both commissions", async () => {
    const s = await sim();
    const a = await client(s.port, 7);
    const reports: { execId: string; commission: number; realized: number | undefined }[] = [];
    a.ib.on(EventName.commissionReport, (r) =>
      reports.push({ execId: r.execId!, commission: r.commission!, realized: r.realizedPNL }),
    );
    a.ib.placeOrder(a.nextId, SPY, order(OrderAction.BUY, 10));
    await until("the buy's commission", () => reports.length === 1);
    const avgCost = await new Promise<number>((resolve) => {
      a.ib.on(EventName.position, (_acct, c, _pos, cost) => c.symbol === "SPY" && resolve(cost!));
      a.ib.reqPositions();
    });
    const [buy] = a.fills;
    expect(avgCost).toBeCloseTo(buy!.price! + reports[0]!.commission / 10, 6);
    a.ib.placeOrder(a.nextId + 1, SPY, order(OrderAction.SELL, 10));
    await until("the sell's commission", () => reports.length === 2);
    const sell = a.fills[1]!;
    const both = reports[0]!.commission + reports[1]!.commission;
    expect(reports[1]!.realized).toBeCloseTo((sell.price! - buy!.price!) * 10 - both, 6);
  });

  it("accepts STP and STP LMT: held (PreSubmitted) until the stop triggers, then trade", async () => {
    const s = await sim();
    const { ib, notices, statuses, fills } = await client(s.port, 7);
    // A BUY stop below the ask triggers at once and fills as a market order.
    ib.placeOrder(1, SPY, order(OrderAction.BUY, 1, { orderType: OrderType.STP, auxPrice: 1 }));
    // A BUY stop far above the market waits, accepted.
    ib.placeOrder(2, SPY, order(OrderAction.BUY, 1, { orderType: OrderType.STP, auxPrice: 2000 }));
    ib.placeOrder(
      3,
      SPY,
      order(OrderAction.SELL, 1, { orderType: OrderType.STP_LMT, auxPrice: 1, lmtPrice: 0.99 }),
    );
    await until("the triggered stop's fill", () => fills.some((f) => f.orderId === 1));
    expect(notices.filter((n) => n.code === 201)).toEqual([]);
    expect(statuses).toContain("1 Filled 1");
    expect(statuses.filter((x) => x.startsWith("2 "))).toEqual(["2 PreSubmitted 0"]);
    expect(statuses.filter((x) => x.startsWith("3 "))).toEqual(["3 PreSubmitted 0"]);
  });

  it("takes a bracket: nothing until the last child transmits; children work after the parent fills, one fill cancels the other", async () => {
    const s = await sim({ speed: 60 });
    const { ib, statuses, fills } = await client(s.port, 7);
    ib.placeOrder(1, SPY, order(OrderAction.BUY, 1, { transmit: false }));
    ib.placeOrder(
      2,
      SPY,
      order(OrderAction.SELL, 1, { orderType: OrderType.LMT, lmtPrice: 1, parentId: 1, transmit: false }),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(statuses).toEqual([]);
    ib.placeOrder(
      3,
      SPY,
      order(OrderAction.SELL, 1, { orderType: OrderType.STP, auxPrice: 1, parentId: 1, transmit: true }),
    );
    await until("the take-profit's fill", () => fills.some((f) => f.orderId === 2));
    await until("the stop's cancel", () => statuses.includes("3 Cancelled 0"));
    expect(fills.map((f) => f.orderId)).toEqual([1, 2]);
    expect(statuses.indexOf("1 PreSubmitted 0")).toBeLessThan(statuses.indexOf("2 PreSubmitted 0"));
  });
});

describe("refusals with IB's reasons", () => {
  it("answers a limit price off the option's tick grid with 110 and places nothing", async () => {
    const s = await sim();
    const { ib, notices, statuses } = await client(s.port, 7);
    ib.placeOrder(1, call(690), order(OrderAction.BUY, 1, { orderType: OrderType.LMT, lmtPrice: 2.345 }));
    await until("110", () => notices.some((n) => n.code === 110));
    expect(notices.find((n) => n.code === 110)).toMatchObject({
      id: 1,
      text: "The price does not conform to the minimum price variation for this contract.",
    });
    ib.placeOrder(2, call(690), order(OrderAction.BUY, 1, { orderType: OrderType.LMT, lmtPrice: 2.34 }));
    await until("order 2's status", () => statuses.some((x) => x.startsWith("2 ")));
    expect(statuses.filter((x) => x.startsWith("1 "))).toEqual([]);
  });

  it("follows the exchanges' increments: SPY, QQQ, IWM options in pennies at every price, other classes by price", () => {
    const opt = (symbol: string) => ({ secType: "OPT" as const, symbol });
    expect([minimumTick(opt("SPY"), 2.5), minimumTick(opt("QQQ"), 12), minimumTick(opt("IWM"), 3)]).toEqual([
      0.01, 0.01, 0.01,
    ]);
    expect([minimumTick(opt("AAPL"), 2.99), minimumTick(opt("AAPL"), 3)]).toEqual([0.01, 0.05]);
    expect([minimumTick(opt("XYZ"), 2.95), minimumTick(opt("XYZ"), 3)]).toEqual([0.05, 0.1]);
    expect(onTickGrid(opt("XYZ"), 3.15)).toBe(false);
    expect(onTickGrid(opt("XYZ"), 3.2)).toBe(true);
    expect(onTickGrid(opt("XYZ"), 2.95)).toBe(true);
    expect(onTickGrid({ secType: "STK", symbol: "SPY" }, 690.015)).toBe(false);
  });

  it("rejects with 201 an order the account's equity with loan value does not cover", async () => {
    const s = await sim({ scenario: { accountEquityUsd: 1_000 } });
    const { ib, notices, statuses, fills } = await client(s.port, 7);
    ib.placeOrder(1, call(690), order(OrderAction.BUY, 5));
    await until("201", () => notices.some((n) => n.code === 201));
    const text = notices.find((n) => n.code === 201)!.text;
    expect(text).toMatch(
      /^Order rejected - reason:YOUR ORDER IS NOT ACCEPTED\. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE \[1000\.00 USD\] MUST EXCEED THE INITIAL MARGIN \[\d+\.\d\d USD\]$/,
    );
    expect(Number(/MARGIN \[(\d+\.\d\d)/.exec(text)![1])).toBeGreaterThan(1_000);
    await until("the refused order's status", () => statuses.includes("1 Cancelled 0"));
    // What the equity covers goes: 2 shares of SPY need 50 % of ~1 380 USD, and stock counts as equity.
    ib.placeOrder(2, SPY, order(OrderAction.BUY, 2));
    await until("order 2's fill", () => fills.length === 1);
    expect(fills.map((f) => f.orderId)).toEqual([2]);
  });
});

describe("the session's close and the warnings of ordinary orders", () => {
  it("cancels a DAY order at its session's close (an option at 16:15), a GTC one stays", async () => {
    const s = await sim({ startMs: newYorkTimeToMs("2026-02-04", 16, 13), speed: 120 });
    const { ib, notices, statuses } = await client(s.port, 7);
    const lowBid = { orderType: OrderType.LMT, lmtPrice: 0.01 };
    ib.placeOrder(1, call(690), order(OrderAction.BUY, 1, lowBid));
    ib.placeOrder(2, call(690), order(OrderAction.BUY, 1, { ...lowBid, tif: TimeInForce.GTC }));
    await until("the DAY order's cancel", () => statuses.includes("1 Cancelled 0"));
    expect(s.nowMs()).toBeGreaterThanOrEqual(newYorkTimeToMs("2026-02-04", 16, 15));
    // Cancelled by the system: no PendingCancel, no 202.
    expect(statuses.filter((x) => x.startsWith("1 "))).toEqual([
      "1 PreSubmitted 0",
      "1 Submitted 0",
      "1 Cancelled 0",
    ]);
    expect(notices.filter((n) => n.code === 202)).toEqual([]);
    expect(statuses.filter((x) => x.startsWith("2 ")).at(-1)).toBe("2 Submitted 0");
  });

  it("cancels a stock's DAY order at an early close's 13:00 (2026-11-27)", async () => {
    const s = await sim({ startMs: newYorkTimeToMs("2026-11-27", 12, 58), speed: 120 });
    const { ib, statuses } = await client(s.port, 7);
    ib.placeOrder(1, SPY, order(OrderAction.BUY, 1, { orderType: OrderType.LMT, lmtPrice: 1 }));
    await until("the cancel", () => statuses.includes("1 Cancelled 0"));
    const at = s.nowMs();
    expect(at).toBeGreaterThanOrEqual(newYorkTimeToMs("2026-11-27", 13, 0));
    expect(at).toBeLessThan(newYorkTimeToMs("2026-11-27", 16, 0));
  });

  it("warns where IB warns, and the orders go on: 399 before the open, 10349 without a TIF, 2109 outside RTH on an option", async () => {
    const s = await sim({ startMs: newYorkTimeToMs("2026-02-04", 9, 29, 30), speed: 60 });
    const { ib, notices, fills } = await client(s.port, 7);
    ib.placeOrder(1, SPY, order(OrderAction.BUY, 1));
    const { tif: _preset, ...noTif } = order(OrderAction.BUY, 1, { outsideRth: true });
    ib.placeOrder(2, call(690), noTif);
    await until("both fills after the open", () => fills.length === 2);
    const of = (id: number) => notices.filter((n) => n.id === id).map((n) => n.code);
    expect(of(1)).toEqual([399]);
    expect(notices.find((n) => n.id === 1)!.text).toBe(
      "Order Message:\nBUY 1 SPY ARCA\nWarning: your order will not be placed at the exchange until 2026-02-04 09:30:00 US/Eastern",
    );
    expect(of(2).sort()).toEqual([10349, 2109, 399].sort());
    expect(notices.find((n) => n.code === 10349)!.text).toBe(
      "Order TIF was set to DAY based on order preset.",
    );
  });
});

describe("what-if orders", () => {
  it("answers a what-if with an open order carrying the margin figures: no fill, no status, no position", async () => {
    const s = await sim();
    const { ib, statuses, fills } = await client(s.port, 7);
    const answer = new Promise<{ order: Order; state: OrderState }>((resolve) =>
      ib.on(EventName.openOrder, (_id, _c, o, state) => {
        if (o.whatIf) resolve({ order: o, state });
      }),
    );
    ib.placeOrder(1, SPY, order(OrderAction.BUY, 10, { whatIf: true }));
    const { state } = await answer;
    expect(state.equityWithLoanBefore).toBe(100_000);
    expect(state.initMarginBefore).toBe(0);
    // 10 SPY at ~690: 50 % Reg T initial, 25 % maintenance.
    expect(state.initMarginChange).toBeGreaterThan(3_000);
    expect(state.initMarginAfter).toBeCloseTo(state.initMarginChange!, 2);
    expect(state.maintMarginChange).toBeCloseTo(state.initMarginChange! / 2, 0);
    expect(state.commission).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(fills).toEqual([]);
    expect(statuses).toEqual([]);
    const positions: number[] = [];
    await new Promise<void>((resolve) => {
      ib.on(EventName.position, (_a, _c, pos) => positions.push(Number(pos)));
      ib.once(EventName.positionEnd, () => resolve());
      ib.reqPositions();
    });
    expect(positions).toEqual([]);
    // The same order for real fills: the what-if left nothing behind to collide with.
    ib.placeOrder(2, SPY, order(OrderAction.BUY, 10));
    await until("the real order's fill", () => fills.length === 1);
  });
});
