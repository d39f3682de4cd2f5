/**
 * `journal export --format parquet --out DIR`: one Parquet file per post-mortem view (trades, fills,
 * orders, quotes, decisions, cycles, notes) for notebooks — DuckDB, pandas, polars read them as
 * they are. Written with hyparquet-writer (pure JavaScript: no native or x86-only binary, so it
 * runs the same on the Pi's arm64 and on Node 20 anywhere), Snappy-compressed.
 *
 * Every column has one type whatever the rows hold, so files of different days concatenate:
 * `*_ts` and `ts` are timestamps (UTC, ms), seqs, counts and ids of IB are INT64, money, prices,
 * greeks, sizes and quantities are DOUBLE, flags are BOOLEAN, the rest are strings (JSON text for
 * `signals` and `tags`). A column none of those rules names (a view grew one) is DOUBLE when every
 * value is a number, else a string.
 */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type ColumnSource, parquetWriteFile } from "hyparquet-writer";
import { isRealSessionDate, type Journal, JournalError, openJournal } from "../events/index.js";
import { NotFound, UsageError } from "./usage-error.js";

type ColumnType = "INT64" | "DOUBLE" | "STRING" | "BOOLEAN" | "TIMESTAMP";

/** The files, each a view and the order its rows are written in. */
export const PARQUET_FILES: readonly { file: string; view: string; order: string }[] = [
  { file: "trades", view: "v_trades", order: "session, stream, entry_ts, closed_seq" },
  { file: "fills", view: "v_fills", order: "seq" },
  { file: "orders", view: "v_orders", order: "seq" },
  { file: "quotes", view: "v_quotes", order: "seq" },
  { file: "decisions", view: "v_decisions", order: "seq" },
  { file: "cycles", view: "v_cycles", order: "session, stream, COALESCE(start_seq, end_ts), cycle" },
  { file: "notes", view: "v_notes", order: "seq" },
];

const BOOLEANS = new Set(["simulated", "complete", "dry_run"]);
const INTEGERS = new Set([
  "seq",
  "cycle",
  "order_id",
  "requests",
  "errors",
  "timeouts",
  "intents",
  "events_seen",
  "trade_number",
  "multiplier",
  "code",
  "req_id",
]);
const DOUBLES = new Set([
  "quantity",
  "filled_quantity",
  "strike",
  "iv",
  "delta",
  "gamma",
  "vega",
  "theta",
  "r_multiple",
  "holding_min",
  "bid_size",
  "ask_size",
]);
const STRINGS = new Set(["signals", "tags", "text", "reason", "detail", "refused_detail"]);

/** The type a column gets by its name, or null to decide from its values. */
function typeByName(name: string): ColumnType | null {
  if (BOOLEANS.has(name)) return "BOOLEAN";
  if (INTEGERS.has(name) || name.endsWith("_seq")) return "INT64";
  if (name === "ts" || name.endsWith("_ts")) return "TIMESTAMP";
  if (DOUBLES.has(name) || /_(usd|ms|min|pct)$/.test(name)) return "DOUBLE";
  if (STRINGS.has(name) || /_(id|key|ny|utc)$/.test(name)) return "STRING";
  return null;
}

function typeOf(name: string, values: readonly unknown[]): ColumnType {
  const named = typeByName(name);
  if (named) return named;
  const present = values.filter((v) => v !== null && v !== undefined);
  return present.length > 0 && present.every((v) => typeof v === "number") ? "DOUBLE" : "STRING";
}

/** One SQLite value as the column's type (SQLite's own types are per value, not per column). */
function convert(type: ColumnType, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "BOOLEAN":
      return Boolean(value);
    case "INT64":
      if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
      if (typeof value === "bigint") return value;
      throw new Error(`${where}: expected an integer, found ${JSON.stringify(value)}`);
    case "DOUBLE":
      if (typeof value === "number") return value;
      throw new Error(`${where}: expected a number, found ${JSON.stringify(value)}`);
    case "TIMESTAMP":
      if (typeof value === "number") return new Date(value);
      throw new Error(`${where}: expected epoch ms, found ${JSON.stringify(value)}`);
    case "STRING":
      return typeof value === "string" ? value : JSON.stringify(value);
    default: {
      const never: never = type;
      throw new Error(`unknown column type ${String(never)}`);
    }
  }
}

/** What was written: one line per file. */
export interface ParquetExportResult {
  readonly file: string;
  readonly path: string;
  readonly rows: number;
}

/**
 * Write the views' rows of `sessions` (of `stream`, or every stream) to `outDir/<file>.parquet`,
 * each file first to a temporary name and renamed into place when whole.
 */
export function exportParquet(
  journal: Journal,
  sessions: readonly string[],
  outDir: string,
  stream?: string,
): ParquetExportResult[] {
  const hasTrades =
    journal.sql.all(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'proj_trades'`).length > 0;
  if (!hasTrades)
    throw new NotFound(
      `${journal.location} has no trade tables (proj_trades) for trades.parquet: fold them with \`journal rebuild --journal ${journal.location}\` (live and import keep them; an older file may lack them), then export again`,
    );
  mkdirSync(outDir, { recursive: true });
  const marks = sessions.map(() => "?").join(", ");
  const results: ParquetExportResult[] = [];
  for (const { file, view, order } of PARQUET_FILES) {
    const where = `session IN (${marks})${stream === undefined ? "" : " AND stream = ?"}`;
    const params = stream === undefined ? [...sessions] : [...sessions, stream];
    const names = journal.sql
      .all<{ name: string }>(`SELECT name FROM pragma_table_info('${view}')`)
      .map((c) => c.name);
    const rows = journal.sql.all(`SELECT * FROM ${view} WHERE ${where} ORDER BY ${order}`, params);
    const columnData: ColumnSource[] = names.map((name) => {
      const values = rows.map((r) => r[name]);
      const type = typeOf(name, values);
      return {
        name,
        type,
        data: values.map((v, i) => convert(type, v, `${view}.${name} row ${i + 1}`)),
        nullable: true,
      } as ColumnSource;
    });
    const path = join(outDir, `${file}.parquet`);
    const partial = `${path}.partial`;
    try {
      parquetWriteFile({ filename: partial, columnData, createdBy: "ib-trading-journal (hyparquet-writer)" });
      renameSync(partial, path);
    } finally {
      rmSync(partial, { force: true });
    }
    results.push({ file, path, rows: rows.length });
  }
  return results;
}

/** The flags of `journal export` that a Parquet export reads. */
export interface ParquetExportFlags {
  journal: string;
  session?: string;
  sessions?: string;
  stream?: string;
  out?: string;
  force?: boolean;
}

/**
 * `journal export --format parquet`: check the flags and the sessions, verify them (as a JSON-lines
 * export does; `--force` skips it), write the files, and say what was written.
 */
export function parquetExportCommand(opts: ParquetExportFlags): void {
  if (opts.out === undefined)
    throw new UsageError("--format parquet writes files: name their folder with --out DIR");
  if ((opts.session === undefined) === (opts.sessions === undefined))
    throw new UsageError(
      "say which sessions: --session YYYY-MM-DD, or --sessions FROM..TO (or a comma list)",
    );
  const journal = openJournal(opts.journal, { readonly: true });
  try {
    const there = journal.sessionIds(opts.stream);
    const wanted = opts.session !== undefined ? [opts.session] : sessionsOf(opts.sessions!, there);
    for (const s of wanted)
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || !isRealSessionDate(s))
        throw new UsageError(`session ${s}: expected a real date YYYY-MM-DD (a range is FROM..TO)`);
    const missing = wanted.filter((s) => !there.includes(s));
    if (wanted.length === 0 || missing.length > 0)
      throw new NotFound(
        `no session ${missing.join(", ") || opts.sessions}${opts.stream === undefined ? "" : ` in stream ${opts.stream}`} of ${opts.journal}; sessions there: ${there.join(", ") || "(none)"}`,
      );
    if (!opts.force) {
      const report = journal.verifySession(wanted);
      if (!report.ok)
        throw new JournalError(
          "EXPORT_REFUSED",
          `ExportRefused: ${opts.journal} fails verify at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} — nothing was written. See it with \`journal verify --journal ${opts.journal}\`, restore a backup, or pass --force to export it anyway`,
        );
    }
    for (const r of exportParquet(journal, wanted, opts.out, opts.stream))
      process.stdout.write(`${r.path}: ${r.rows} row${r.rows === 1 ? "" : "s"}\n`);
  } finally {
    journal.close();
  }
}

/** `FROM..TO` against the sessions the journal has, or a comma list as given. */
function sessionsOf(spec: string, available: readonly string[]): string[] {
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(spec);
  if (range) return available.filter((s) => s >= range[1]! && s <= range[2]!);
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
