/**
 * Historical data as IB serves it, each a round trip through the real @stoqey/ib client over TCP:
 * the duration is a window ending at endDateTime, bar sizes aggregate the minute bars, useRTH
 * keeps the regular session, whatToShow picks trades or quotes, IB's refusals and pacing come back
 * on the request id. The simulator's clock is frozen (an injected real-time source), so no test
 * depends on how fast the machine answers.
 */
import { Socket } from "node:net";
import { EventName, IBApi, SecType } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { newYorkParts, newYorkTimeToMs } from "../../src/events/index.js";
import {
  encodeMessage,
  FrameReader,
  javaDouble,
  type Simulator,
  startSimulator,
} from "../../src/sim/index.js";
import {
  barsOf,
  errorOf,
  type HistoryBar,
  type HistoryQuery,
  requestHistory,
} from "../support/ib-history.js";

const sims: Simulator[] = [];
const clients: IBApi[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of sims.splice(0)) await s.close();
});

/** A simulator whose clock stands still at `date hh:mm` New York. */
async function frozenAt(date: string, hour: number, minute: number): Promise<Simulator> {
  const s = await startSimulator({
    seed: 42,
    startMs: newYorkTimeToMs(date, hour, minute),
    realNowMs: () => 0,
  });
  sims.push(s);
  return s;
}

async function client(port: number): Promise<IBApi> {
  const ib = new IBApi({ host: "127.0.0.1", port });
  clients.push(ib);
  const ready = new Promise<number>((resolve) => ib.once(EventName.nextValidId, resolve));
  ib.connect(7);
  await ready;
  return ib;
}

const stock = (symbol: string) => ({ symbol, secType: SecType.STK, exchange: "SMART", currency: "USD" });
const SPY = stock("SPY");

type Bar = HistoryBar;

/** One request (SPY unless said), its bars or the error on its id. */
const history = (ib: IBApi, q: Omit<HistoryQuery, "contract"> & { contract?: object }) =>
  requestHistory(ib, { ...q, contract: q.contract ?? SPY });

/** `HH:MM` New York of a formatDate-2 bar. */
const hhmm = (b: Bar) => {
  const p = newYorkParts(Number(b.time) * 1000);
  return `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
};
const dateOf = (b: Bar) => newYorkParts(Number(b.time) * 1000).date;

/** The reference fold of minute bars into one: open first, high max, low min, close last, volume summed. */
function fold(bars: Bar[]) {
  const volume = bars.reduce((n, b) => n + b.volume, 0);
  return {
    open: bars[0]!.open,
    high: Math.max(...bars.map((b) => b.high)),
    low: Math.min(...bars.map((b) => b.low)),
    close: bars[bars.length - 1]!.close,
    volume,
    count: bars.reduce((n, b) => n + b.count, 0),
    wap: bars.reduce((s, b) => s + b.wap * b.volume, 0) / volume,
  };
}

describe("the duration is a window ending at endDateTime", () => {
  it("at 10:00, 3600 S of 1-minute RTH bars is that morning's 30 bars, 09:30–09:59, not the previous afternoon", async () => {
    const ib = await client((await frozenAt("2026-02-04", 10, 0)).port);
    const bars = barsOf(await history(ib, { duration: "3600 S", barSize: "1 min" }));
    expect(bars).toHaveLength(30);
    expect(bars.map(hhmm)[0]).toBe("09:30");
    expect(bars.map(hhmm).at(-1)).toBe("09:59");
    expect(new Set(bars.map(dateOf))).toEqual(new Set(["2026-02-04"]));
    // Consecutive minutes, each opening where the last closed (one path).
    for (let i = 1; i < bars.length; i++) {
      expect(Number(bars[i]!.time) - Number(bars[i - 1]!.time)).toBe(60);
      expect(bars[i]!.open).toBe(bars[i - 1]!.close);
    }
  });

  it("a minute still forming is not served; before the open with useRTH the window has no data (162 on the id)", async () => {
    const at = await frozenAt("2026-02-04", 9, 36);
    const ib = await client(at.port);
    const bars = barsOf(await history(ib, { duration: "3600 S", barSize: "1 min" }));
    expect(bars.map(hhmm)).toEqual(["09:30", "09:31", "09:32", "09:33", "09:34", "09:35"]);
    const early = await client((await frozenAt("2026-02-04", 9, 0)).port);
    const none = errorOf(await history(early, { duration: "1800 S", barSize: "1 min" }));
    expect(none.code).toBe(162);
    expect(none.text).toContain("HMDS query returned no data");
  });

  it("an explicit endDateTime in New York, with a zone, or in UTC names the same window; past now it ends now", async () => {
    const ib = await client((await frozenAt("2026-02-04", 11, 0)).port);
    const local = barsOf(
      await history(ib, { end: "20260203 16:00:00", duration: "3600 S", barSize: "1 min" }),
    );
    const zoned = barsOf(
      await history(ib, { end: "20260203 16:00:00 US/Eastern", duration: "3600 S", barSize: "1 min" }),
    );
    const utc = barsOf(await history(ib, { end: "20260203-21:00:00", duration: "3600 S", barSize: "1 min" }));
    expect(local).toHaveLength(60);
    expect(local.map(hhmm)[0]).toBe("15:00");
    expect(local.map(hhmm).at(-1)).toBe("15:59");
    expect(new Set(local.map(dateOf))).toEqual(new Set(["2026-02-03"]));
    expect(zoned).toEqual(local);
    expect(utc).toEqual(local);
    const future = barsOf(
      await history(ib, { end: "20260204 15:00:00", duration: "1800 S", barSize: "1 min" }),
    );
    const now = barsOf(await history(ib, { duration: "1800 S", barSize: "1 min", what: "TRADES", rth: 1 }));
    expect(future.map(hhmm).at(-1)).toBe("10:59");
    expect(future).toEqual(now);
    const bad = errorOf(await history(ib, { end: "2026-02-03 16:00", duration: "3600 S", barSize: "1 min" }));
    expect(bad.code).toBe(321);
  });

  it("1 D is the day's session from its open; 2 D adds the trading day before (a weekend skipped)", async () => {
    const ib = await client((await frozenAt("2026-02-09", 10, 0)).port);
    const day = barsOf(await history(ib, { duration: "1 D", barSize: "1 min" }));
    expect(day.map(hhmm)[0]).toBe("09:30");
    expect(day).toHaveLength(30);
    const two = barsOf(await history(ib, { duration: "2 D", barSize: "5 mins" }));
    expect(new Set(two.map(dateOf))).toEqual(new Set(["2026-02-06", "2026-02-09"]));
    expect(two.filter((b) => dateOf(b) === "2026-02-06")).toHaveLength(78);
  });
});

describe("bar sizes aggregate the minute bars", () => {
  it("1 hour and 15 mins bars are the folds of the minute bars they cover (clock-aligned, the first from 09:30)", async () => {
    const ib = await client((await frozenAt("2026-02-04", 12, 0)).port);
    const minutes = barsOf(await history(ib, { duration: "1 D", barSize: "1 min" }));
    expect(minutes).toHaveLength(150);
    const hours = barsOf(await history(ib, { duration: "1 D", barSize: "1 hour" }));
    expect(hours.map(hhmm)).toEqual(["09:30", "10:00", "11:00"]);
    const groups = [minutes.slice(0, 30), minutes.slice(30, 90), minutes.slice(90, 150)];
    hours.forEach((h, i) => {
      const f = fold(groups[i]!);
      expect({ ...h, time: undefined, wap: undefined }).toEqual({ ...f, time: undefined, wap: undefined });
      expect(h.wap).toBeCloseTo(f.wap, 2);
    });
    const quarters = barsOf(await history(ib, { duration: "1 D", barSize: "15 mins" }));
    expect(quarters).toHaveLength(10);
    expect(quarters.map(hhmm).slice(0, 3)).toEqual(["09:30", "09:45", "10:00"]);
    expect(quarters[1]!.volume).toBe(fold(minutes.slice(15, 30)).volume);
  });

  it("1 D of 1 hour bars at the close is seven bars, not 390 minutes; 2 W of 1 day bars is ten days dated yyyyMMdd", async () => {
    const ib = await client((await frozenAt("2026-02-04", 16, 30)).port);
    const hours = barsOf(await history(ib, { duration: "1 D", barSize: "1 hour" }));
    expect(hours).toHaveLength(7);
    const days = barsOf(await history(ib, { duration: "2 W", barSize: "1 day", formatDate: 1 }));
    expect(days).toHaveLength(10);
    expect(days.at(-1)!.time).toBe("20260204");
    const minutes = barsOf(await history(ib, { duration: "1 D", barSize: "1 min" }));
    expect(days.at(-1)!.volume).toBe(fold(minutes).volume);
    expect(days.at(-1)!.high).toBe(fold(minutes).high);
  });

  it("n D of 1 day bars is n trading days with today's bar so far (ib_async's 1 D / 1 day got no data)", async () => {
    const ib = await client((await frozenAt("2026-02-04", 10, 30)).port);
    const today = barsOf(await history(ib, { duration: "1 D", barSize: "1 day" }));
    expect(today.map((b) => b.time)).toEqual(["20260204"]);
    expect(today[0]!.volume).toBe(
      fold(barsOf(await history(ib, { duration: "1 D", barSize: "1 min" }))).volume,
    );
    const week = barsOf(await history(ib, { duration: "5 D", barSize: "1 day" }));
    expect(week.map((b) => b.time)).toEqual(["20260129", "20260130", "20260202", "20260203", "20260204"]);
    const withExtended = barsOf(await history(ib, { duration: "1 D", barSize: "1 day", rth: 0 }));
    expect(withExtended.map((b) => b.time)).toEqual(["20260204"]);
  });

  it("30 secs bars split the minute and fold back into it", async () => {
    const ib = await client((await frozenAt("2026-02-04", 10, 0)).port);
    const halves = barsOf(await history(ib, { duration: "600 S", barSize: "30 secs" }));
    const minutes = barsOf(await history(ib, { duration: "600 S", barSize: "1 min" }));
    expect(halves).toHaveLength(20);
    minutes.forEach((m, i) => {
      const f = fold(halves.slice(2 * i, 2 * i + 2));
      expect([f.open, f.high, f.low, f.close, f.volume, f.count]).toEqual([
        m.open,
        m.high,
        m.low,
        m.close,
        m.volume,
        m.count,
      ]);
    });
  });
});

describe("useRTH", () => {
  it("0 adds the pre-market from 04:00 (the stock's trading hours); 1 keeps 09:30 on", async () => {
    const ib = await client((await frozenAt("2026-02-04", 10, 0)).port);
    const all = barsOf(await history(ib, { duration: "3600 S", barSize: "1 min", rth: 0 }));
    expect(all).toHaveLength(60);
    expect(all.map(hhmm)[0]).toBe("09:00");
    const rth = barsOf(await history(ib, { duration: "3600 S", barSize: "1 min", rth: 1 }));
    expect(all.slice(30)).toEqual(rth);
    const day = barsOf(await history(ib, { duration: "1 D", barSize: "1 hour", rth: 0 }));
    expect(day.map(hhmm)[0]).toBe("04:00");
    // Thin extended-hours prints: less volume in a pre-market hour than in the first RTH half hour.
    expect(day[0]!.volume).toBeLessThan(fold(rth).volume);
  });

  it("the calendar's early close ends the session at 13:00 and the after-hours at 17:00; a holiday has no bars", async () => {
    const ib = await client((await frozenAt("2026-11-27", 18, 0)).port);
    const rth = barsOf(await history(ib, { duration: "1 D", barSize: "1 min" }));
    expect(rth.map(hhmm).at(-1)).toBe("12:59");
    const all = barsOf(await history(ib, { duration: "1 D", barSize: "1 hour", rth: 0 }));
    expect(all.map(hhmm).at(-1)).toBe("16:00");
    const holiday = await client((await frozenAt("2026-11-26", 12, 0)).port);
    const thanksgiving = errorOf(
      await history(holiday, { end: "20261126 12:00:00", duration: "3600 S", barSize: "1 min" }),
    );
    expect(thanksgiving.code).toBe(162);
  });
});

describe("whatToShow", () => {
  it("BID and ASK are a cent either side of the trades, MIDPOINT on them; quote bars carry no volume", async () => {
    const ib = await client((await frozenAt("2026-02-04", 10, 0)).port);
    const q = { duration: "600 S", barSize: "1 min" };
    const trades = barsOf(await history(ib, q));
    const bid = barsOf(await history(ib, { ...q, what: "BID" }));
    const ask = barsOf(await history(ib, { ...q, what: "ASK" }));
    const mid = barsOf(await history(ib, { ...q, what: "MIDPOINT" }));
    const both = barsOf(await history(ib, { ...q, what: "BID_ASK" }));
    trades.forEach((t, i) => {
      expect(bid[i]!.close).toBeCloseTo(t.close - 0.01, 6);
      expect(ask[i]!.close).toBeCloseTo(t.close + 0.01, 6);
      expect(mid[i]!.close).toBe(t.close);
      expect(both[i]!.high).toBeCloseTo(t.high + 0.01, 6);
      expect(both[i]!.low).toBeCloseTo(t.low - 0.01, 6);
      expect(bid[i]!.time).toBe(t.time);
    });
    for (const b of [...bid, ...ask, ...mid, ...both]) expect([b.volume, b.wap]).toEqual([-1, -1]);
  });

  it("a value IB refuses, an unknown bar size, a bad duration and too many bars get 321/162 on that id", async () => {
    const ib = await client((await frozenAt("2026-02-04", 10, 0)).port);
    const what = errorOf(await history(ib, { duration: "3600 S", barSize: "1 min", what: "ADJUSTED_LAST" }));
    expect(what.code).toBe(321);
    const size = errorOf(await history(ib, { duration: "3600 S", barSize: "1 sec" }));
    expect(size).toEqual({
      code: 321,
      text: expect.stringContaining("Historical data bar size setting is invalid. Legal ones are: 1 secs,"),
    });
    const duration = errorOf(await history(ib, { duration: "60", barSize: "1 min" }));
    expect(duration.code).toBe(321);
    const tooMany = errorOf(await history(ib, { duration: "1 D", barSize: "1 secs" }));
    expect(tooMany).toEqual({ code: 162, text: expect.stringContaining("Time length exceed max") });
    const year = errorOf(await history(ib, { duration: "1 Y", barSize: "1 hour" }));
    expect(year.code).toBe(162);
    // The connection still serves the next request.
    expect(barsOf(await history(ib, { duration: "1 Y", barSize: "1 day" })).length).toBeGreaterThan(240);
  });
});

describe("formatDate", () => {
  it("1 writes yyyyMMdd HH:mm:ss US/Eastern, 2 epoch seconds, for the same bars", async () => {
    const ib = await client((await frozenAt("2026-02-04", 10, 0)).port);
    const text = barsOf(await history(ib, { duration: "120 S", barSize: "1 min", formatDate: 1 }));
    const epoch = barsOf(await history(ib, { duration: "120 S", barSize: "1 min", formatDate: 2 }));
    expect(text.map((b) => b.time)).toEqual(["20260204 09:58:00 US/Eastern", "20260204 09:59:00 US/Eastern"]);
    expect(epoch.map((b) => Number(b.time) * 1000)).toEqual([
      newYorkTimeToMs("2026-02-04", 9, 58),
      newYorkTimeToMs("2026-02-04", 9, 59),
    ]);
  });
});

describe("pacing of small bars (IB's three rules), on the simulator's clock", () => {
  it("an identical request within 15 s gets 162; a different one, or 1-minute bars, do not", async () => {
    const ib = await client((await frozenAt("2026-02-04", 10, 0)).port);
    const q = { duration: "300 S", barSize: "30 secs" };
    barsOf(await history(ib, q));
    const again = errorOf(await history(ib, q));
    expect(again).toEqual({ code: 162, text: expect.stringContaining("pacing violation") });
    barsOf(await history(ib, { ...q, duration: "240 S" }));
    const minute = { duration: "300 S", barSize: "1 min" };
    barsOf(await history(ib, minute));
    barsOf(await history(ib, minute));
  });

  it("the sixth request for the same contract and tick type within 2 s gets 162; another contract does not", async () => {
    const ib = await client((await frozenAt("2026-02-04", 10, 0)).port);
    for (const duration of ["60 S", "120 S", "180 S", "240 S", "300 S"])
      barsOf(await history(ib, { duration, barSize: "5 secs" }));
    expect(errorOf(await history(ib, { duration: "360 S", barSize: "5 secs" })).code).toBe(162);
    barsOf(await history(ib, { contract: stock("QQQ"), duration: "360 S", barSize: "5 secs" }));
  });

  it("more than 60 small-bar requests in ten minutes: the 61st gets 162", async () => {
    const ib = await client((await frozenAt("2026-02-04", 10, 0)).port);
    let served = 0;
    for (const symbol of ["SPY", "QQQ", "IWM"])
      for (const what of ["TRADES", "MIDPOINT", "BID", "ASK"])
        for (const duration of ["60 S", "120 S", "180 S", "240 S", "300 S"])
          if ("bars" in (await history(ib, { contract: stock(symbol), duration, barSize: "10 secs", what })))
            served += 1;
    expect(served).toBe(60);
    const over = errorOf(await history(ib, { contract: stock("IWM"), duration: "90 S", barSize: "15 secs" }));
    expect(over.code).toBe(162);
  });

  it("the scenario's pacing fault still refuses 1-minute requests beyond its count", async () => {
    const s = await startSimulator({
      seed: 42,
      startMs: newYorkTimeToMs("2026-02-04", 10, 0),
      realNowMs: () => 0,
      scenario: { pacing: { maxRequests: 2, windowSeconds: 600 } },
    });
    sims.push(s);
    const ib = await client(s.port);
    const q = { duration: "3600 S", barSize: "1 min" };
    barsOf(await history(ib, q));
    barsOf(await history(ib, q));
    expect(errorOf(await history(ib, q)).code).toBe(162);
  });
});

describe("the bars' prices on the wire", () => {
  it("are written in the shortest form real captures show (254.2, not 254.20), WAP included", async () => {
    const s = await frozenAt("2026-02-04", 10, 30);
    const socket = new Socket();
    await new Promise<void>((resolve) => socket.connect(s.port, "127.0.0.1", resolve));
    try {
      const reader = new FrameReader();
      let primed = false;
      const frames: string[][] = [];
      let wake: (() => void) | null = null;
      socket.on("data", (chunk: Buffer) => {
        // The server's first frame (version, time) has no hello before it: prime the reader.
        if (!primed) reader.push(Buffer.from("API\0\0\0\0\0", "latin1"));
        primed = true;
        frames.push(...reader.push(chunk));
        wake?.();
      });
      const until = async (test: (f: string[]) => boolean) => {
        while (!frames.some(test)) await new Promise<void>((r) => (wake = r));
        return frames.find(test)!;
      };
      const hello = Buffer.from("v100..193");
      const prefix = Buffer.alloc(8);
      prefix.write("API\0", 0, "latin1");
      prefix.writeUInt32BE(hello.length, 4);
      socket.write(Buffer.concat([prefix, hello]));
      socket.write(encodeMessage([71, 2, 1, ""]));
      await until((f) => f[0] === "9");
      // REQ_HISTORICAL_DATA at 193: reqId, the contract, includeExpired, end, bar size, duration, useRTH, whatToShow, formatDate, keepUpToDate, chartOptions.
      socket.write(
        encodeMessage([
          20,
          5,
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
      const frame = await until((f) => f[0] === "17" && f[1] === "5");
      const n = Number(frame[4]);
      expect(n).toBe(60);
      const prices: string[] = [];
      for (let i = 0; i < n; i++) {
        const bar = frame.slice(5 + i * 8, 13 + i * 8);
        prices.push(bar[1]!, bar[2]!, bar[3]!, bar[4]!, bar[6]!);
      }
      for (const p of prices) expect(javaDouble(Number(p)), p).toBe(p);
      // Some prices end in a zero cent: those are the ones a padded form would give away.
      expect(prices.some((p) => /^\d+\.\d$/.test(p))).toBe(true);
    } finally {
      socket.destroy();
    }
  });
});
