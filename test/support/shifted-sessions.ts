/**
 * Several recorded days from the bundled two: each bundled session moved whole weeks later (its
 * times, its session date, the expiries it quoted, its event ids), so a journal holds six real
 * trading days of live's events, hash-chained by the import as any recording.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importJsonLines, openJournal } from "../../src/events/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BUNDLED = ["2026-02-04", "2026-02-05"];
const TIME_KEYS = new Set(["ts", "timeMs", "gatewayTimeMs", "requestedAtMs", "decidedAtMs"]);
const DAY = 86_400_000;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const decodeTime = (id: string) => [...id.slice(0, 10)].reduce((t, c) => t * 32 + CROCKFORD.indexOf(c), 0);
const encodeTime = (ms: number) => {
  let out = "";
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) out = CROCKFORD[t % 32] + out;
  return out;
};

const shiftDate = (yyyymmdd: string, days: number) => {
  const d = new Date(
    Date.UTC(+yyyymmdd.slice(0, 4), +yyyymmdd.slice(4, 6) - 1, +yyyymmdd.slice(6, 8)) + days * DAY,
  );
  return d.toISOString().slice(0, 10).replaceAll("-", "");
};

function shift(value: unknown, weeks: number, key = ""): unknown {
  const days = weeks * 7;
  if (typeof value === "number" && TIME_KEYS.has(key)) return value + days * DAY;
  if (typeof value === "string") {
    // Event ids (and the causations naming them) move with their times: their 10-character time part.
    if (ULID.test(value)) return `${encodeTime(decodeTime(value) + days * DAY)}${value.slice(10)}`;
    if (key === "session")
      return `${shiftDate(value.replaceAll("-", ""), days).replace(/(\d{4})(\d{2})(\d{2})/, "$1-$2-$3")}`;
    return value.replace(/\b2026\d{4}\b/g, (d) => shiftDate(d, days));
  }
  if (Array.isArray(value)) return value.map((v) => shift(v, weeks));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v, weeks, k)]));
  return value;
}

/** A journal at `path` with the bundled sessions and their copies `weeks` weeks on (1, 2: six days in February). */
export function severalDays(path: string, weeks = [1, 2]): string[] {
  const journal = openJournal(path);
  const sessions: string[] = [];
  try {
    for (const week of [0, ...weeks])
      for (const day of BUNDLED) {
        const text = readFileSync(join(ROOT, "data", "sample", `${day}.jsonl`), "utf8");
        const lines = text
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.stringify(week === 0 ? JSON.parse(line) : shift(JSON.parse(line), week)));
        importJsonLines(journal, `${lines.join("\n")}\n`, `${day}+${week}w`);
        sessions.push((JSON.parse(lines[0]!) as { session: string }).session);
      }
  } finally {
    journal.close();
  }
  return sessions.sort();
}
