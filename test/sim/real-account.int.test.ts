/**
 * The simulator answers as a real account does (issue 22): market data by subscription (354,
 * 10167, 10168, MARKET_DATA_TYPE, delayed and frozen ticks) and the NYSE's early closes (contract
 * details' hours, bars that stop at 13:00) — each through the real @stoqey/ib client.
 */
import { type ContractDetails, EventName, IBApi, OptionType, SecType } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/sim/index.js";

const sims: Simulator[] = [];
const clients: IBApi[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of sims.splice(0)) await s.close();
});

/** A simulator whose clock stands still (speed ~0): two of them price the same instant alike. */
async function sim(options: SimulatorOptions): Promise<Simulator> {
  const s = await startSimulator({ seed: 42, speed: 1e-9, scenario: { snapshotDelayMs: 1 }, ...options });
  sims.push(s);
  return s;
}

async function client(port: number) {
  const ib = new IBApi({ host: "127.0.0.1", port });
  clients.push(ib);
  const errors: { reqId: number; code: number }[] = [];
  ib.on(EventName.error, (_e, code, reqId) => errors.push({ reqId, code }));
  const ready = new Promise<number>((resolve) => ib.once(EventName.nextValidId, resolve));
  ib.connect(5);
  await ready;
  return { ib, errors };
}

const SPY = { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const CALL = {
  ...SPY,
  secType: SecType.OPT,
  lastTradeDateOrContractMonth: "20260205",
  strike: 690,
  right: OptionType.Call,
  multiplier: 100,
};

interface Answer {
  type: number | null;
  prices: Record<number, number>;
  sizes: Record<number, number>;
  options: number[];
  ended: boolean;
}

/**
 * One snapshot: MARKET_DATA_TYPE, prices and sizes by tick id, option computation ids. It ends at
 * snapshot end, or at an error on its id that ends a request (10167 is a warning: data follows).
 */
function snapshot(ib: IBApi, reqId: number, contract: object): Promise<Answer> {
  return new Promise((resolve) => {
    const answer: Answer = { type: null, prices: {}, sizes: {}, options: [], ended: false };
    ib.on(EventName.marketDataType, (id, type) => {
      if (id === reqId) answer.type = type;
    });
    ib.on(EventName.tickPrice, (id, tick, price) => {
      if (id === reqId) answer.prices[tick] = price;
    });
    ib.on(EventName.tickSize, (id, tick, size) => {
      if (id === reqId && tick !== undefined) answer.sizes[tick] = size ?? Number.NaN;
    });
    ib.on(EventName.tickOptionComputation, (id, tick) => {
      if (id === reqId) answer.options.push(tick);
    });
    ib.on(EventName.error, (_e, code, id) => {
      if (id === reqId && code !== 10167) resolve(answer);
    });
    ib.on(EventName.tickSnapshotEnd, (id) => {
      if (id === reqId) resolve({ ...answer, ended: true });
    });
    ib.reqMktData(reqId, contract, "", true, false);
  });
}

const TEN = newYorkTimeToMs("2026-02-04", 10, 0);

describe("market data by subscription", () => {
  it("a subscribed account gets real time (type 1) even when it asks for delayed", async () => {
    const { ib, errors } = await client((await sim({ startMs: TEN })).port);
    const live = await snapshot(ib, 1, SPY);
    // A stock's snapshot also carries the day's high, low, previous close and open (6, 7, 9, 14).
    expect([live.type, live.ended, Object.keys(live.prices)]).toEqual([
      1,
      true,
      ["1", "2", "4", "6", "7", "9", "14"],
    ]);
    ib.reqMarketDataType(3);
    const asked = await snapshot(ib, 2, CALL);
    expect([asked.type, Object.keys(asked.prices), asked.options]).toEqual([
      1,
      ["1", "2", "4"],
      [10, 11, 12, 13],
    ]);
    expect(errors).toEqual([]);
  });

  it("without a subscription: 354 for real time; after reqMarketDataType(3) 10167 and delayed ticks priced 15 minutes ago", async () => {
    const delayed = await client((await sim({ startMs: TEN, scenario: { marketData: "delayed" } })).port);
    const refused = await snapshot(delayed.ib, 1, SPY);
    expect(refused).toMatchObject({ type: null, ended: false, prices: {} });
    expect(delayed.errors).toEqual([{ reqId: 1, code: 354 }]);

    delayed.ib.reqMarketDataType(3);
    const stock = await snapshot(delayed.ib, 2, SPY);
    const option = await snapshot(delayed.ib, 3, CALL);
    expect(delayed.errors.slice(1)).toEqual([
      { reqId: 2, code: 10167 },
      { reqId: 3, code: 10167 },
    ]);
    expect([stock.type, stock.ended, Object.keys(stock.prices)]).toEqual([
      3,
      true,
      ["66", "67", "68", "72", "73", "75", "76"],
    ]);
    // The client derives the delayed sizes (69–71) from the delayed prices, as IB's own does.
    expect(Object.keys(stock.sizes)).toEqual(["69", "70", "71", "74"]);
    expect(option.options).toEqual([80, 81, 82, 83]);

    // A subscribed account at 09:45 saw the prices the unsubscribed one sees at 10:00.
    const earlier = await client((await sim({ startMs: TEN - 15 * 60_000 })).port);
    const then = await snapshot(earlier.ib, 4, SPY);
    expect([stock.prices[66], stock.prices[67], stock.prices[68]]).toEqual([
      then.prices[1],
      then.prices[2],
      then.prices[4],
    ]);
  });

  it("delayed-frozen (4) after the close is marked 4; frozen (2) on a subscribed account is marked 2", async () => {
    const evening = newYorkTimeToMs("2026-02-04", 17, 0);
    const delayed = await client((await sim({ startMs: evening, scenario: { marketData: "delayed" } })).port);
    delayed.ib.reqMarketDataType(4);
    expect((await snapshot(delayed.ib, 1, SPY)).type).toBe(4);
    const live = await client((await sim({ startMs: evening })).port);
    live.ib.reqMarketDataType(2);
    const frozen = await snapshot(live.ib, 2, SPY);
    expect([frozen.type, Object.keys(frozen.prices)]).toEqual([2, ["1", "2", "4", "6", "7", "9", "14"]]);
  });

  it("neither subscribed nor delayed enabled: 354, then 10168 for delayed", async () => {
    const { ib, errors } = await client((await sim({ startMs: TEN, scenario: { marketData: "none" } })).port);
    await snapshot(ib, 1, SPY);
    ib.reqMarketDataType(3);
    const none = await snapshot(ib, 2, SPY);
    expect(none).toMatchObject({ type: null, ended: false });
    expect(errors).toEqual([
      { reqId: 1, code: 354 },
      { reqId: 2, code: 10168 },
    ]);
  });
});

function contractDetails(ib: IBApi, reqId: number, contract: object): Promise<ContractDetails> {
  return new Promise((resolve) => {
    ib.once(EventName.contractDetails, (_id, details) => resolve(details));
    ib.reqContractDetails(reqId, contract);
  });
}

describe("the NYSE's early closes", () => {
  it("contract details carry Thanksgiving closed and the next day's 13:00 close (options 13:15)", async () => {
    const { ib } = await client((await sim({ startMs: newYorkTimeToMs("2026-11-25", 10, 0) })).port);
    const stock = await contractDetails(ib, 1, SPY);
    expect(stock.timeZoneId).toBe("US/Eastern");
    expect(stock.liquidHours).toBe(
      "20261125:0930-20261125:1600;20261126:CLOSED;20261127:0930-20261127:1300;20261128:CLOSED;20261129:CLOSED;20261130:0930-20261130:1600;20261201:0930-20261201:1600",
    );
    expect(stock.tradingHours).toContain("20261127:0400-20261127:1700;");
    const call = await contractDetails(ib, 2, { ...CALL, lastTradeDateOrContractMonth: "20261130" });
    expect(call.liquidHours).toContain("20261127:0930-20261127:1315;");
  });

  it("bars stop at 13:00 on an early close, and prices stand still after it", async () => {
    const s = await sim({ startMs: newYorkTimeToMs("2026-11-27", 14, 0) });
    const { ib } = await client(s.port);
    const bars: number[] = [];
    await new Promise<void>((resolve) => {
      ib.on(EventName.historicalData, (_id, time) => {
        if (String(time).startsWith("finished")) resolve();
        else bars.push(Number(time) * 1000);
      });
      // The day's session: the last hour (13:00–14:00) holds no RTH bar, and HMDS says so (162).
      ib.reqHistoricalData(1, SPY, "", "1 D", "1 min" as never, "TRADES", 1, 2, false);
    });
    expect(bars.at(-1)).toBe(newYorkTimeToMs("2026-11-27", 12, 59));
    const after = await snapshot(ib, 2, SPY);
    const atClose = await client((await sim({ startMs: newYorkTimeToMs("2026-11-27", 13, 0) })).port);
    expect((await snapshot(atClose.ib, 3, SPY)).prices).toEqual(after.prices);
  });
});

describe("listed contracts, as SPY's chain", () => {
  const WEDNESDAY = newYorkTimeToMs("2026-02-04", 10, 0);

  it("lists dailies, Fridays, monthlies and LEAPS; option parameters carry the union of their strikes", async () => {
    const s = await sim({ startMs: WEDNESDAY });
    const { ib } = await client(s.port);
    const chain = await new Promise<{ expirations: string[]; strikes: number[] }>((resolve) => {
      ib.once(EventName.securityDefinitionOptionParameter, (_id, _ex, _c, _tc, _m, expirations, strikes) =>
        resolve({ expirations, strikes }),
      );
      ib.reqSecDefOptParams(1, "SPY", "", "STK", 756733);
    });
    // Ten dailies from today, then Fridays, third Fridays (Good Friday 2026-04-03 is not one) and January LEAPS.
    expect(chain.expirations.slice(0, 10)).toEqual([
      "20260204",
      "20260205",
      "20260206",
      "20260209",
      "20260210",
      "20260211",
      "20260212",
      "20260213",
      "20260217",
      "20260218",
    ]);
    expect(chain.expirations).toEqual(
      expect.arrayContaining(["20260220", "20260327", "20260320", "20261218"]),
    );
    expect(chain.expirations).toEqual(expect.arrayContaining(["20270115", "20280121"]));
    expect(chain.expirations).toEqual([...chain.expirations].sort());
    expect(chain.strikes).toEqual(expect.arrayContaining([690, 691, 420, 965]));
  });

  it("an expiry named without a strike lists its own strikes; a strike it does not list is error 200", async () => {
    const s = await sim({ startMs: WEDNESDAY });
    const { ib, errors } = await client(s.port);
    const strikesOf = (reqId: number, expiry: string) =>
      new Promise<number[]>((resolve) => {
        const strikes: number[] = [];
        ib.on(EventName.contractDetails, (id, details) => {
          if (id === reqId) strikes.push(details.contract.strike!);
        });
        ib.on(EventName.contractDetailsEnd, (id) => {
          if (id === reqId) resolve(strikes);
        });
        const { strike: _none, ...call } = CALL;
        ib.reqContractDetails(reqId, { ...call, lastTradeDateOrContractMonth: expiry });
      });
    const daily = await strikesOf(1, "20260205");
    expect(daily.every((k, i) => i === 0 || k === daily[i - 1]! + 1)).toBe(true);
    const leaps = await strikesOf(2, "20280121");
    expect(leaps.length).toBeGreaterThan(10);
    expect(leaps.every((k) => k % 5 === 0)).toBe(true);

    const listed = await snapshot(ib, 3, { ...CALL, lastTradeDateOrContractMonth: "20280121", strike: 690 });
    expect(listed.ended).toBe(true);
    const unlisted = await snapshot(ib, 4, {
      ...CALL,
      lastTradeDateOrContractMonth: "20280121",
      strike: 691,
    });
    expect(unlisted.ended).toBe(false);
    const noExpiry = await snapshot(ib, 5, { ...CALL, lastTradeDateOrContractMonth: "20260207" });
    expect(noExpiry.ended).toBe(false);
    expect(errors).toEqual([
      { reqId: 4, code: 200 },
      { reqId: 5, code: 200 },
    ]);
  });
});
