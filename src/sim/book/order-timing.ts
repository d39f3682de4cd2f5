/**
 * When a simulated order may trade: its contract's regular session (stocks 09:30–16:00, their
 * equity-ETF options to 16:15; 13:00 and 13:15 on the NYSE's early closes), when a DAY order
 * expires (that session's close: IB cancels it then), and whether a stop has triggered.
 */
import { newYorkParts, newYorkTimeToMs } from "../../events/index.js";
import type { SimQuote } from "../market/index.js";
import { addDays, isEarlyClose, isTradingDay } from "../market/index.js";

/** The regular session of a contract type on a trading day, epoch ms. */
export function contractSession(secType: "STK" | "OPT", date: string): { openMs: number; closeMs: number } {
  const early = isEarlyClose(date);
  const close = secType === "OPT" ? (early ? [13, 15] : [16, 15]) : early ? [13, 0] : [16, 0];
  return { openMs: newYorkTimeToMs(date, 9, 30), closeMs: newYorkTimeToMs(date, close[0]!, close[1]!) };
}

/** The session an order placed at `nowMs` works in: today's if it has not closed, else the next. */
export function workingSession(secType: "STK" | "OPT", nowMs: number): { openMs: number; closeMs: number } {
  let day = newYorkParts(nowMs).date;
  for (let i = 0; i < 14; i++, day = addDays(day, 1)) {
    if (!isTradingDay(day)) continue;
    const session = contractSession(secType, day);
    if (session.closeMs > nowMs) return session;
  }
  throw new Error(`no trading day within two weeks of ${newYorkParts(nowMs).date}: the calendar ends there`);
}

/** True while the contract's regular session is open at `nowMs`. */
export function sessionOpen(secType: "STK" | "OPT", nowMs: number): boolean {
  const session = workingSession(secType, nowMs);
  return nowMs >= session.openMs && nowMs < session.closeMs;
}

/** `yyyy-MM-dd HH:mm:ss` New York, as IB's 399 names the open. */
export function easternText(ms: number): string {
  const p = newYorkParts(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.date} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second ?? 0)}`;
}

/**
 * A stop triggers on the side it would trade against (IB's bid/ask trigger): a BUY stop when the
 * ask reaches its stop price, a SELL stop when the bid falls to it.
 */
export function stopTriggered(action: "BUY" | "SELL", stopUsd: number, q: SimQuote): boolean {
  return action === "BUY" ? q.ask > 0 && q.ask >= stopUsd : q.bid > 0 && q.bid <= stopUsd;
}
