/**
 * Streaming market data (reqMktData without snapshot) as a gateway streams it: the line, then the
 * ticks that change as the market moves, until cancelMktData — through the real @stoqey/ib client
 * over TCP (ib_async's streaming tickers never moved against the simulator). The simulated clock
 * moves only when the test moves it, so nothing depends on how fast the machine is.
 */
import { EventName, IBApi, OptionType, SecType } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import { SimMarket } from "../../src/sim/market/index.js";

const sims: Simulator[] = [];
const clients: IBApi[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of sims.splice(0)) await s.close();
});

const START = newYorkTimeToMs("2026-02-04", 10, 30);
const SPY = { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const CALL = {
  ...SPY,
  secType: SecType.OPT,
  lastTradeDateOrContractMonth: "20260220",
  strike: Math.round(new SimMarket(42).priceAt("SPY", START)),
  right: OptionType.Call,
  multiplier: 100,
};

type Tick = { reqId: number; kind: "price" | "size" | "option"; tickType: number; value: number };

async function setUp() {
  let realMs = 0;
  const sim = await startSimulator({
    seed: 42,
    startMs: START,
    realNowMs: () => realMs,
    scenario: { snapshotDelayMs: 1 },
  });
  sims.push(sim);
  const ib = new IBApi({ host: "127.0.0.1", port: sim.port });
  clients.push(ib);
  const ready = new Promise<number>((resolve) => ib.once(EventName.nextValidId, resolve));
  ib.connect(4);
  await ready;
  const ticks: Tick[] = [];
  const waiting: (() => void)[] = [];
  const push = (t: Tick) => {
    ticks.push(t);
    for (const w of waiting.splice(0)) w();
  };
  ib.on(EventName.tickPrice, (reqId, tickType, value) =>
    push({ reqId, kind: "price", tickType, value: value! }),
  );
  ib.on(EventName.tickSize, (reqId, tickType, value) =>
    push({ reqId, kind: "size", tickType: tickType!, value: value! }),
  );
  ib.on(EventName.tickOptionComputation, (reqId, tickType, _attrib, _iv, delta) =>
    push({ reqId, kind: "option", tickType, value: delta! }),
  );
  /** Resolve once some tick after the first `from` satisfies `match`. */
  const tick = async (from: number, match: (t: Tick) => boolean): Promise<Tick> => {
    for (;;) {
      const hit = ticks.slice(from).find(match);
      if (hit) return hit;
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  const roundTrip = () =>
    new Promise<void>((resolve) => {
      ib.once(EventName.currentTime, () => resolve());
      ib.reqCurrentTime();
    });
  const advance = (ms: number) => {
    realMs += ms;
  };
  return { ib, ticks, tick, roundTrip, advance };
}

/** A snapshot's prices by tick type. */
function snapshot(ib: IBApi, reqId: number, contract: object): Promise<Record<number, number>> {
  return new Promise((resolve) => {
    const prices: Record<number, number> = {};
    ib.on(EventName.tickPrice, (id, type, price) => {
      if (id === reqId) prices[type] = price!;
    });
    ib.on(EventName.tickSnapshotEnd, (id) => id === reqId && resolve(prices));
    ib.reqMktData(reqId, contract, "", true, false);
  });
}

describe("streaming market data", () => {
  it("sends what changes as the clock moves (quotes, volume, an option's greeks), as a snapshot then shows it, and nothing after cancelMktData", async () => {
    const { ib, ticks, tick, roundTrip, advance } = await setUp();
    ib.reqMktData(1, SPY, "", false, false);
    ib.reqMktData(2, CALL, "", false, false);
    const firstVolume = await tick(0, (t) => t.reqId === 1 && t.kind === "size" && t.tickType === 8);
    await tick(0, (t) => t.reqId === 2 && t.kind === "option" && t.tickType === 13 && t.value > -2);
    await roundTrip();
    const before = ticks.length;
    advance(10 * 60_000);
    const volume = await tick(before, (t) => t.reqId === 1 && t.kind === "size" && t.tickType === 8);
    expect(volume.value).toBeGreaterThan(firstVolume.value);
    const bid = await tick(before, (t) => t.reqId === 1 && t.kind === "price" && t.tickType === 1);
    await tick(before, (t) => t.reqId === 2 && t.kind === "option" && t.tickType === 13);
    // The streamed quote is the market now: a snapshot at the same instant agrees.
    expect((await snapshot(ib, 3, SPY))[1]).toBe(bid.value);

    ib.cancelMktData(1);
    await roundTrip();
    const cancelled = ticks.length;
    advance(10 * 60_000);
    // The option's line still streams; its update comes on the beat that would carry the stock's.
    await tick(cancelled, (t) => t.reqId === 2 && t.kind === "option" && t.tickType === 13);
    await roundTrip();
    expect(ticks.slice(cancelled).filter((t) => t.reqId === 1)).toEqual([]);
  });
});
