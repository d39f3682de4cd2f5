/**
 * An option's historical bars as IB's HMDS serves them for a live contract, each a round trip
 * through the real @stoqey/ib client over TCP: priced from the underlying's bars with the model the
 * snapshots use, in the regular session only, quote sides in order, the underlying's volatilities
 * refused, an expired option refused, and a head timestamp where its history starts. The
 * simulator's clock is frozen, so no test depends on how fast the machine answers.
 */
import { EventName, IBApi, OptionType, SecType, WhatToShow } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { newYorkParts, newYorkTimeToMs } from "../../src/events/index.js";
import { type Simulator, startSimulator } from "../../src/sim/index.js";
import { regularHours, SimMarket } from "../../src/sim/market/index.js";
import {
  barsOf,
  errorOf,
  type HistoryBar,
  type HistoryQuery,
  requestHistory,
} from "../support/ib-history.js";

const SEED = 42;
const sims: Simulator[] = [];
const clients: IBApi[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of sims.splice(0)) await s.close();
});

/** A simulator whose clock stands still at `date hh:mm` New York, and a client connected to it. */
async function frozenAt(date: string, hour: number, minute: number): Promise<IBApi> {
  const s = await startSimulator({
    seed: SEED,
    startMs: newYorkTimeToMs(date, hour, minute),
    realNowMs: () => 0,
  });
  sims.push(s);
  const ib = new IBApi({ host: "127.0.0.1", port: s.port });
  clients.push(ib);
  const ready = new Promise<number>((resolve) => ib.once(EventName.nextValidId, resolve));
  ib.connect(7);
  await ready;
  return ib;
}

const SPY = { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const option = (expiry: string, strike: number, right: OptionType, extra: object = {}) => ({
  ...SPY,
  secType: SecType.OPT,
  lastTradeDateOrContractMonth: expiry,
  strike,
  right,
  multiplier: 100,
  ...extra,
});

/** A bar with its time as epoch seconds (formatDate 2). */
type Bar = Omit<HistoryBar, "time"> & { time: number };
type Answer = { bars: Bar[] } | { error: { code: number; text: string } };

/** One request, its bars (times in epoch seconds) or the error on its id. */
async function history(ib: IBApi, q: HistoryQuery & { what: string }): Promise<Answer> {
  const answer = await requestHistory(ib, { ...q, formatDate: 2 });
  return "error" in answer ? answer : { bars: answer.bars.map((b) => ({ ...b, time: Number(b.time) })) };
}

/** Snapshot request ids, apart from the history requests' (ib-history.ts counts from 1). */
let nextId = 100_000;
/** A snapshot's bid (1), ask (2), last (4) and volume (8), or the error on its id. */
function quote(
  ib: IBApi,
  contract: object,
): Promise<{ bid: number; ask: number; last: number; volume: number }> {
  const reqId = nextId++;
  return new Promise((resolve, reject) => {
    const prices: Record<number, number> = {};
    let volume = Number.NaN;
    ib.on(EventName.tickPrice, (id, type, price) => {
      if (id === reqId) prices[type] = price!;
    });
    ib.on(EventName.tickSize, (id, type, size) => {
      if (id === reqId && type === 8) volume = size!;
    });
    ib.on(EventName.error, (err, code, id) => {
      if (id === reqId) reject(new Error(`snapshot refused ${code}: ${err.message}`));
    });
    ib.on(EventName.tickSnapshotEnd, (id) => {
      if (id === reqId) resolve({ bid: prices[1]!, ask: prices[2]!, last: prices[4]!, volume });
    });
    ib.reqMktData(reqId, contract, "", true, false);
  });
}

const DAY = "2026-02-04";
/** February's monthly, listed a year ahead: a live option on DAY. */
const EXPIRY = "20260220";
/** The strike nearest the underlying at an instant (the chain lists $1 strikes near the money). */
const atm = (atMs: number) => Math.round(new SimMarket(SEED).priceAt("SPY", atMs));

describe("a live option's bars, priced as its quotes are", () => {
  it("1800 S of 1-minute MIDPOINT bars at 10:30 is 30 regular-session bars whose last close sits inside a snapshot's spread then", async () => {
    const at = newYorkTimeToMs(DAY, 10, 30);
    const ib = await frozenAt(DAY, 10, 30);
    const call = option(EXPIRY, atm(at), OptionType.Call);
    const bars = barsOf(
      await history(ib, { contract: call, duration: "1800 S", barSize: "1 min", what: "MIDPOINT" }),
    );
    expect(bars).toHaveLength(30);
    const { openMs, closeMs } = regularHours(DAY);
    for (const b of bars) {
      expect(b.time * 1000).toBeGreaterThanOrEqual(openMs);
      expect(b.time * 1000 + 60_000).toBeLessThanOrEqual(closeMs);
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
      expect(b.volume).toBe(-1);
    }
    expect(bars[0]!.time * 1000).toBe(at - 1_800_000);
    const q = await quote(ib, call);
    expect(q.ask).toBeGreaterThan(q.bid);
    expect(bars.at(-1)!.close).toBeGreaterThanOrEqual(q.bid);
    expect(bars.at(-1)!.close).toBeLessThanOrEqual(q.ask);
  });

  it("BID ≤ MIDPOINT ≤ ASK bar by bar, and BID_ASK spans from the lowest bid to the highest ask", async () => {
    const at = newYorkTimeToMs(DAY, 11, 0);
    const ib = await frozenAt(DAY, 11, 0);
    const put = option(EXPIRY, atm(at) + 3, OptionType.Put);
    const ask = (what: string) => history(ib, { contract: put, duration: "3600 S", barSize: "5 mins", what });
    const [bid, mid, ofAsk, both] = (
      await Promise.all([ask("BID"), ask("MIDPOINT"), ask("ASK"), ask("BID_ASK")])
    ).map(barsOf) as [Bar[], Bar[], Bar[], Bar[]];
    expect(bid).toHaveLength(12);
    for (const bars of [mid, ofAsk, both]) expect(bars.map((b) => b.time)).toEqual(bid.map((b) => b.time));
    for (let i = 0; i < bid.length; i++) {
      for (const k of ["open", "high", "low", "close"] as const) {
        expect(bid[i]![k]).toBeLessThanOrEqual(mid[i]![k]);
        expect(mid[i]![k]).toBeLessThanOrEqual(ofAsk[i]![k]);
      }
      expect(bid[i]!.close).toBeLessThan(ofAsk[i]!.close);
      // BID_ASK: open the average bid, close the average ask, low the lowest bid, high the highest ask.
      expect(both[i]!.low).toBe(bid[i]!.low);
      expect(both[i]!.high).toBe(ofAsk[i]!.high);
      expect(both[i]!.low).toBeLessThanOrEqual(both[i]!.open);
      expect(both[i]!.open).toBeLessThan(both[i]!.close);
      expect(both[i]!.close).toBeLessThanOrEqual(both[i]!.high);
    }
  });

  it("a put and a call of one strike move against each other as the underlying moves, bar by bar", async () => {
    const at = newYorkTimeToMs(DAY, 12, 0);
    const ib = await frozenAt(DAY, 12, 0);
    const strike = atm(at);
    const q = { duration: "7200 S", barSize: "1 min", what: "MIDPOINT" };
    const [under, call, put] = (
      await Promise.all([
        history(ib, { ...q, contract: SPY }),
        history(ib, { ...q, contract: option(EXPIRY, strike, OptionType.Call) }),
        history(ib, { ...q, contract: option(EXPIRY, strike, OptionType.Put) }),
      ])
    ).map(barsOf) as [Bar[], Bar[], Bar[]];
    expect(call).toHaveLength(120);
    expect(under.map((b) => b.time)).toEqual(call.map((b) => b.time));
    // Over minutes where the underlying moved by at least 20 cents (about a call's and a put's
    // delta of a cent's worth of each), the call follows it and the put goes the other way.
    let checked = 0;
    for (let i = 0; i < under.length; i++) {
      const move = under[i]!.close - under[i]!.open;
      if (Math.abs(move) < 0.2) continue;
      checked += 1;
      expect(Math.sign(call[i]!.close - call[i]!.open)).toBe(Math.sign(move));
      expect(Math.sign(put[i]!.close - put[i]!.open)).toBe(-Math.sign(move));
    }
    expect(checked).toBeGreaterThan(5);
  });

  it("TRADES: thin prints, many minutes without one (flat at the last print, volume 0), and useRTH 0 is useRTH 1", async () => {
    const ib = await frozenAt(DAY, 15, 0);
    const call = option(EXPIRY, atm(newYorkTimeToMs(DAY, 15, 0)), OptionType.Call);
    const q = { contract: call, duration: "1 D", barSize: "1 min", what: "TRADES" };
    const [rth, all] = (
      await Promise.all([history(ib, { ...q, rth: 1 }), history(ib, { ...q, rth: 0 })])
    ).map(barsOf) as [Bar[], Bar[]];
    expect(all).toEqual(rth);
    // The session to 14:59; useRTH 0 would add a stock's pre-market from 04:00, an option has none.
    expect(rth).toHaveLength(330);
    for (const b of rth) {
      const p = newYorkParts(b.time * 1000);
      expect(p.hour * 60 + p.minute).toBeGreaterThanOrEqual(9 * 60 + 30);
      expect(p.hour * 60 + p.minute).toBeLessThan(16 * 60);
    }
    const quiet = rth.filter((b) => b.volume === 0);
    expect(quiet.length).toBeGreaterThan(rth.length / 3);
    for (let i = 1; i < rth.length; i++) {
      const b = rth[i]!;
      if (b.volume > 0) continue;
      expect([b.open, b.high, b.low, b.wap, b.count]).toEqual([b.close, b.close, b.close, b.close, 0]);
      if (newYorkParts(b.time * 1000).date === newYorkParts(rth[i - 1]!.time * 1000).date)
        expect(b.close).toBe(rth[i - 1]!.close);
    }
    expect(Math.max(...rth.map((b) => b.volume))).toBeLessThan(1000);
  });
});

describe("a snapshot's last and volume are the day's trades, as the bars show them", () => {
  it("an option's last is its last print and its volume the day's prints; a stock's volume counts from 04:00 (ib_async saw 120000 at any hour)", async () => {
    const ib = await frozenAt(DAY, 10, 30);
    const call = option(EXPIRY, atm(newYorkTimeToMs(DAY, 10, 30)), OptionType.Call);
    const prints = barsOf(
      await history(ib, { contract: call, duration: "1 D", barSize: "1 min", what: "TRADES" }),
    );
    const traded = prints.filter((b) => b.volume > 0);
    const snap = await quote(ib, call);
    expect(snap.last).toBe(traded.at(-1)!.close);
    expect(snap.volume).toBe(traded.reduce((v, b) => v + b.volume, 0));
    const spy = barsOf(
      await history(ib, { contract: SPY, duration: "1 D", barSize: "1 min", what: "TRADES", rth: 0 }),
    );
    expect(newYorkParts(spy[0]!.time * 1000).hour).toBe(4);
    expect((await quote(ib, SPY)).volume).toBe(spy.reduce((v, b) => v + b.volume, 0));
  });
});

describe("an option's TRADES bars of every size come from the same prints", () => {
  it("the bars with prints fold, 5 seconds into a minute and minutes into half hours (the others are flat at the last print, as IB's are)", async () => {
    const ib = await frozenAt(DAY, 13, 0);
    const put = option(EXPIRY, atm(newYorkTimeToMs(DAY, 13, 0)), OptionType.Put);
    const q = { contract: put, duration: "1800 S", what: "TRADES" };
    const [minutes, parts, dayMinutes, halves] = (
      await Promise.all([
        history(ib, { ...q, barSize: "1 min" }),
        history(ib, { ...q, barSize: "5 secs" }),
        history(ib, { ...q, duration: "1 D", barSize: "1 min" }),
        history(ib, { ...q, duration: "1 D", barSize: "30 mins" }),
      ])
    ).map(barsOf) as [Bar[], Bar[], Bar[], Bar[]];
    // A half hour opens with its first print, not with one before it carried forward.
    expect(halves).toHaveLength(7);
    let quietStarts = 0;
    for (const half of halves) {
      const inside = dayMinutes.filter((b) => b.time >= half.time && b.time < half.time + 1800);
      if (inside[0]!.volume === 0) quietStarts += 1;
      const traded = inside.filter((b) => b.volume > 0);
      expect(half).toMatchObject({
        open: traded[0]!.open,
        close: traded.at(-1)!.close,
        high: Math.max(...traded.map((b) => b.high)),
        low: Math.min(...traded.map((b) => b.low)),
        volume: traded.reduce((n, b) => n + b.volume, 0),
      });
    }
    expect(quietStarts).toBeGreaterThan(0);
    expect(minutes).toHaveLength(30);
    expect(parts).toHaveLength(360);
    for (let i = 0; i < minutes.length; i++) {
      const all = parts.slice(i * 12, i * 12 + 12);
      expect(all[0]!.time).toBe(minutes[i]!.time);
      const traded = all.filter((b) => b.volume > 0);
      const group = traded.length ? traded : all;
      expect({
        open: group[0]!.open,
        high: Math.max(...group.map((b) => b.high)),
        low: Math.min(...group.map((b) => b.low)),
        close: group.at(-1)!.close,
        volume: group.reduce((n, b) => n + b.volume, 0),
        count: group.reduce((n, b) => n + b.count, 0),
      }).toEqual({
        open: minutes[i]!.open,
        high: minutes[i]!.high,
        low: minutes[i]!.low,
        close: minutes[i]!.close,
        volume: minutes[i]!.volume,
        count: minutes[i]!.count,
      });
    }
  });
});

describe("what HMDS refuses an option", () => {
  it("the underlying's volatilities: 162 on the request id, naming IB's volatility source", async () => {
    const at = newYorkTimeToMs(DAY, 10, 30);
    const ib = await frozenAt(DAY, 10, 30);
    const call = option(EXPIRY, atm(at), OptionType.Call);
    const hv = errorOf(
      await history(ib, { contract: call, duration: "1 M", barSize: "1 day", what: "HISTORICAL_VOLATILITY" }),
    );
    expect(hv.code).toBe(162);
    expect(hv.text).toContain("No historical market data for SPY/OPT@IBVOL");
    const iv = errorOf(
      await history(ib, {
        contract: call,
        duration: "1 M",
        barSize: "1 day",
        what: "OPTION_IMPLIED_VOLATILITY",
      }),
    );
    expect(iv.code).toBe(162);
    expect(iv.text).toContain("OptionImpliedVol");
  });

  it("an expired option: no security definition (200), and with includeExpired no data (162)", async () => {
    // Yesterday's daily, at the money then.
    const ib = await frozenAt(DAY, 10, 30);
    const strike = atm(newYorkTimeToMs("2026-02-03", 12, 0));
    const expired = option("20260203", strike, OptionType.Call);
    const q = { duration: "1 D", barSize: "1 min", what: "TRADES", end: "20260203 15:00:00 US/Eastern" };
    expect(errorOf(await history(ib, { ...q, contract: expired })).code).toBe(200);
    const named = errorOf(await history(ib, { ...q, contract: { ...expired, includeExpired: true } }));
    expect(named.code).toBe(162);
    expect(named.text).toContain("HMDS query returned no data");
  });
});

describe("an option's head timestamp", () => {
  it("is the open of the day its expiry was listed, and its bars start there", async () => {
    const ib = await frozenAt(DAY, 10, 30);
    // The Friday two weeks out: a weekly, listed eight Fridays ahead, not a year.
    const call = option("20260213", atm(newYorkTimeToMs(DAY, 10, 30)), OptionType.Call);
    const head = await new Promise<string>((resolve, reject) => {
      ib.once(EventName.headTimestamp, (_id, stamp) => resolve(stamp));
      ib.once(EventName.error, (err, code) => reject(new Error(`${code}: ${err.message}`)));
      ib.reqHeadTimestamp(900, call, WhatToShow.MIDPOINT, true, 2);
    });
    const headMs = Number(head) * 1000;
    expect(newYorkParts(headMs)).toMatchObject({ hour: 9, minute: 30 });
    expect(headMs).toBeLessThan(newYorkTimeToMs(DAY, 9, 30));
    expect(headMs).toBeGreaterThan(newYorkTimeToMs("2025-12-01", 0, 0));
    const bars = barsOf(
      await history(ib, { contract: call, duration: "3 M", barSize: "1 day", what: "MIDPOINT" }),
    );
    const firstDay = newYorkParts(headMs).date.replaceAll("-", "");
    expect(String(bars[0]!.time)).toBe(firstDay);
  });
});
