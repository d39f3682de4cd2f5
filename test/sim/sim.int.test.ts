import { Socket } from "node:net";
import { EventName, IBApi, IBApiNext, OptionType, OrderAction, OrderType, SecType } from "@stoqey/ib";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import {
  blackScholes,
  encodeMessage,
  RISK_FREE_RATE,
  type Simulator,
  startSimulator,
} from "../../src/sim/index.js";

const START = newYorkTimeToMs("2026-02-04", 10, 30);
const sims: Simulator[] = [];
const clients: IBApi[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of sims.splice(0)) await s.close();
});

async function sim(scenario: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const s = await startSimulator({ seed: 42, startMs: START, ...scenario });
  sims.push(s);
  return s;
}

/** A connected plain IBApi client that records every error/info code (505 = decode error). */
async function client(port: number, clientId = 7) {
  const ib = new IBApi({ host: "127.0.0.1", port });
  clients.push(ib);
  const codes: number[] = [];
  ib.on(EventName.error, (_e, code) => codes.push(code));
  ib.on(EventName.info, (_m, code) => codes.push(code));
  const ready = new Promise<number>((resolve) => ib.once(EventName.nextValidId, resolve));
  ib.connect(clientId);
  await ready;
  return { ib, codes };
}

const SPY = { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const option = (right: OptionType, strike: number) => ({
  ...SPY,
  secType: SecType.OPT,
  lastTradeDateOrContractMonth: "20260205",
  strike,
  right,
  multiplier: 100,
});

function snapshot(ib: IBApi, reqId: number, contract: object) {
  return new Promise<{ prices: Record<number, number>; model: number[] }>((resolve) => {
    const prices: Record<number, number> = {};
    let model: number[] = [];
    ib.on(EventName.tickPrice, (id, type, price) => {
      if (id === reqId) prices[type] = price;
    });
    ib.on(
      EventName.tickOptionComputation,
      (id, type, _a, iv, delta, optPrice, _pv, gamma, vega, theta, und) => {
        if (id === reqId && type === 13) model = [iv!, delta!, optPrice!, gamma!, vega!, theta!, und!];
      },
    );
    ib.on(EventName.tickSnapshotEnd, (id) => {
      if (id === reqId) resolve({ prices, model });
    });
    ib.reqMktData(reqId, contract, "", true, false);
  });
}

describe("the simulator speaks TWS to the real @stoqey/ib client (IBApi)", () => {
  it("hands out managed accounts, the next order id and the farm notices as info", async () => {
    const s = await sim();
    const { codes } = await client(s.port);
    await new Promise((r) => setTimeout(r, 100));
    expect(codes).toEqual([2104, 2106, 2107, 2158]);
  });

  it("serves 60 one-minute RTH bars for SPY ending at the simulated clock", async () => {
    const s = await sim();
    const { ib, codes } = await client(s.port);
    const bars = await new Promise<number[]>((resolve) => {
      const times: number[] = [];
      ib.on(EventName.historicalData, (_id, time) => {
        if (String(time).startsWith("finished")) resolve(times);
        else times.push(Number(time));
      });
      ib.reqHistoricalData(1, SPY, "", "3600 S", "1 min" as never, "TRADES", 1, 2, false);
    });
    expect(bars).toHaveLength(60);
    expect(bars[59]! * 1000).toBe(START - 60_000);
    expect(codes).not.toContain(505);
  });

  it("gives an option chain with expirations and strikes around the underlying", async () => {
    const s = await sim();
    const { ib } = await client(s.port);
    const chain = await new Promise<{ exps: string[]; strikes: number[] }>((resolve) => {
      ib.once(EventName.securityDefinitionOptionParameter, (_id, _ex, _c, _tc, _m, exps, strikes) =>
        resolve({ exps, strikes }),
      );
      ib.reqSecDefOptParams(3, "SPY", "", "STK", 756733);
    });
    expect(chain.exps[0]).toBe("20260204");
    expect(chain.strikes.length).toBeGreaterThan(50);
    expect(Math.min(...chain.strikes)).toBeLessThan(690);
    expect(Math.max(...chain.strikes)).toBeGreaterThan(690);
  });

  it("snapshots an ATM call and put with greeks of the right signs and put–call parity within a cent", async () => {
    const s = await sim();
    const { ib, codes } = await client(s.port);
    const und = await snapshot(ib, 10, SPY);
    const strike = Math.round(und.prices[4]!);
    const [call, put] = await Promise.all([
      snapshot(ib, 11, option(OptionType.Call, strike)),
      snapshot(ib, 12, option(OptionType.Put, strike)),
    ]);
    const [civ, cdelta, cprice, cgamma, cvega, ctheta, spot] = call.model as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const [, pdelta, pprice, pgamma, pvega, ptheta] = put.model as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    expect(civ).toBeGreaterThan(0);
    expect(cdelta).toBeGreaterThan(0);
    expect(pdelta).toBeLessThan(0);
    expect(cgamma).toBeGreaterThan(0);
    expect(pgamma).toBeGreaterThan(0);
    expect(cvega).toBeGreaterThan(0);
    expect(pvega).toBeGreaterThan(0);
    expect(ctheta).toBeLessThan(0);
    expect(ptheta).toBeLessThan(0);
    const years = (newYorkTimeToMs("2026-02-05", 16, 0) - START) / (365 * 86_400_000);
    expect(Math.abs(cprice - pprice - (spot - strike * Math.exp(-RISK_FREE_RATE * years)))).toBeLessThan(
      0.01,
    );
    expect(call.prices[1]!).toBeLessThan(call.prices[2]!);
    expect(codes).not.toContain(505);
  });

  it("fills a market order with an execution and a commission", async () => {
    const s = await sim();
    const { ib, codes } = await client(s.port);
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      ib.on(EventName.execDetails, (_r, _c, e) => seen.push(`exec ${e.side} ${e.shares}`));
      ib.on(EventName.orderStatus, (_id, status, filled) => seen.push(`status ${status} ${filled}`));
      ib.on(EventName.commissionReport, (r) => {
        seen.push(`commission ${r.commission}`);
        resolve();
      });
    });
    ib.placeOrder(1, option(OptionType.Call, 690), {
      action: OrderAction.BUY,
      orderType: OrderType.MKT,
      totalQuantity: 2,
      transmit: true,
    });
    await done;
    expect(seen).toEqual([
      "status PreSubmitted 0",
      "status Submitted 0",
      "exec BOT 2",
      "status Filled 2",
      "commission 1.3",
    ]);
    expect(codes).not.toContain(505);
  });

  it("keeps a non-marketable limit order working until cancelled: PreSubmitted, Submitted, PendingCancel, Cancelled, 202", async () => {
    const s = await sim();
    const { ib, codes } = await client(s.port);
    const statuses: string[] = [];
    ib.on(EventName.orderStatus, (_id, status) => statuses.push(String(status)));
    ib.placeOrder(5, option(OptionType.Call, 690), {
      action: OrderAction.BUY,
      orderType: OrderType.LMT,
      lmtPrice: 0.01,
      totalQuantity: 1,
      transmit: true,
    });
    await new Promise((r) => setTimeout(r, 100));
    ib.cancelOrder(5);
    await new Promise((r) => setTimeout(r, 200));
    expect(statuses).toEqual(["PreSubmitted", "Submitted", "PendingCancel", "Cancelled"]);
    expect(codes).toContain(202);
    expect(codes).not.toContain(505);
  });

  it("answers an unknown symbol with error 200 and keeps serving", async () => {
    const s = await sim();
    const { ib, codes } = await client(s.port);
    await new Promise<void>((resolve) => {
      ib.once(EventName.error, () => resolve());
      ib.reqMktData(20, { ...SPY, symbol: "NOPE" }, "", true, false);
    });
    expect(codes).toContain(200);
    const und = await snapshot(ib, 21, SPY);
    expect(und.prices[1]).toBeGreaterThan(0);
  });
});

describe("the simulator with IBApiNext (RxJS)", () => {
  it("serves historical bars and a snapshot through the observable API", async () => {
    const s = await sim();
    const api = new IBApiNext({ host: "127.0.0.1", port: s.port });
    api.connect(11);
    try {
      const bars = await api.getHistoricalData(SPY, "", "3600 S", "1 min" as never, "TRADES", 1, 1);
      expect(bars).toHaveLength(60);
      const ticks = await api.getMarketDataSnapshot(SPY, "", false);
      expect(ticks.size).toBeGreaterThan(0);
    } finally {
      api.disconnect();
    }
  });
});

describe("faults arrive as the real gateway's codes", () => {
  it("162 pacing violation after N historical requests", async () => {
    const s = await sim({ scenario: { pacing: { maxRequests: 2, windowSeconds: 600 } } });
    const { ib, codes } = await client(s.port);
    for (let i = 0; i < 3; i++)
      ib.reqHistoricalData(30 + i, SPY, "", "3600 S", "1 min" as never, "TRADES", 1, 2, false);
    await new Promise((r) => setTimeout(r, 300));
    expect(codes).toContain(162);
  });

  it("326 client id in use, then the socket closes", async () => {
    const s = await sim({ scenario: { clientIdInUse: [9] } });
    const ib = new IBApi({ host: "127.0.0.1", port: s.port });
    clients.push(ib);
    const result = await new Promise<{ code: number; closed: boolean }>((resolve) => {
      let code = 0;
      ib.on(EventName.info, (_m, c) => {
        if (c === 326) code = c;
      });
      ib.on(EventName.disconnected, () => resolve({ code, closed: true }));
      ib.connect(9);
    });
    expect(result).toEqual({ code: 326, closed: true });
  });

  it("1100 connectivity lost, then 1102 restored", async () => {
    const s = await sim({ scenario: { connectivityLost: { afterRequests: 1, restoreAfterMs: 50 } } });
    const { ib, codes } = await client(s.port);
    ib.reqCurrentTime();
    await new Promise((r) => setTimeout(r, 300));
    expect(codes).toEqual(expect.arrayContaining([1100, 1102]));
  });

  it("10197 competing live session on market data", async () => {
    const s = await sim({ scenario: { competingSession: { fromRequest: 1, count: 1 } } });
    const { ib, codes } = await client(s.port);
    ib.reqMktData(40, SPY, "", true, false);
    await new Promise((r) => setTimeout(r, 200));
    expect(codes).toContain(10197);
  });

  it("streaming (non-snapshot) market data floods the client and warns, with the flood fault on", async () => {
    const s = await sim({ scenario: { streamingFlood: true } });
    const { ib, codes } = await client(s.port);
    let ticks = 0;
    ib.on(EventName.tickPrice, () => ticks++);
    // The warning follows the flood: waiting for it, not for a time, sees every tick.
    const warned = new Promise<void>((resolve) =>
      ib.on(EventName.info, (_m, code) => code === 2100 && resolve()),
    );
    ib.reqMktData(41, SPY, "", false, false);
    await warned;
    expect(ticks).toBeGreaterThan(300);
    expect(codes).toContain(2100);
  });

  it("one streaming subscription does not flood by default: the ticks once, no 2100", async () => {
    const s = await sim();
    const { ib, codes } = await client(s.port);
    let ticks = 0;
    ib.on(EventName.tickPrice, (id) => id === 42 && ticks++);
    // A snapshot after it on the same socket: its end proves the streaming answer has all arrived.
    const ended = new Promise<void>((resolve) =>
      ib.on(EventName.tickSnapshotEnd, (id) => id === 43 && resolve()),
    );
    ib.reqMktData(42, SPY, "", false, false);
    ib.reqMktData(43, SPY, "", true, false);
    await ended;
    // bid, ask, last, then open, high, low, close
    expect(ticks).toBe(7);
    expect(codes).not.toContain(2100);
  });

  it("a dropped connection closes the socket; a request that is never answered stays silent", async () => {
    const s = await sim({ scenario: { dropAfterRequests: 2, unanswered: { kind: "historical", nth: 1 } } });
    const { ib } = await client(s.port);
    let answered = false;
    ib.on(EventName.historicalData, () => {
      answered = true;
    });
    const closed = new Promise<void>((resolve) => ib.once(EventName.disconnected, () => resolve()));
    ib.reqHistoricalData(50, SPY, "", "3600 S", "1 min" as never, "TRADES", 1, 2, false);
    ib.reqCurrentTime();
    await closed;
    expect(answered).toBe(false);
  });
});

describe("determinism", () => {
  it("two simulators with the same seed send identical bytes for the same session", async () => {
    const script = async (): Promise<Buffer> => {
      const s = await sim({ realNowMs: () => 0 });
      const socket = new Socket();
      const chunks: Buffer[] = [];
      socket.on("data", (c) => chunks.push(c));
      await new Promise<void>((resolve) => socket.connect(s.port, "127.0.0.1", resolve));
      const hello = Buffer.from("v100..193");
      const prefix = Buffer.alloc(8);
      prefix.write("API\0", 0, "latin1");
      prefix.writeUInt32BE(hello.length, 4);
      socket.write(Buffer.concat([prefix, hello]));
      socket.write(encodeMessage([71, 2, 5, ""]));
      socket.write(
        encodeMessage([
          20,
          1,
          0,
          "SPY",
          "STK",
          "",
          0,
          "",
          "",
          "SMART",
          "",
          "USD",
          "",
          "",
          0,
          "",
          "1 min",
          "3600 S",
          1,
          "TRADES",
          2,
          0,
          "",
        ]),
      );
      socket.write(encodeMessage([78, 2, "SPY", "", "STK", 756733]));
      socket.write(
        encodeMessage([
          1,
          11,
          3,
          0,
          "SPY",
          "OPT",
          "20260205",
          690,
          "C",
          100,
          "SMART",
          "",
          "USD",
          "",
          "",
          0,
          "",
          1,
          0,
          "",
        ]),
      );
      await new Promise((r) => setTimeout(r, 300));
      socket.destroy();
      return Buffer.concat(chunks);
    };
    const a = await script();
    const b = await script();
    expect(a.length).toBeGreaterThan(1000);
    expect(a.equals(b)).toBe(true);
  });

  it("Black–Scholes keeps put–call parity and greek signs for any inputs", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 50, max: 1000, noNaN: true }),
        fc.double({ min: 0.7, max: 1.3, noNaN: true }),
        fc.double({ min: 0.001, max: 2, noNaN: true }),
        fc.double({ min: 0.05, max: 1.5, noNaN: true }),
        (S, moneyness, T, vol) => {
          const K = S * moneyness;
          const c = blackScholes("C", S, K, T, RISK_FREE_RATE, vol);
          const p = blackScholes("P", S, K, T, RISK_FREE_RATE, vol);
          expect(c.price - p.price).toBeCloseTo(S - K * Math.exp(-RISK_FREE_RATE * T), 6);
          expect(c.delta).toBeGreaterThanOrEqual(0);
          expect(p.delta).toBeLessThanOrEqual(0);
          expect(c.gamma).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
