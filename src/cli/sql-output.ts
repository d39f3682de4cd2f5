/**
 * How `journal sql` writes a value in each format. Integers arrive as `bigint` (the journal's
 * `sql.query` reads them with safeIntegers), so none loses digits beyond 2^53 in any format.
 *
 * - csv: RFC 4180 fields, lines ended by LF (not CRLF: what Unix tools and the tests expect; a CR
 *   or LF inside a value is quoted, so it round-trips). NULL is an empty field, an empty string
 *   `""` (PostgreSQL's COPY CSV convention), so the two stay apart.
 * - json: an array of objects; a big integer is written as an exact JSON number (`9007199254740993`,
 *   not a string: the column keeps one type, and a parser that reads big numbers exactly gets it).
 * - table: what `renderTable` (format.ts) prints, control characters escaped there.
 */
import { printable } from "../events/index.js";

/** DEL, C1 controls and bidi controls: JSON.stringify leaves them raw, a terminal may act on them. */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A value as text for table and csv: bigint and number exactly as SQL gave them, NULL empty. */
export function sqlText(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

/**
 * One CSV field (RFC 4180). With `forTerminal` (stdout is a terminal, a person reads it) control
 * characters are escaped as in the table; into a pipe or a file the value goes byte for byte.
 *
 * @example
 * csvField('say "hi", then go') // → '"say ""hi"", then go"'
 * csvField(null)                // → ''
 * csvField("")                  // → '""'
 */
export function csvField(value: unknown, forTerminal = false): string {
  if (value === null || value === undefined) return "";
  const text = forTerminal ? printable(sqlText(value), "\n") : sqlText(value);
  return text === "" || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record, without its line end. */
export function csvRecord(values: readonly unknown[], forTerminal = false): string {
  return values.map((v) => csvField(v, forTerminal)).join(",");
}

/** One value as JSON: big integers as exact numbers, the rest as JSON.stringify writes it. */
export function jsonValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (value === undefined) return "null";
  // Escaping inside a JSON string changes no value: the text parses back to the same string.
  return JSON.stringify(value).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Rows as JSON objects, keys in column order (a repeated column name keeps its last value, as
 * assigning to an object would).
 *
 * @example
 * jsonObjects(["n", "big"])([1n, 9007199254740993n]) // → '{"n":1,"big":9007199254740993}'
 */
export function jsonObjects(columns: readonly string[]): (values: readonly unknown[]) => string {
  const last = new Map<string, number>();
  for (const [i, c] of columns.entries()) last.set(c, i);
  const keys = [...last].map(([c, i]) => [`${jsonValue(c)}:`, i] as const);
  return (values) => `{${keys.map(([key, i]) => key + jsonValue(values[i])).join(",")}}`;
}

/** What the runner's stderr says when a job's `maxJsonRows` cut the result. */
export const SQL_ROWS_CUT = "journal sql: the result was cut after";
