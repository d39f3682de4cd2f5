/**
 * The messages a real client relies on to recover orders and fills, driven by the unmodified
 * `@stoqey/ib` client over TCP: open orders, executions with commission reports across client ids
 * and a SIGKILLed client, the positions subscription, account updates, paper-account matching.
 */
import { spawn } from "node:child_process";
import {
  type CommissionReport,
  type Contract,
  EventName,
  type Execution,
  IBApi,
  IBApiNext,
  OptionType,
  type Order,
  OrderAction,
  OrderType,
  SecType,
} from "@stoqey/ib";
import { firstValueFrom } from "rxjs";
import { filter } from "rxjs/operators";
import { afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import { SimMarket, type Simulator, startSimulator } from "../../src/sim/index.js";

const START = newYorkTimeToMs("2026-02-04", 10, 30);
const sims: Simulator[] = [];
const clients: IBApi[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of sims.splice(0)) await s.close();
});

async function sim(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const s = await startSimulator({ seed: 42, startMs: START, ...options });
  sims.push(s);
  return s;
}

async function client(port: number, clientId: number) {
  const ib = new IBApi({ host: "127.0.0.1", port });
  clients.push(ib);
  const codes: number[] = [];
  ib.on(EventName.error, (_e, code) => codes.push(code));
  ib.on(EventName.info, (_m, code) => codes.push(code));
  const accounts = new Promise<string>((resolve) => ib.once(EventName.managedAccounts, resolve));
  const ready = new Promise<number>((resolve) => ib.once(EventName.nextValidId, resolve));
  ib.connect(clientId);
  const nextId = await ready;
  return { ib, codes, nextId, account: await accounts };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SPY: Contract = { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const call = (strike: number): Contract => ({
  ...SPY,
  secType: SecType.OPT,
  lastTradeDateOrContractMonth: "20260205",
  strike,
  right: OptionType.Call,
  multiplier: 100,
});
const order = (action: OrderAction, qty: number, extra: Partial<Order> = {}): Order => ({
  action,
  orderType: OrderType.MKT,
  totalQuantity: qty,
  transmit: true,
  ...extra,
});

function until<T>(ib: IBApi, event: EventName, pick: (...args: never[]) => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const listener = (...args: never[]) => {
      const v = pick(...args);
      if (v !== undefined) {
        ib.off(event as never, listener as never);
        resolve(v);
      }
    };
    ib.on(event as never, listener as never);
  });
}

function collectOpenOrders(ib: IBApi, request: () => void) {
  return new Promise<{ orderId: number; permId: number; orderRef: string; status: string }[]>((resolve) => {
    const out: { orderId: number; permId: number; orderRef: string; status: string }[] = [];
    const onOpen = (orderId: number, _c: Contract, o: Order, state: { status?: string }) =>
      out.push({ orderId, permId: o.permId!, orderRef: o.orderRef ?? "", status: String(state.status) });
    ib.on(EventName.openOrder, onOpen);
    ib.once(EventName.openOrderEnd, () => {
      ib.off(EventName.openOrder, onOpen);
      resolve(out);
    });
    request();
  });
}

function collectExecutions(ib: IBApi, reqId: number, filter: object = {}) {
  return new Promise<{ execs: Execution[]; contracts: Contract[]; commissions: CommissionReport[] }>(
    (resolve) => {
      const execs: Execution[] = [];
      const contracts: Contract[] = [];
      const commissions: CommissionReport[] = [];
      const onExec = (id: number, c: Contract, e: Execution) => {
        if (id !== reqId) return;
        execs.push(e);
        contracts.push(c);
      };
      const onCommission = (r: CommissionReport) => commissions.push(r);
      ib.on(EventName.execDetails, onExec);
      ib.on(EventName.commissionReport, onCommission);
      ib.on(EventName.execDetailsEnd, (id) => {
        if (id !== reqId) return;
        ib.off(EventName.execDetails, onExec);
        ib.off(EventName.commissionReport, onCommission);
        resolve({ execs, contracts, commissions });
      });
      ib.reqExecutions(reqId, filter);
    },
  );
}

function collectPositions(ib: IBApi) {
  return new Promise<{ account: string; contract: Contract; pos: number; avgCost: number }[]>((resolve) => {
    const out: { account: string; contract: Contract; pos: number; avgCost: number }[] = [];
    const onPos = (account: string, contract: Contract, pos: number, avgCost?: number) =>
      out.push({ account, contract, pos, avgCost: avgCost ?? 0 });
    ib.on(EventName.position, onPos);
    ib.once(EventName.positionEnd, () => {
      ib.off(EventName.position, onPos);
      resolve(out);
    });
    ib.reqPositions();
  });
}

describe("open orders, permIds and orderRef", () => {
  it("sends OPEN_ORDER on placement with a unique non-zero permId and the orderRef, and lists working orders", async () => {
    const s = await sim();
    const { ib, codes } = await client(s.port, 7);
    const seen: { orderId: number; permId: number; orderRef: string; status: string }[] = [];
    ib.on(EventName.openOrder, (orderId, _c, o, state) =>
      seen.push({ orderId, permId: o.permId!, orderRef: o.orderRef ?? "", status: String(state.status) }),
    );
    ib.placeOrder(
      1,
      call(650),
      order(OrderAction.BUY, 1, { orderType: OrderType.LMT, lmtPrice: 0.01, orderRef: "dec-1" }),
    );
    ib.placeOrder(
      2,
      call(651),
      order(OrderAction.BUY, 1, { orderType: OrderType.LMT, lmtPrice: 0.01, orderRef: "dec-2" }),
    );
    await wait(100);
    // Each order: PreSubmitted on placement, Submitted once it reaches the (simulated) exchange, a
    // real-time delay later. How the two orders' messages interleave depends on when the second
    // placement arrives (under load, after the first order's delay): only each order's own order counts.
    const byOrder = (id: number) =>
      seen.filter((o) => o.orderId === id).map((o) => `${o.status} ${o.orderRef}`);
    expect(byOrder(1)).toEqual(["PreSubmitted dec-1", "Submitted dec-1"]);
    expect(byOrder(2)).toEqual(["PreSubmitted dec-2", "Submitted dec-2"]);
    expect(seen).toHaveLength(4);
    const permIds = new Set(seen.map((o) => o.permId));
    expect(permIds.size).toBe(2);
    for (const p of permIds) expect(p).toBeGreaterThan(0);
    const open = await collectOpenOrders(ib, () => ib.reqOpenOrders());
    expect(open.map((o) => `${o.orderId} ${o.status} ${o.orderRef}`)).toEqual([
      "1 Submitted dec-1",
      "2 Submitted dec-2",
    ]);
    // Another client sees them with reqAllOpenOrders, not with reqOpenOrders.
    const other = await client(s.port, 8);
    expect(await collectOpenOrders(other.ib, () => other.ib.reqOpenOrders())).toEqual([]);
    expect(
      (await collectOpenOrders(other.ib, () => other.ib.reqAllOpenOrders())).map((o) => o.orderId),
    ).toEqual([1, 2]);
    expect(codes).not.toContain(505);
    expect(other.codes).not.toContain(505);
  });

  it("client 0 binds with reqAutoOpenOrders: every working order, the end marker, then later changes", async () => {
    const s = await sim();
    const { ib } = await client(s.port, 7);
    ib.placeOrder(
      1,
      call(650),
      order(OrderAction.BUY, 1, { orderType: OrderType.LMT, lmtPrice: 0.01, orderRef: "dec-1" }),
    );
    await wait(50);
    const master = await client(s.port, 0);
    const bound = await collectOpenOrders(master.ib, () => master.ib.reqAutoOpenOrders(true));
    expect(bound.map((o) => [o.orderId, o.orderRef])).toEqual([[1, "dec-1"]]);
    const later = until(master.ib, EventName.orderStatus, (id: number, status: string) =>
      id === 1 && status === "Cancelled" ? status : undefined,
    );
    ib.cancelOrder(1, {});
    expect(await later).toBe("Cancelled");
    // Only client 0 may bind (321 with id -1 reaches the client as info).
    const refused = until(ib, EventName.info, (_m: string, code: number) =>
      Number(code) === 321 ? code : undefined,
    );
    ib.reqAutoOpenOrders(true);
    expect(await refused).toBe(321);
  });

  it("answers a cancel of an unknown order id with 10147 and a filled one with 10148", async () => {
    const s = await sim();
    const { ib, codes } = await client(s.port, 7);
    ib.placeOrder(3, call(690), order(OrderAction.BUY, 1));
    await until(ib, EventName.orderStatus, (_id: number, status: string) =>
      status === "Filled" ? true : undefined,
    );
    ib.cancelOrder(999, {});
    ib.cancelOrder(3, {});
    await wait(100);
    expect(codes).toContain(10147);
    expect(codes).toContain(10148);
    expect(codes).not.toContain(505);
  });
});

describe("recovery after a client is SIGKILLed", () => {
  it("a new client id recovers executions with commissions, positions, open and completed orders", async () => {
    const s = await sim({ account: "U1234567" });
    // A client in its own process places a fill and a working order, then is killed with SIGKILL.
    const script = `
      import { IBApi, EventName } from "@stoqey/ib";
      const ib = new IBApi({ host: "127.0.0.1", port: ${s.port} });
      const opt = { symbol: "SPY", secType: "OPT", exchange: "SMART", currency: "USD", lastTradeDateOrContractMonth: "20260205", strike: 690, right: "C", multiplier: 100 };
      ib.on(EventName.commissionReport, () => console.log("filled"));
      ib.once(EventName.nextValidId, () => {
        ib.placeOrder(11, opt, { action: "BUY", orderType: "MKT", totalQuantity: 2, orderRef: "decision-42", transmit: true });
        ib.placeOrder(12, { ...opt, strike: 650 }, { action: "BUY", orderType: "LMT", lmtPrice: 0.01, totalQuantity: 1, orderRef: "decision-43", transmit: true });
      });
      ib.connect(21);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (d: Buffer) => d.toString().includes("filled") && resolve()),
    );
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    const { ib, codes, account } = await client(s.port, 22);
    expect(account).toBe("U1234567");
    const { execs, contracts, commissions } = await collectExecutions(ib, 5);
    expect(execs).toHaveLength(1);
    expect(execs[0]).toMatchObject({
      orderId: 11,
      clientId: 21,
      side: "BOT",
      shares: 2,
      orderRef: "decision-42",
      acctNumber: "U1234567",
    });
    expect(execs[0]!.permId).toBeGreaterThan(0);
    // Below server version 200 a gateway writes execution times with two spaces and no zone.
    expect(execs[0]!.time).toMatch(/^20260204 {2}10:30:\d\d$/);
    expect(contracts[0]).toMatchObject({
      symbol: "SPY",
      secType: "OPT",
      localSymbol: "SPY   260205C00690000",
      currency: "USD",
    });
    expect(commissions.map((c) => [c.execId, c.commission])).toEqual([[execs[0]!.execId, 1.3]]);
    // Filters: another client id, a side, a symbol that does not match.
    expect((await collectExecutions(ib, 6, { clientId: 99 })).execs).toHaveLength(0);
    expect((await collectExecutions(ib, 7, { side: "SELL" })).execs).toHaveLength(0);
    expect((await collectExecutions(ib, 8, { symbol: "QQQ" })).execs).toHaveLength(0);
    expect(
      (await collectExecutions(ib, 9, { clientId: 21, acctCode: "U1234567", secType: "OPT", side: "BUY" }))
        .execs,
    ).toHaveLength(1);

    const positions = await collectPositions(ib);
    expect(positions).toHaveLength(1);
    expect(positions[0]).toMatchObject({ account: "U1234567", pos: 2 });
    expect(positions[0]!.contract).toMatchObject({ conId: contracts[0]!.conId, currency: "USD" });
    // IB's average cost is the cost basis, its commission in it (ib_async's portfolio showed the bare price).
    expect(positions[0]!.avgCost).toBeCloseTo(execs[0]!.price! * 100 + commissions[0]!.commission! / 2, 6);

    const open = await collectOpenOrders(ib, () => ib.reqAllOpenOrders());
    expect(open.map((o) => [o.orderId, o.orderRef])).toEqual([[12, "decision-43"]]);
    const completed = await new Promise<{ ref: string; status: string }[]>((resolve) => {
      const out: { ref: string; status: string }[] = [];
      ib.on(EventName.completedOrder, (_c, o, state) =>
        out.push({ ref: o.orderRef ?? "", status: String(state.status) }),
      );
      ib.once(EventName.completedOrdersEnd, () => resolve(out));
      ib.reqCompletedOrders(false);
    });
    expect(completed).toEqual([{ ref: "decision-42", status: "Filled" }]);
    expect(codes).not.toContain(505);
    expect(codes).not.toContain(503);
  });
});

describe("subscriptions", () => {
  it("positions: all, end, then a push after every fill until cancelPositions", async () => {
    const s = await sim();
    const { ib, codes } = await client(s.port, 7);
    const pushes: number[] = [];
    expect(await collectPositions(ib)).toEqual([]);
    ib.on(EventName.position, (_a, _c, pos) => pushes.push(pos));
    ib.placeOrder(1, call(690), order(OrderAction.BUY, 1));
    await until(ib, EventName.commissionReport, () => true);
    ib.placeOrder(2, call(690), order(OrderAction.BUY, 2));
    await until(ib, EventName.commissionReport, () => true);
    await wait(20);
    expect(pushes).toEqual([1, 3]);
    ib.cancelPositions();
    await wait(20);
    ib.placeOrder(3, call(690), order(OrderAction.SELL, 3));
    await until(ib, EventName.commissionReport, () => true);
    await wait(50);
    expect(pushes).toEqual([1, 3]);
    expect(codes).not.toContain(505);
  });

  it("account updates, account updates multi, completed orders and PnL answer with their end markers", async () => {
    const s = await sim({ account: "U1234567" });
    const { ib, codes } = await client(s.port, 7);
    ib.placeOrder(1, SPY, order(OrderAction.BUY, 10));
    await until(ib, EventName.commissionReport, () => true);
    const values = new Map<string, string>();
    const portfolio: { symbol: string; position: number; account: string }[] = [];
    let time = "";
    ib.on(EventName.updateAccountValue, (key, value, _cur, acct) => {
      expect(acct).toBe("U1234567");
      values.set(key, value);
    });
    ib.on(EventName.updatePortfolio, (c, position, _p, _v, _a, _u, _r, acct) =>
      portfolio.push({ symbol: c.symbol!, position, account: acct! }),
    );
    ib.on(EventName.updateAccountTime, (t) => {
      time = t;
    });
    const end = new Promise<string>((resolve) => ib.once(EventName.accountDownloadEnd, resolve));
    ib.reqAccountUpdates(true, "U1234567");
    expect(await end).toBe("U1234567");
    expect(values.get("AccountCode")).toBe("U1234567");
    expect(Number(values.get("NetLiquidation"))).toBeGreaterThan(99_000);
    expect(portfolio).toEqual([{ symbol: "SPY", position: 10, account: "U1234567" }]);
    expect(time).toBe("10:30");

    const multi = await new Promise<number>((resolve) => {
      let n = 0;
      ib.on(EventName.accountUpdateMulti, () => n++);
      ib.once(EventName.accountUpdateMultiEnd, () => resolve(n));
      ib.reqAccountUpdatesMulti(40, "U1234567", "", false);
    });
    expect(multi).toBeGreaterThan(5);
    await new Promise<void>((resolve) => {
      ib.once(EventName.completedOrdersEnd, () => resolve());
      ib.reqCompletedOrders(true);
    });
    const pnl = await new Promise<number | undefined>((resolve) => {
      ib.once(EventName.pnl, (_id, daily) => resolve(daily));
      ib.reqPnL(41, "U1234567", "");
    });
    expect(typeof pnl).toBe("number");
    expect(codes).not.toContain(503);
    expect(codes).not.toContain(505);
  });
});

describe("orders like a paper account", () => {
  it("a resting limit order fills at its limit when the simulated quotes cross it as the clock advances", async () => {
    const speed = 600; // ten simulated minutes per real second
    const market = new SimMarket(42);
    // A buy limit a third of the way from the lowest ask of the next 20 simulated minutes to the
    // ask now: it rests at placement, and the moving quotes cross it later.
    let minAsk = Number.POSITIVE_INFINITY;
    for (let t = START + 60_000; t <= START + 20 * 60_000; t += 1_000)
      minAsk = Math.min(minAsk, market.stockQuote("SPY", t).ask);
    const askNow = market.stockQuote("SPY", START).ask;
    const limit = Math.round((minAsk + (askNow - minAsk) / 3) * 100) / 100;
    expect(askNow - limit).toBeGreaterThan(0.05);
    const s = await sim({ speed });
    const { ib, codes } = await client(s.port, 7);
    const statuses: string[] = [];
    ib.on(EventName.orderStatus, (_id, status) => statuses.push(String(status)));
    ib.placeOrder(1, SPY, order(OrderAction.BUY, 100, { orderType: OrderType.LMT, lmtPrice: limit }));
    await wait(150);
    expect(statuses).toEqual(["PreSubmitted", "Submitted"]);
    const exec = await until(ib, EventName.execDetails, (_r: number, _c: Contract, e: Execution) => e);
    expect(exec.price).toBe(limit);
    expect(s.nowMs()).toBeGreaterThan(START + 60_000);
    expect(codes).not.toContain(505);
  });

  it("fills beyond the displayed size in parts", async () => {
    // 150 calls cost more than the default 100 000 USD account holds (IB would answer 201).
    const s = await sim({ speed: 120, scenario: { accountEquityUsd: 1_000_000 } });
    const { ib, codes } = await client(s.port, 7);
    const fills: number[] = [];
    const statuses: string[] = [];
    ib.on(EventName.execDetails, (_r, _c, e) => fills.push(e.shares!));
    ib.on(EventName.orderStatus, (_id, status, filled) => statuses.push(`${status} ${filled}`));
    const done = until(ib, EventName.orderStatus, (_id: number, status: string) =>
      status === "Filled" ? true : undefined,
    );
    ib.placeOrder(1, call(690), order(OrderAction.BUY, 150));
    await done;
    // The option's displayed ask size is 60.
    expect(fills).toEqual([60, 60, 30]);
    expect(statuses).toContain("Submitted 60");
    expect(statuses).toContain("Submitted 120");
    expect(statuses.at(-1)).toBe("Filled 150");
    expect(codes).not.toContain(505);
  });

  it("refuses a sale that would open a short option when configured: 201, then Cancelled; closing sales pass", async () => {
    const s = await sim({ scenario: { rejectShortOptions: true } });
    const { ib, codes } = await client(s.port, 7);
    const statuses: string[] = [];
    ib.on(EventName.orderStatus, (id, status) => statuses.push(`${id} ${status}`));
    ib.placeOrder(1, call(690), order(OrderAction.SELL, 1));
    await wait(100);
    expect(codes).toContain(201);
    expect(statuses).toEqual(["1 Cancelled"]);
    ib.placeOrder(2, call(690), order(OrderAction.BUY, 1));
    await until(ib, EventName.commissionReport, () => true);
    ib.placeOrder(3, call(690), order(OrderAction.SELL, 1));
    await until(ib, EventName.commissionReport, () => true);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
  });
});

describe("IBApiNext recovers the same state", () => {
  it("getAllOpenOrders, getExecutionDetails, getPositions and getAccountUpdates answer with the book", async () => {
    const s = await sim({ account: "U1234567" });
    const { ib } = await client(s.port, 7);
    ib.placeOrder(1, call(690), order(OrderAction.BUY, 2, { orderRef: "d-1" }));
    await until(ib, EventName.commissionReport, () => true);
    ib.placeOrder(
      2,
      call(650),
      order(OrderAction.BUY, 1, { orderType: OrderType.LMT, lmtPrice: 0.01, orderRef: "d-2" }),
    );
    await wait(50);
    const api = new IBApiNext({ host: "127.0.0.1", port: s.port });
    api.connect(8);
    try {
      const open = await api.getAllOpenOrders();
      expect(open.map((o) => [o.orderId, o.order.orderRef, o.orderState.status])).toEqual([
        [2, "d-2", "Submitted"],
      ]);
      expect(open[0]!.order.permId).toBeGreaterThan(0);
      const execs = await api.getExecutionDetails({});
      expect(execs.map((e) => [e.execution.orderRef, e.execution.shares, e.execution.clientId])).toEqual([
        ["d-1", 2, 7],
      ]);
      const positions = await firstValueFrom(
        api.getPositions().pipe(filter((u) => (u.all.get("U1234567")?.length ?? 0) > 0)),
      );
      expect(positions.all.get("U1234567")![0]!.pos).toBe(2);
      const account = await firstValueFrom(
        api.getAccountUpdates("U1234567").pipe(filter((u) => u.all.portfolio?.get("U1234567") !== undefined)),
      );
      expect(account.all.portfolio!.get("U1234567")![0]!.pos).toBe(2);
    } finally {
      api.disconnect();
    }
  });
});

describe("contracts named by conId alone", () => {
  it("resolves a stock's conId and an option conId the simulator has shown; an unknown conId gets 200", async () => {
    const s = await sim();
    const { ib, codes } = await client(s.port, 7);
    const details = (reqId: number, contract: Contract) =>
      new Promise<Contract | undefined>((resolve) => {
        let found: Contract | undefined;
        ib.on(EventName.contractDetails, (id, d) => {
          if (id === reqId) found = d.contract;
        });
        ib.on(EventName.contractDetailsEnd, (id) => id === reqId && resolve(found));
        ib.on(EventName.error, (_e, code, id) => id === reqId && Number(code) === 200 && resolve(undefined));
        ib.reqContractDetails(reqId, contract);
      });
    expect((await details(1, { conId: 756733 }))?.symbol).toBe("SPY");
    const option = await details(2, call(690));
    expect(option?.localSymbol).toBe("SPY   260205C00690000");
    expect((await details(3, { conId: option!.conId! }))?.localSymbol).toBe("SPY   260205C00690000");
    expect(await details(4, { conId: 123 })).toBeUndefined();
    expect(codes).toContain(200);
    expect(codes).not.toContain(505);
  });
});
