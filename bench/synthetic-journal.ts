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

/** Trading days from 2026-01-05 on, weekdays only. */
export function tradingDays(count: number): string[] {
  const days: string[] = [];
  for (let d = Date.UTC(2026, 0, 5); days.length < count; d += 86_400_000) {
    const day = new Date(d).getUTCDay();
    if (day !== 0 && day !== 6) days.push(new Date(d).toISOString().slice(0, 10));
  }
  return days;
}

/** One session's events: `cycles` cycles × 3 symbols × (bars + 1 underlying + 6 option quotes + decision). */
export function syntheticSession(session: string, cycles: number): NewEvent[] {
  const out: NewEvent[] = [];
  const open = newYorkTimeToMs(session, 9, 30);
  let price = 690;
  let orderId = 1;
  for (let c = 0; c < cycles; c++) {
    const t = open + c * 300_000 + 60_000;
    out.push({
      type: "CycleStarted",
      version: 1,
      ts: t,
      payload: { cycle: c, symbols: ["SPY", "QQQ", "IWM"], gatewayTimeMs: t },
    });
    for (const symbol of ["SPY", "QQQ", "IWM"]) {
      price += Math.sin(c * 7 + symbol.length) * 0.4;
      const und: Contract = { secType: "STK", symbol, exchange: "SMART", currency: "USD" };
      const bars = Array.from({ length: 60 }, (_, i) => ({
        timeMs: t - (60 - i) * 60_000,
        openUsd: price,
        highUsd: price + 0.2,
        lowUsd: price - 0.2,
        closeUsd: price + 0.05,
        volume: 1000 + i,
        vwapUsd: price,
        count: 10,
      }));
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
      for (let k = 0; k < 6; k++) {
        const opt: Contract = {
          secType: "OPT",
          symbol,
          expiry: "20260206",
          strike: Math.round(price) + (k % 3) - 1,
          right: k < 3 ? "C" : "P",
          multiplier: 100,
          exchange: "SMART",
          currency: "USD",
        };
        out.push(quote(opt, 1.2 + k * 0.1 + (c % 10) / 100, t + 30 + k));
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
  const path = join(dir, `${name}.db`);
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
