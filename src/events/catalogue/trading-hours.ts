/**
 * The day's hours as the gateway states them in contract details (`tradingHours`, `liquidHours`,
 * `timeZoneId`), read into instants: when a regular session opens and closes, and whether a day
 * trades at all. Live's trading-hours check, the strategy's cut-off times and the replay all read
 * the journaled text through here, so a 13:00 close is the same 13:00 for each of them.
 *
 * IB's formats (contract details since TWS 9.72, and the older one):
 *   `20261127:0930-20261127:1300;20261128:CLOSED;20261130:0930-20261130:1600`
 *   `20090507:0700-1830,1830-2330;20090508:CLOSED`
 * Times are wall-clock times in `timeZoneId` (`US/Eastern` for US stocks and options). A session
 * belongs to the date it is listed under.
 */
import type { SessionId } from "./catalogue.js";
import { newYorkParts, newYorkTimeToMs } from "./trading-session.js";

/** One day's regular session. `openMs`/`closeMs` are null on a day the exchange does not open. */
export interface DayHours {
  readonly session: SessionId;
  readonly openMs: number | null;
  readonly closeMs: number | null;
  /** `gateway`: read from journaled contract details; `default`: 09:30–16:00 New York, Monday to Friday. */
  readonly source: "gateway" | "default";
}

/** One span of trading: from `openMs` to `closeMs`, listed under `session`. */
export interface HoursSpan {
  readonly session: SessionId;
  readonly openMs: number;
  readonly closeMs: number;
}

/** What a day of IB's hours text says: spans, or closed. */
export interface ParsedHours {
  readonly spans: readonly HoursSpan[];
  readonly closed: ReadonlySet<SessionId>;
  /** Entries that could not be read (skipped, never fatal: hours are descriptive gateway data). */
  readonly problems: readonly string[];
}

/** The time zones IB names New York by; they take the exact, Intl-free path. */
const NEW_YORK_ZONES = new Set(["US/Eastern", "America/New_York", "EST5EDT", "EST"]);
const REGULAR_OPEN = [9, 30] as const;
const REGULAR_CLOSE = [16, 0] as const;

const dateOf = (yyyymmdd: string): SessionId =>
  `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;

/** Epoch ms of a wall-clock time in `zone`; New York's names take `newYorkTimeToMs`. */
function zonedTimeToMs(date: SessionId, hour: number, minute: number, zone: string): number {
  if (NEW_YORK_ZONES.has(zone)) return newYorkTimeToMs(date, hour, minute);
  const format = zoneFormat(zone);
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, m - 1, d, hour, minute);
  // Guess with the UTC instant, then correct by the zone's offset then (twice, for DST edges).
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const p = Object.fromEntries(format.formatToParts(guess).map((x) => [x.type, x.value]));
    const shown = Date.UTC(
      Number(p.year),
      Number(p.month) - 1,
      Number(p.day),
      Number(p.hour),
      Number(p.minute),
    );
    guess += asUtc - shown;
  }
  return guess;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    zoneFormats.set(zone, format);
  }
  return format;
}

/** True when Intl knows `zone` (IB's ids are IANA names or their legacy aliases). */
function knownZone(zone: string): boolean {
  if (NEW_YORK_ZONES.has(zone)) return true;
  try {
    zoneFormat(zone);
    return true;
  } catch {
    return false;
  }
}

const parsedCache = new Map<string, ParsedHours>();

/**
 * Read IB's hours text. An entry in neither format is skipped and named in `problems`; an unknown
 * time zone is read as New York and named too.
 *
 *   parseHours("20261127:0930-20261127:1300;20261128:CLOSED", "US/Eastern")
 *   // → spans [{ session: "2026-11-27", openMs: 09:30 ET, closeMs: 13:00 ET }], closed {"2026-11-28"}
 */
export function parseHours(text: string, timeZoneId: string): ParsedHours {
  const key = `${timeZoneId}|${text}`;
  const cached = parsedCache.get(key);
  if (cached) return cached;
  const problems: string[] = [];
  let zone = timeZoneId;
  if (!knownZone(zone)) {
    problems.push(`unknown time zone "${timeZoneId}": read as US/Eastern`);
    zone = "US/Eastern";
  }
  const spans: HoursSpan[] = [];
  const closed = new Set<SessionId>();
  const at = (yyyymmdd: string, hhmm: string) =>
    zonedTimeToMs(dateOf(yyyymmdd), Number(hhmm.slice(0, 2)), Number(hhmm.slice(2, 4)), zone);
  for (const raw of text.split(";")) {
    const entry = raw.trim();
    if (entry === "") continue;
    let m = /^(\d{8}):CLOSED$/.exec(entry);
    if (m) {
      closed.add(dateOf(m[1]!));
      continue;
    }
    m = /^(\d{8}):(\d{4})-(\d{8}):(\d{4})$/.exec(entry);
    if (m) {
      spans.push({ session: dateOf(m[1]!), openMs: at(m[1]!, m[2]!), closeMs: at(m[3]!, m[4]!) });
      continue;
    }
    m = /^(\d{8}):(\d{4}-\d{4}(?:,\d{4}-\d{4})*)$/.exec(entry);
    if (m) {
      const day = m[1]!;
      for (const range of m[2]!.split(",")) {
        const [from, to] = range.split("-") as [string, string];
        const openMs = at(day, from);
        let closeMs = at(day, to);
        // The old format writes one date: a close before the open is the next morning's.
        if (closeMs <= openMs) closeMs += 86_400_000;
        spans.push({ session: dateOf(day), openMs, closeMs });
      }
      continue;
    }
    problems.push(`unreadable hours entry "${entry}"`);
  }
  const parsed: ParsedHours = { spans, closed, problems };
  if (parsedCache.size > 256) parsedCache.clear();
  parsedCache.set(key, parsed);
  return parsed;
}

/**
 * The regular session of `date` in IB's hours text (pass `liquidHours`): the first open and the
 * last close listed under that date, closed when the text says so, undefined when it does not
 * cover the date at all (the caller falls back to `defaultDayHours`).
 */
export function dayHoursOf(
  hours: { readonly liquidHours: string; readonly timeZoneId: string },
  date: SessionId,
): DayHours | undefined {
  const parsed = parseHours(hours.liquidHours, hours.timeZoneId);
  const spans = parsed.spans.filter((s) => s.session === date);
  if (spans.length > 0)
    return {
      session: date,
      openMs: Math.min(...spans.map((s) => s.openMs)),
      closeMs: Math.max(...spans.map((s) => s.closeMs)),
      source: "gateway",
    };
  if (parsed.closed.has(date)) return { session: date, openMs: null, closeMs: null, source: "gateway" };
  return undefined;
}

let lastDefaultHours: DayHours | undefined;

/**
 * The hours a session recorded without the gateway's hours traded on: 09:30–16:00 New York,
 * Monday to Friday (what live checked before it journaled them; holidays were the gateway's).
 */
export function defaultDayHours(date: SessionId): DayHours {
  // Asked once a cycle for the same day: the last answer is kept (frozen, so it can be shared).
  if (lastDefaultHours?.session === date) return lastDefaultHours;
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  const hours: DayHours =
    weekday === 0 || weekday === 6
      ? { session: date, openMs: null, closeMs: null, source: "default" }
      : {
          session: date,
          openMs: newYorkTimeToMs(date, ...REGULAR_OPEN),
          closeMs: newYorkTimeToMs(date, ...REGULAR_CLOSE),
          source: "default",
        };
  lastDefaultHours = Object.freeze(hours);
  return lastDefaultHours;
}

/** True while `timeMs` is inside the day's regular session (open inclusive, close exclusive). */
export function isWithinHours(hours: DayHours, timeMs: number): boolean {
  return hours.openMs !== null && hours.closeMs !== null && timeMs >= hours.openMs && timeMs < hours.closeMs;
}

/**
 * How much earlier than 16:00 New York the day closes, in whole minutes (180 on a 13:00 close; 0
 * on a regular or closed day). A time of day set against a 16:00 close moves back by it.
 */
export function earlyCloseMinutes(hours: DayHours): number {
  if (hours.closeMs === null) return 0;
  const regular = newYorkTimeToMs(hours.session, ...REGULAR_CLOSE);
  return Math.max(0, Math.round((regular - hours.closeMs) / 60_000));
}

/** `09:30–13:00 New York` (or `closed`), for messages and reasons. */
export function describeDayHours(hours: DayHours): string {
  if (hours.openMs === null || hours.closeMs === null) return `closed on ${hours.session}`;
  const hhmm = (ms: number) => {
    const p = newYorkParts(ms);
    return `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
  };
  return `${hhmm(hours.openMs)}–${hhmm(hours.closeMs)} New York`;
}
