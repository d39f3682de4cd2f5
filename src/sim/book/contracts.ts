/**
 * Contracts as requests name them, resolved against the simulated universe: the stocks in
 * SYMBOLS and their options — at an instant, only those the chain lists then (expiry and strike,
 * as SPY's chain does); anything else is IB's error 200.
 */
import { type SimMarket, SYMBOLS } from "../market/index.js";
import { occLocalSymbol } from "../protocol/index.js";
import type { BookContract } from "./book-types.js";

/** The contract fields of a decoded request (IB's names). */
export interface RequestContract {
  conId: number;
  symbol: string;
  secType: string;
  lastTradeDateOrContractMonth: string;
  strike: number;
  right: string;
  multiplier: string;
  exchange: string;
  currency: string;
}

/** Read the contract out of a request's decoded values. */
export function requestContract(v: Readonly<Record<string, unknown>>): RequestContract {
  const right = String(v.right ?? "");
  return {
    conId: Number(v.conId ?? 0),
    symbol: String(v.symbol ?? ""),
    secType: String(v.secType ?? ""),
    lastTradeDateOrContractMonth: String(v.lastTradeDateOrContractMonth ?? ""),
    strike: Number(v.strike ?? 0) || 0,
    right: right === "CALL" ? "C" : right === "PUT" ? "P" : right,
    multiplier: String(v.multiplier ?? ""),
    exchange: String(v.exchange ?? ""),
    currency: String(v.currency ?? "") || "USD",
  };
}

/** Contracts already resolved, by conId, per market: a client may later name one by conId alone. */
const byConId = new WeakMap<SimMarket, Map<number, BookContract>>();

/**
 * The simulated contract a request names, or undefined (the gateway answers 200). A request with
 * only a conId resolves when the conId is a stock's or an option's the simulator has already shown.
 * With `nowMs`, an option resolves only if the chain lists its expiry and strike at that instant.
 */
export function resolve(market: SimMarket, c: RequestContract, nowMs?: number): BookContract | undefined {
  let known = byConId.get(market);
  if (!known) {
    known = new Map();
    byConId.set(market, known);
  }
  if (c.conId > 0 && !c.symbol) {
    const stock = Object.entries(SYMBOLS).find(([, spec]) => spec.conId === c.conId)?.[0];
    return stock ? resolveBySymbol(market, { ...c, symbol: stock, secType: "STK" }) : known.get(c.conId);
  }
  const resolved = resolveBySymbol(market, c);
  if (
    resolved?.secType === "OPT" &&
    nowMs !== undefined &&
    !market.isListed(resolved.symbol, resolved.lastTradeDateOrContractMonth, resolved.strike, nowMs)
  )
    return undefined;
  if (resolved?.secType === "OPT" && known.size < 100_000) known.set(resolved.conId, resolved);
  return resolved;
}

/**
 * The listed options a request names without a strike (or a right): every contract of that expiry
 * (every listed expiry when none is named), as contract details answer such a request.
 */
export function listedOptions(market: SimMarket, c: RequestContract, nowMs: number): BookContract[] {
  if (c.secType !== "OPT" || !market.spec(c.symbol)) return [];
  const expiries = /^\d{8}$/.test(c.lastTradeDateOrContractMonth)
    ? [c.lastTradeDateOrContractMonth]
    : market.expirations(nowMs);
  const rights = c.right === "C" || c.right === "P" ? [c.right] : (["C", "P"] as const);
  const out: BookContract[] = [];
  for (const expiry of expiries)
    for (const strike of market.strikesFor(c.symbol, expiry, nowMs))
      for (const right of rights) {
        const contract = resolve(
          market,
          { ...c, lastTradeDateOrContractMonth: expiry, strike, right },
          nowMs,
        );
        if (contract) out.push(contract);
      }
  return out;
}

function resolveBySymbol(market: SimMarket, c: RequestContract): BookContract | undefined {
  const spec = market.spec(c.symbol);
  if (!spec) return undefined;
  if (c.secType === "STK")
    return {
      conId: spec.conId,
      symbol: c.symbol,
      secType: "STK",
      lastTradeDateOrContractMonth: "",
      strike: 0,
      right: "",
      multiplier: "",
      exchange: "SMART",
      currency: "USD",
      localSymbol: c.symbol,
      tradingClass: c.symbol,
    };
  const expiry = c.lastTradeDateOrContractMonth;
  if (
    c.secType !== "OPT" ||
    !/^\d{8}$/.test(expiry) ||
    !(c.strike > 0) ||
    (c.right !== "C" && c.right !== "P")
  )
    return undefined;
  const right = c.right;
  return {
    conId: market.optionConId({ symbol: c.symbol, expiry, strike: c.strike, right }),
    symbol: c.symbol,
    secType: "OPT",
    lastTradeDateOrContractMonth: expiry,
    strike: c.strike,
    right,
    multiplier: "100",
    exchange: "SMART",
    currency: "USD",
    localSymbol: occLocalSymbol(c.symbol, expiry, right, c.strike),
    tradingClass: c.symbol,
  };
}

/** The contract fields every order/execution/position message carries. */
export function contractValues(c: BookContract): Record<string, unknown> {
  return {
    conId: c.conId,
    symbol: c.symbol,
    secType: c.secType,
    lastTradeDateOrContractMonth: c.lastTradeDateOrContractMonth,
    strike: c.strike,
    right: c.right,
    multiplier: c.multiplier,
    exchange: c.exchange,
    currency: c.currency,
    localSymbol: c.localSymbol,
    tradingClass: c.tradingClass,
  };
}
