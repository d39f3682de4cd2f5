/**
 * Every request a client may send gets an answer it can wait on: the reference data the simulator
 * serves (head timestamp, matching symbols, market rules, user info, scanner parameters, news
 * providers, soft-dollar tiers, family codes) agrees with the simulated market; every request it
 * does not serve gets an error on that request's own id (never 503 on −1), sent by the real
 * `@stoqey/ib` encoder for the requests bots use and by a raw socket for the whole table. The
 * account summary carries IB's full tag set, its figures agreeing with each other.
 */
import {
  type Contract,
  EventName,
  IBApi,
  OptionType,
  OrderAction,
  OrderType,
  SecType,
  type TickByTickDataType,
  WhatToShow,
} from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import { UNSERVED } from "../../src/sim/gateway/unserved.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import { rawClient } from "./raw-client.js";

const START = newYorkTimeToMs("2026-02-04", 10, 30);
const SPY: Contract = { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function connected(): Promise<{ sim: Simulator; ib: IBApi; errors: { id: number; code: number }[] }> {
  const sim = await startSimulator({ seed: 42, startMs: START, account: "U1234567" });
  closers.push(() => sim.close());
  const ib = new IBApi({ host: "127.0.0.1", port: sim.port });
  closers.push(() => ib.disconnect());
  const errors: { id: number; code: number }[] = [];
  ib.on(EventName.error, (_e, code, id) => errors.push({ id, code }));
  await new Promise<void>((resolve) => {
    ib.once(EventName.nextValidId, () => resolve());
    ib.connect(9);
  });
  return { sim, ib, errors };
}

/** Resolves with the first error on `reqId`. */
const errorOn = (ib: IBApi, reqId: number) =>
  new Promise<number>((resolve) =>
    ib.on(EventName.error, (_e, code, id) => {
      if (id === reqId) resolve(code);
    }),
  );

describe("served reference data agrees with the simulated market", () => {
  it("head timestamp, matching symbols, the market rules contract details name, user info, scanner, news", async () => {
    const { ib, errors } = await connected();
    const heads = new Map<number, string>();
    const headsDone = new Promise<void>((resolve) =>
      ib.on(EventName.headTimestamp, (id, ts) => {
        heads.set(id, ts);
        if (heads.size === 2) resolve();
      }),
    );
    ib.reqHeadTimestamp(1, SPY, WhatToShow.TRADES, true, 1);
    ib.reqHeadTimestamp(2, SPY, WhatToShow.TRADES, true, 2);
    await headsDone;
    // SPY's first session, 1993-01-29 09:30 New York, in UTC (formatDate 1) and epoch seconds (2).
    expect(heads.get(1)).toBe("19930129-14:30:00");
    expect(Number(heads.get(2)) * 1000).toBe(newYorkTimeToMs("1993-01-29", 9, 30));

    const samples = await new Promise<{ conId?: number; symbol?: string }[]>((resolve) => {
      ib.once(EventName.symbolSamples, (_id, d: { contract: { conId?: number; symbol?: string } }[]) =>
        resolve(d.map((x) => x.contract)),
      );
      ib.reqMatchingSymbols(3, "sp");
    });
    expect(samples).toEqual([expect.objectContaining({ conId: 756733, symbol: "SPY" })]);

    const ruleIds = await new Promise<Set<number>>((resolve) => {
      const ids = new Set<number>();
      ib.on(EventName.contractDetails, (_id, d) => {
        for (const r of String(d.marketRuleIds ?? "").split(",")) ids.add(Number(r));
      });
      ib.once(EventName.contractDetailsEnd, () => resolve(ids));
      ib.reqContractDetails(4, SPY);
    });
    for (const ruleId of ruleIds) {
      const rule = await new Promise<unknown>((resolve) => {
        ib.once(EventName.marketRule, (id, increments) => id === ruleId && resolve(increments));
        ib.reqMarketRule(ruleId);
      });
      // Consistent with contract details' minTick of 0.01.
      expect(rule).toEqual([{ lowEdge: 0, increment: 0.01 }]);
    }

    const user = await new Promise<[number, string]>((resolve) => {
      ib.once(EventName.userInfo, (id, brand) => resolve([id, brand]));
      ib.reqUserInfo(5);
    });
    expect(user).toEqual([5, ""]);
    const xml = await new Promise<string>((resolve) => {
      ib.once(EventName.scannerParameters, resolve);
      ib.reqScannerParameters();
    });
    expect(xml).toMatch(/^<\?xml/);
    const news = await new Promise<unknown[]>((resolve) => {
      ib.once(EventName.newsProviders, resolve);
      ib.reqNewsProviders();
    });
    expect(news.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});

describe("the option calculators", () => {
  it("price an option at a volatility and give that volatility back for the price (type 53 on the id)", async () => {
    const { ib, errors } = await connected();
    const CALL: Contract = {
      symbol: "SPY",
      secType: SecType.OPT,
      lastTradeDateOrContractMonth: "20260205",
      strike: 690,
      right: OptionType.Call,
      multiplier: 100,
      exchange: "SMART",
      currency: "USD",
    };
    const computed = (reqId: number) =>
      new Promise<{
        type: number;
        iv: number | undefined;
        price: number | undefined;
        und: number | undefined;
      }>((resolve) =>
        ib.on(EventName.tickOptionComputation, (id, type, _a, iv, _d, price, _pv, _g, _v, _t, und) => {
          if (id === reqId) resolve({ type, iv, price, und });
        }),
      );
    const priced = computed(31);
    ib.calculateOptionPrice(31, CALL, 0.2, 690);
    const p = await priced;
    expect(p).toMatchObject({ type: 53, iv: 0.2, und: 690 });
    expect(p.price!).toBeGreaterThan(0);
    const solved = computed(32);
    ib.calculateImpliedVolatility(32, CALL, p.price!, 690);
    expect((await solved).iv!).toBeCloseTo(0.2, 4);
    const refused = errorOn(ib, 33);
    ib.calculateImpliedVolatility(33, SPY, 1.5, 690);
    expect(await refused).toBe(321);
    expect(errors.filter((e) => e.id !== 33)).toEqual([]);
  });
});

describe("unserved requests get an error on their own id", () => {
  it("as @stoqey/ib sends them: depth, real-time bars, IV, historical ticks, tick-by-tick, fundamentals, …", async () => {
    const { ib } = await connected();
    const cases: [number, number, () => void][] = [
      [10, 10092, () => ib.reqMktDepth(10, SPY, 5, false)],
      [50, 420, () => ib.reqRealTimeBars(50, SPY, 5, WhatToShow.TRADES, true)],
      [
        96,
        162,
        () => ib.reqHistoricalTicks(96, SPY, "20260204 10:00:00", null, 10, WhatToShow.TRADES, 1, false),
      ],
      [97, 10089, () => ib.reqTickByTickData(97, SPY, "Last" as TickByTickDataType, 0, false)],
      [52, 430, () => ib.reqFundamentalData(52, SPY, "ReportSnapshot")],
      [83, 321, () => ib.reqSmartComponents(83, "9c0001")],
      [84, 10276, () => ib.reqNewsArticle(84, "BRFG", "BRFG$1")],
      [86, 10276, () => ib.reqHistoricalNews(86, 756733, "BRFG", "", "", 10)],
      [67, 321, () => ib.queryDisplayGroups(67)],
    ];
    for (const [reqId, code, send] of cases) {
      const answered = errorOn(ib, reqId);
      send();
      expect(await answered, `request id ${reqId}`).toBe(code);
    }
  });

  it("the whole table over a raw socket: each request id answered on itself, cancels with nothing", async () => {
    const sim = await startSimulator({ seed: 42, startMs: START });
    closers.push(() => sim.close());
    const client = await rawClient(sim.port, "v100..193", 3);
    closers.push(() => client.close());
    for (const [id, unserved] of UNSERVED) {
      const reqId = 7000 + id;
      const fields: (string | number)[] = [
        id,
        ...Array.from({ length: (unserved.idAt ?? 1) + 2 }, () => "1"),
      ];
      if (unserved.idAt !== undefined) fields[unserved.idAt] = reqId;
      const from = client.frames.length;
      client.send(fields);
      // CURRENT_TIME after it: its answer proves the request before it was handled.
      client.send([49, 1]);
      await client.next((f) => f[0] === "49", from);
      const errors = client.frames.slice(from).filter((f) => f[0] === "4");
      if (unserved.code === undefined) expect(errors, unserved.name).toEqual([]);
      else
        expect(
          errors.map((f) => [f[2], f[3]]),
          unserved.name,
        ).toEqual([[String(unserved.idAt === undefined ? -1 : reqId), String(unserved.code)]]);
    }
  });

  it("a message id outside the API still gets 503 on id −1", async () => {
    const sim = await startSimulator({ seed: 42, startMs: START });
    closers.push(() => sim.close());
    const client = await rawClient(sim.port, "v100..193", 3);
    closers.push(() => client.close());
    client.send([47, 1, 5]);
    expect((await client.next((f) => f[0] === "4" && f[3] === "503")).slice(2, 4)).toEqual(["-1", "503"]);
  });
});

describe("positions by account and model (reqPositionsMulti)", () => {
  it("lists the account's positions under the empty model, follows fills, refuses another account", async () => {
    const { ib, errors } = await connected();
    const rows: { reqId: number; account: string; symbol: string | undefined; pos: number; model: string }[] =
      [];
    const ends: number[] = [];
    ib.on(EventName.positionMulti, (reqId, account, modelCode, contract, pos) =>
      rows.push({ reqId, account, symbol: contract.symbol, pos: Number(pos), model: modelCode }),
    );
    ib.on(EventName.positionMultiEnd, (reqId) => ends.push(reqId));
    const ended = (reqId: number) =>
      new Promise<void>((resolve) => ib.on(EventName.positionMultiEnd, (id) => id === reqId && resolve()));
    const first = ended(1);
    ib.reqPositionsMulti(1, "U1234567", "");
    await first;
    expect(rows).toEqual([]);
    const filled = new Promise<void>((resolve) =>
      ib.on(EventName.orderStatus, (_id, status) => status === "Filled" && resolve()),
    );
    ib.placeOrder(100, SPY, {
      action: OrderAction.BUY,
      orderType: OrderType.MKT,
      totalQuantity: 7,
      transmit: true,
    });
    await filled;
    // The open subscription is told of the fill, as reqPositions is.
    await expect.poll(() => rows.filter((r) => r.reqId === 1).map((r) => r.pos)).toEqual([7]);
    const second = ended(2);
    ib.reqPositionsMulti(2, "U1234567", "");
    await second;
    expect(rows.filter((r) => r.reqId === 2)).toEqual([
      { reqId: 2, account: "U1234567", symbol: "SPY", pos: 7, model: "" },
    ]);
    // A non-FA account has no models: a model code lists nothing, but still ends.
    const third = ended(3);
    ib.reqPositionsMulti(3, "U1234567", "GROWTH");
    await third;
    expect(rows.filter((r) => r.reqId === 3)).toEqual([]);
    const refused = errorOn(ib, 4);
    ib.reqPositionsMulti(4, "U9999999", "");
    expect(await refused).toBe(321);
    ib.cancelPositionsMulti(1);
    // 10349 is the TIF-preset notice on the order, not an error of these requests.
    expect(errors.filter((e) => e.id !== 4 && e.code !== 10349)).toEqual([]);
    expect(ends).toEqual([1, 2, 3]);
  });
});

describe("account summary", () => {
  it("has IB's full tag set and figures that agree, before and after a fill; updates carry BASE rows", async () => {
    const { ib } = await connected();
    const summary = async (reqId: number, tags: string) =>
      new Promise<Map<string, string>>((resolve) => {
        const values = new Map<string, string>();
        ib.on(EventName.accountSummary, (id, _a, tag, value, currency) => {
          if (id === reqId) values.set(currency === "BASE" ? `${tag}/BASE` : tag, value);
        });
        ib.on(EventName.accountSummaryEnd, (id) => id === reqId && resolve(values));
        ib.reqAccountSummary(reqId, "All", tags);
      });
    const filled = new Promise<void>((resolve) =>
      ib.on(EventName.orderStatus, (_id, status) => status === "Filled" && resolve()),
    );
    ib.placeOrder(100, SPY, {
      action: OrderAction.BUY,
      orderType: OrderType.MKT,
      totalQuantity: 10,
      transmit: true,
    });
    await filled;
    const all = await summary(1, "All");
    for (const tag of [
      "InitMarginReq",
      "MaintMarginReq",
      "SettledCash",
      "Cushion",
      "FullInitMarginReq",
      "FullMaintMarginReq",
      "FullAvailableFunds",
      "FullExcessLiquidity",
      "DayTradesRemaining",
      "Leverage",
      "LookAheadAvailableFunds",
      "SMA",
    ])
      expect(all.has(tag), tag).toBe(true);
    const n = (tag: string) => Number(all.get(tag));
    const cents = (x: number) => Math.round(x * 100);
    expect(cents(n("NetLiquidation"))).toBe(cents(n("TotalCashValue") + n("GrossPositionValue")));
    expect(cents(n("AvailableFunds"))).toBe(cents(n("EquityWithLoanValue") - n("InitMarginReq")));
    expect(cents(n("ExcessLiquidity"))).toBe(cents(n("EquityWithLoanValue") - n("MaintMarginReq")));
    expect(n("InitMarginReq")).toBeGreaterThan(n("MaintMarginReq"));
    expect(n("MaintMarginReq")).toBeGreaterThan(0);
    expect(n("Cushion")).toBeCloseTo(n("ExcessLiquidity") / n("NetLiquidation"), 5);
    expect(n("Leverage")).toBeCloseTo(n("GrossPositionValue") / n("NetLiquidation"), 5);
    expect(all.get("DayTradesRemaining")).toBe("-1");

    const ledger = await summary(2, "$LEDGER");
    expect(ledger.get("CashBalance/BASE")).toBe(all.get("TotalCashValue"));
    expect(ledger.get("NetLiquidationByCurrency/BASE")).toBe(all.get("NetLiquidation"));

    const base = await new Promise<Map<string, string>>((resolve) => {
      const rows = new Map<string, string>();
      ib.on(EventName.updateAccountValue, (key, value, currency) => {
        if (currency === "BASE") rows.set(key, value);
      });
      ib.once(EventName.accountDownloadEnd, () => resolve(rows));
      ib.reqAccountUpdates(true, "U1234567");
    });
    expect(base.get("CashBalance")).toBe(all.get("TotalCashValue"));
    expect(base.get("StockMarketValue")).toBe(all.get("GrossPositionValue"));
    expect(base.get("ExchangeRate")).toBe("1.00");
  });
});
