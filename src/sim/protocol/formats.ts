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

/**
 * The handshake's connection time. A gateway writes its host's clock and that zone's Java display
 * name: the long name where the host names one (`20250612 14:03:11 British Summer Time`, `…Greenwich
 * Mean Time` in real captures), which is what `hostTimeZone` (an IANA zone) reproduces. Without it the
 * simulated host is in New York and writes the short `EST`/`EDT` that most bots' logs show.
 */
export function connectionTime(ms: number, hostTimeZone?: string): string {
  if (hostTimeZone !== undefined) return zonedConnectionTime(ms, hostTimeZone);
  const p = newYorkParts(ms);
  const utcHour = new Date(ms).getUTCHours();
  const offset = (utcHour - p.hour + 24) % 24;
  return `${p.date.replaceAll("-", "")} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${offset === 4 ? "EDT" : "EST"}`;
}

function zonedConnectionTime(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "long",
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === type)?.value ?? "";
  return `${part("year")}${part("month")}${part("day")} ${part("hour")}:${part("minute")}:${part("second")} ${part("timeZoneName")}`;
}

/** Whether `zone` is an IANA time zone this runtime knows (a bad name would fail every handshake). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
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
