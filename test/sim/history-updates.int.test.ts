/**
 * keepUpToDate historical requests, as a real gateway serves them: the bars, then
 * HISTORICAL_DATA_UPDATE with the bar under way until the request is cancelled — through the real
 * @stoqey/ib client over TCP (ib_async's bar lists never moved against the simulator). The
 * simulated clock moves only when the test moves it, so nothing depends on how fast the machine is.
 */
import { EventName, IBApi, SecType } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import type { HistoryBar } from "../support/ib-history.js";

const sims: Simulator[] = [];
const clients: IBApi[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of sims.splice(0)) await s.close();
});

const SPY = { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" };

type Bar = HistoryBar;

/** A simulator at 10:30:30 New York whose clock moves by `advance` (simulated = real ms). */
async function setUp() {
  let realMs = 0;
  const sim = await startSimulator({
    seed: 42,
    startMs: newYorkTimeToMs("2026-02-04", 10, 30) + 30_000,
    realNowMs: () => realMs,
  });
  sims.push(sim);
  const ib = new IBApi({ host: "127.0.0.1", port: sim.port });
  clients.push(ib);
  const ready = new Promise<number>((resolve) => ib.once(EventName.nextValidId, resolve));
  ib.connect(3);
  await ready;
  const updates: { reqId: number; bar: Bar }[] = [];
  const waiting: (() => void)[] = [];
  ib.on(EventName.historicalDataUpdate, (reqId, time, open, high, low, close, volume, count, wap) => {
    updates.push({ reqId, bar: { time, open, high, low, close, volume, count, wap } as Bar });
    for (const w of waiting.splice(0)) w();
  });
  /** The next update on `reqId` after the `seen` first ones. */
  const update = async (reqId: number, seen: number): Promise<Bar> => {
    for (;;) {
      const mine = updates.filter((u) => u.reqId === reqId);
      if (mine.length > seen) return mine[seen]!.bar;
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  const advance = (ms: number) => {
    realMs += ms;
  };
  return { ib, updates, update, advance };
}

/** The bars of one request, up to the client's "finished" marker. */
function bars(ib: IBApi, reqId: number, keepUpToDate: boolean): Promise<Bar[]> {
  return new Promise((resolve, reject) => {
    const out: Bar[] = [];
    ib.on(EventName.historicalData, (id, time, open, high, low, close, volume, count, wap) => {
      if (id !== reqId) return;
      if (String(time).startsWith("finished")) resolve(out);
      else out.push({ time, open, high, low, close, volume, count, wap } as Bar);
    });
    ib.on(EventName.error, (err, code, id) => {
      if (id === reqId) reject(new Error(`${code} ${err.message}`));
    });
    ib.reqHistoricalData(reqId, SPY, "", "1800 S", "1 min" as never, "TRADES" as never, 1, 2, keepUpToDate);
  });
}

describe("keepUpToDate", () => {
  it("sends the bar under way after the bars, a new bar as each minute completes, and nothing after the cancel", async () => {
    const { ib, updates, update, advance } = await setUp();
    const first = await bars(ib, 1, true);
    expect(first).toHaveLength(30);
    // At once: the bar under way is the last completed minute's, 10:29.
    expect(await update(1, 0)).toEqual(first.at(-1));
    advance(60_000);
    const next = await update(1, 1);
    expect(Number(next.time) - Number(first.at(-1)!.time)).toBe(60);
    // The same bar a request now returns.
    expect((await bars(ib, 2, false)).at(-1)).toEqual(next);

    ib.cancelHistoricalData(1);
    // A round trip: the gateway has read the cancel before the clock moves on.
    await new Promise<void>((resolve) => {
      ib.once(EventName.currentTime, () => resolve());
      ib.reqCurrentTime();
    });
    advance(60_000);
    // A second subscription's first update comes on the same beat as the cancelled one's would.
    await bars(ib, 3, true);
    await update(3, 0);
    expect(updates.filter((u) => u.reqId === 1)).toHaveLength(2);
  });
});
