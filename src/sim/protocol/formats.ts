/**
 * Text formats as a real IB Gateway writes them: Java's `Double.toString`, times with the zone
 * names TWS uses (`US/Eastern`), OCC option local symbols, and NYSE trading/liquid hours for
 * contract details.
 */
import { newYorkParts } from "../../events/index.js";
import { addDays, isEarlyClose, isTradingDay } from "../market/index.js";

/** The gateway's "unset" double (Java `Double.MAX_VALUE`). */
export const UNSET_DOUBLE = Number.MAX_VALUE;
/** The gateway's "unset" int (Java `Integer.MAX_VALUE`). */
export const UNSET_INT = 2147483647;

/**
 * A double as Java's `Double.toString` prints it: `1.0`, `0.65`, `1.7976931348623157E308`,
 * `1.0E-4`. JavaScript's shortest round-trip digits are the same digits Java (≥ 19) prints.
 */
export function javaDouble(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mantissa, exponent] = x.toExponential().split("e") as [string, string];
  const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

/** A Decimal (sizes, quantities) as the gateway prints it: plain digits, no trailing `.0`. */
export function decimalText(x: number): string {
  if (!Number.isFinite(x) || x === UNSET_DOUBLE) return "";
  return String(x);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `yyyyMMdd HH:mm:ss US/Eastern`: execution times and formatDate=1 bar times at versions ≥ 157. */
export function ibTime(ms: number): string {
  const p = newYorkParts(ms);
  return `${p.date.replaceAll("-", "")} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} US/Eastern`;
}

/**
 * An execution's time as a gateway writes it below server version 200 (the version that adds the
 * zone, which we do not serve): `yyyyMMdd  HH:mm:ss`, two spaces, New York time, no zone.
 */
export function executionTime(ms: number): string {
  const p = newYorkParts(ms);
  return `${p.date.replaceAll("-", "")}  ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** The handshake's connection time, `yyyyMMdd HH:mm:ss EST` (the gateway uses the short zone here). */
export function connectionTime(ms: number): string {
  const p = newYorkParts(ms);
  const utcHour = new Date(ms).getUTCHours();
  const offset = (utcHour - p.hour + 24) % 24;
  return `${p.date.replaceAll("-", "")} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${offset === 4 ? "EDT" : "EST"}`;
}

/** `HH:mm`, the ACCT_UPDATE_TIME stamp. */
export function accountTime(ms: number): string {
  const p = newYorkParts(ms);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** The OCC option symbol IB uses as localSymbol: `SPY   260205C00690000`. */
export function occLocalSymbol(symbol: string, expiry: string, right: string, strike: number): string {
  const k = String(Math.round(strike * 1000)).padStart(8, "0");
  return `${symbol.padEnd(6)}${expiry.slice(2)}${right}${k}`;
}

/**
 * Trading or liquid hours for the NYSE calendar, seven calendar days from `date` (New York), in
 * the form TWS sends since 9.72: `20260204:0930-20260204:1600;20260207:CLOSED;…`. On an early
 * close the day ends at `earlyClose` (`20261127:0930-20261127:1300`).
 */
export function sessionHours(
  date: string,
  open: string,
  close: string,
  earlyClose: string,
  days = 7,
): string {
  const out: string[] = [];
  for (let i = 0; i < days; i++) {
    const day = addDays(date, i);
    const d = day.replaceAll("-", "");
    const end = isEarlyClose(day) ? earlyClose : close;
    out.push(isTradingDay(day) ? `${d}:${open}-${d}:${end}` : `${d}:CLOSED`);
  }
  return out.join(";");
}
