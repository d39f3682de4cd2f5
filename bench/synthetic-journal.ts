/**
 * A large, realistic journal for benchmarks: many sessions of cycles with bars, an option chain,
 * quotes, decisions, and now and then an order with its fill and commission. Built once and
 * cached under .tmp/ (delete it to rebuild).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  type Contract,
  type NewEvent,
  newYorkTimeToMs,
  openJournal,
  SeededIdGen,
} from "../src/events/index.js";

/** Bumped whenever `syntheticSession` changes what it generates. */
const SYNTHETIC_VERSION = 2;

/** Trading days from 2026-01-05 on, weekdays only. */
export function tradingDays(count: number): string[] {
  const days: string[] = [];
  for (let d = Date.UTC(2026, 0, 5); days.length < count; d += 86_400_000) {
    const day = new Date(d).getUTCDay();
    if (day !== 0 && day !== 6) days.push(new Date(d).toISOString().slice(0, 10));
  }
  return days;
}

/** mulberry32: the synthetic market's only randomness, seeded by session and symbol. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A symbol's minute closes over a session (60 minutes of history before the open, then the day):
 * a seeded random walk with drift spells, so trends start and end and options move with it.
 */
function minutePath(session: string, symbol: string, minutes: number, start: number): number[] {
  const random = seeded(
    [...`${session}${symbol}`].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 0x01000193), 0x811c9dc5),
  );
  const path: number[] = [];
  let price = start;
  let drift = 0;
  for (let i = 0; i < minutes; i++) {
    if (i % 30 === 0) drift = (random() - 0.5) * 0.12;
    price += drift + (random() - 0.5) * 0.5;
    path.push(Math.round(price * 100) / 100);
  }
  return path;
}

/** An option's mid at spot `s`: intrinsic value plus a time value that peaks at the money and decays through the day. */
function optionMid(right: "C" | "P", strike: number, s: number, dayFraction: number): number {
  const intrinsic = Math.max(0, right === "C" ? s - strike : strike - s);
  const time = (0.4 + 1.6 * (1 - dayFraction)) * Math.exp(-(((s - strike) / 3) ** 2));
  return Math.max(0.05, Math.round((intrinsic + time) * 100) / 100);
}

const START_PRICE: Record<string, number> = { SPY: 690, QQQ: 620, IWM: 260 };

/** One session's events: `cycles` cycles × 3 symbols × (bars + 1 underlying + 6 option quotes + decision). */
export function syntheticSession(session: string, cycles: number): NewEvent[] {
  const out: NewEvent[] = [];
  const open = newYorkTimeToMs(session, 9, 30);
  let orderId = 1;
  const paths = Object.fromEntries(
    Object.entries(START_PRICE).map(([symbol, start]) => [
      symbol,
      minutePath(session, symbol, 60 + cycles * 5 + 1, start),
    ]),
  );
  for (let c = 0; c < cycles; c++) {
    const t = open + c * 300_000 + 60_000;
    out.push({
      type: "CycleStarted",
      version: 1,
      ts: t,
      payload: { cycle: c, symbols: ["SPY", "QQQ", "IWM"], gatewayTimeMs: t },
    });
    for (const symbol of ["SPY", "QQQ", "IWM"]) {
      const path = paths[symbol]!;
      // The minute this cycle runs in: 60 minutes of history, then 5 a cycle.
      const now = 60 + c * 5;
      const price = path[now]!;
      const und: Contract = { secType: "STK", symbol, exchange: "SMART", currency: "USD" };
      const bars = Array.from({ length: 60 }, (_, i) => {
        const close = path[now - 60 + i + 1]!;
        const openUsd = path[now - 60 + i]!;
        return {
          timeMs: t - (60 - i) * 60_000,
          openUsd,
          highUsd: Math.max(openUsd, close) + 0.05,
          lowUsd: Math.min(openUsd, close) - 0.05,
          closeUsd: close,
          volume: 1000 + i,
          vwapUsd: Math.round(((openUsd + close) / 2) * 100) / 100,
          count: 10,
        };
      });
      out.push({
        type: "BarsReceived",
        version: 1,
        ts: t + 10,
        payload: {
          contract: und,
          barSize: "1 min",
          whatToShow: "TRADES",
          useRth: true,
          timing: { reqId: 1, requestedAtMs: t, latencyMs: 10 },
          bars,
        },
      });
      out.push(quote(und, price, t + 20));
      // The day's strikes, around the open: a held contract is quoted all day, its price moving with the underlying.
      const atm = Math.round(START_PRICE[symbol]!);
      for (let k = 0; k < 6; k++) {
        const right = k < 3 ? "C" : "P";
        const opt: Contract = {
          secType: "OPT",
          symbol,
          expiry: "20260206",
          strike: atm + (k % 3) - 1,
          right,
          multiplier: 100,
          exchange: "SMART",
          currency: "USD",
        };
        out.push(quote(opt, optionMid(right, atm + (k % 3) - 1, price, c / cycles), t + 30 + k));
      }
      const trade = c % 10 === 3 && symbol === "SPY";
      const exit = c % 10 === 6 && symbol === "SPY";
      const contract: Contract = {
        secType: "OPT",
        symbol,
        expiry: "20260206",
        strike: 690,
        right: "C",
        multiplier: 100,
        exchange: "SMART",
        currency: "USD",
      };
      const intents =
        trade || exit
          ? [
              {
                contract,
                side: trade ? ("BUY" as const) : ("SELL" as const),
                quantity: 1,
                orderType: "MKT" as const,
                tif: "DAY" as const,
                purpose: trade ? "entry" : "profit-target",
              },
            ]
          : [];
      out.push({
        type: "DecisionMade",
        version: 1,
        ts: t + 40,
        payload: {
          strategy: { name: "bench", version: "1" },
          cycle: c,
          symbol,
          action: trade ? "enter" : exit ? "exit" : "hold",
          reason: "bench",
          saw: [],
          intents,
          signals: { vwap: price },
        },
      });
      for (const intent of intents) {
        const execId = `e-${session}-${orderId}`;
        out.push({ type: "OrderIntended", version: 1, ts: t + 41, payload: { intent, dryRun: false } });
        out.push({
          type: "OrderSubmitted",
          version: 1,
          ts: t + 42,
          payload: { orderId, clientId: 1, intent },
        });
        out.push({
          type: "OrderFilled",
          version: 1,
          ts: t + 43,
          payload: {
            orderId,
            execId,
            contract,
            side: intent.side,
            quantity: 1,
            priceUsd: 1.25 + (c % 7) / 100,
            exchange: "CBOE",
          },
        });
        out.push({
          type: "CommissionReported",
          version: 1,
          ts: t + 44,
          payload: { execId, orderId, commissionUsd: 0.65, currency: "USD", realizedPnlUsd: null },
        });
        orderId += 1;
      }
    }
    out.push({
      type: "CycleCompleted",
      version: 2,
      ts: t + 50,
      payload: { cycle: c, status: "ok", durationMs: 50, requests: 24, errors: 0, timeouts: 0, inputs: null },
    });
  }
  return out;
}

function quote(contract: Contract, mid: number, ts: number): NewEvent {
  return {
    type: "QuoteSnapshot",
    version: 1,
    ts,
    payload: {
      contract,
      bidUsd: Math.round((mid - 0.02) * 100) / 100,
      askUsd: Math.round((mid + 0.02) * 100) / 100,
      lastUsd: Math.round(mid * 100) / 100,
      bidSize: 10,
      askSize: 10,
      lastSize: 1,
      greeks:
        contract.secType === "OPT"
          ? {
              impliedVol: 0.2,
              delta: 0.5,
              gamma: 0.05,
              vega: 0.3,
              theta: -0.5,
              optPriceUsd: mid,
              undPriceUsd: 690,
            }
          : null,
      timing: { reqId: 2, requestedAtMs: ts - 5, latencyMs: 5 },
      complete: true,
    },
  };
}

/** A journal of at least `minEvents` events over many sessions, cached at `.tmp/<name>.db`. */
export function largeJournal(name: string, minEvents: number): { path: string; sessions: string[] } {
  const dir = ".tmp";
  mkdirSync(dir, { recursive: true });
  // The cache's name carries the generator's version: an old cache holds another market.
  const path = join(dir, `${name}-v${SYNTHETIC_VERSION}.db`);
  const perSession = syntheticSession("2026-01-05", 78).length;
  const sessions = tradingDays(Math.ceil(minEvents / perSession));
  if (existsSync(path)) return { path, sessions };
  const building = `${path}.building`;
  // The seq mark (`-seq`) too: a half-built journal is thrown away on purpose.
  for (const suffix of ["", "-wal", "-shm", "-seq"]) rmSync(`${building}${suffix}`, { force: true });
  const journal = openJournal(building, { idGen: new SeededIdGen(42) });
  for (const session of sessions) {
    const events = syntheticSession(session, 78);
    for (let i = 0; i < events.length; i += 2000) journal.append("live", session, events.slice(i, i + 2000));
  }
  journal.close();
  renameSync(building, path);
  rmSync(`${building}-seq`, { force: true });
  return { path, sessions };
}
