/**
 * The child process that runs one `journal sql` statement and streams its rows to stdout.
 *
 * Why a child process: better-sqlite3 exposes neither `sqlite3_interrupt` nor a progress handler
 * (it is built without one), and a worker thread cannot be terminated while SQLite computes
 * inside one native call (an aggregate over an infinite recursive CTE never returns to JS). A
 * process can always be killed, and the journal is opened read-only, so killing it is harmless.
 * Rows go out as they come (`iterate()`), so memory does not grow with the result. The child dies
 * with its parent (parent-watch.ts): a query never outlives the command that asked for it.
 */
import { once } from "node:events";
import { isPostgresUrl, JournalError, openAsyncJournal, openJournal, printable } from "../events/index.js";
import { boxedWidth, renderLine, renderTable, tableCanFit, tableWidths } from "./format.js";
import { dieWithParent } from "./parent-watch.js";
import { csvRecord, jsonObjects, SQL_ROWS_CUT } from "./sql-output.js";
import { guardStdout } from "./stdout-failure.js";

/** What the parent hands over (as one JSON line on stdin). */
export interface SqlJob {
  journal: string;
  query: string;
  format: "table" | "csv" | "json" | "line";
  maxTableRows: number;
  /** json only: stop after this many rows, saying so on stderr (`journal serve`'s SQL page). */
  maxJsonRows?: number;
  /** A PostgreSQL password read from `--password-file` (this child was started before it was read). */
  pgPassword?: string;
}

/** The read-only refusal: one line whatever the statement, exit 2 (as for every usage mistake). */
function readOnly(reason: string): number {
  process.stderr.write(`journal sql is read-only: ${printable(reason, "")}\n`);
  return 2;
}

/** Exit codes: 0 ok, 1 the journal cannot be used, 2 the query or its size is the problem. */
async function run(job: SqlJob): Promise<number> {
  if (isPostgresUrl(job.journal)) return queryFleet(job);
  const journal = openJournal(job.journal, { readonly: true });
  try {
    let result: ReturnType<typeof journal.sql.query>;
    try {
      result = journal.sql.query(job.query);
    } catch (error) {
      return sqlError(error);
    }
    try {
      return await writeRows(result.columns, result.rows, job);
    } catch (error) {
      return sqlError(error);
    }
  } finally {
    journal.close();
  }
}

/** The rows in the job's format: csv and json streamed, a table held (it is aligned). */
async function writeRows(columns: string[], rows: Iterable<unknown[]>, job: SqlJob): Promise<number> {
  if (job.format === "table") return table(columns, rows, job.maxTableRows);
  const out = new Chunked();
  if (job.format === "line") {
    let count = 0;
    for (const row of rows) await out.add(`${count++ === 0 ? "" : "\n"}${renderLine(columns, row)}\n`);
    if (count === 0) await out.add("(no rows)\n");
  } else if (job.format === "csv") {
    // A person reading a terminal gets control characters escaped; a pipe gets the bytes.
    const tty = process.stdout.isTTY === true;
    await out.add(`${csvRecord(columns, tty)}\n`);
    for (const row of rows) await out.add(`${csvRecord(row, tty)}\n`);
  } else {
    const object = jsonObjects(columns);
    let first = true;
    await out.add("[");
    let count = 0;
    for (const row of rows) {
      if (count === job.maxJsonRows) {
        process.stderr.write(`${SQL_ROWS_CUT} ${count} rows\n`);
        break;
      }
      await out.add(`${first ? "" : ","}${object(row)}`);
      first = false;
      count++;
    }
    await out.add("]\n");
  }
  await out.flush();
  return 0;
}

async function table(columns: string[], rows: Iterable<unknown[]>, max: number): Promise<number> {
  const kept: unknown[][] = [];
  for (const row of rows) {
    if (kept.length === max) {
      process.stderr.write(
        `the result has more than ${max} rows, too many for --format table (it is aligned, so it must hold them all); use --format csv or --format json (streamed, any size), or add a LIMIT\n`,
      );
      return 2;
    }
    kept.push(row);
  }
  if (kept.length === 0) {
    process.stdout.write("(no rows)\n");
    return 0;
  }
  const width = terminalWidth();
  if (
    width !== undefined &&
    boxedWidth(tableWidths(columns, kept)) > width &&
    !tableCanFit(columns.length, width)
  ) {
    // Too many columns for this terminal even cut short: one row at a time, every value whole.
    process.stdout.write(
      `${kept.map((row) => renderLine(columns, row)).join("\n\n")}\n(${kept.length} rows)\n`,
    );
    return 0;
  }
  process.stdout.write(`${renderTable(columns, kept, width)}\n(${kept.length} rows)\n`);
  return 0;
}

/**
 * The terminal's width when a person reads the table (stdout a terminal), or COLUMNS when set
 * (as shells export it); undefined into a pipe or a file, where the table is never cut.
 */
function terminalWidth(): number | undefined {
  const fromEnv = Number(process.env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns : undefined;
}

/**
 * A fleet journal on PostgreSQL: one statement in a read-only transaction under the reader role
 * (the database enforces it, whatever the statement looks like).
 */
async function queryFleet(job: SqlJob): Promise<number> {
  // pg reads PGPASSWORD (and ~/.pgpass) itself when the URL holds no password.
  if (job.pgPassword !== undefined) process.env.PGPASSWORD = job.pgPassword;
  let rows: Record<string, unknown>[];
  try {
    const journal = await openAsyncJournal(job.journal, { readonly: true });
    try {
      rows = await journal.query(job.query);
    } finally {
      await journal.close();
    }
  } catch (error) {
    if (/permission denied|read-only transaction|multiple commands/i.test((error as Error).message))
      return readOnly(`the journal was not changed (${(error as Error).message})`);
    return sqlError(error);
  }
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  return writeRows(
    columns,
    rows.map((r) => columns.map((c) => r[c])),
    job,
  );
}

function sqlError(error: unknown): number {
  const message = (error as Error).message;
  if ((error as { code?: unknown }).code === "STATEMENT_WOULD_WRITE")
    return readOnly(
      "this statement would change the journal (a write, DDL, ATTACH, VACUUM or a PRAGMA that sets a value) and was not run; the journal is append-only evidence — query it with SELECT, or experiment on a copy (journal backup --out copy.db)",
    );
  if (/readonly|read-only|attempt to write/i.test(message))
    return readOnly(`the journal was not changed (${message})`);
  if (error instanceof JournalError) {
    process.stderr.write(`${message}\n`);
    return 1;
  }
  // SQLite's messages quote the statement ("near "…": syntax error"): escaped like any input.
  process.stderr.write(`SQL error: ${printable(message, "")}\n`);
  return 2;
}

/** Output in 64 KB writes, waiting for stdout to drain: memory stays flat whatever the reader's pace. */
class Chunked {
  private buffer = "";
  async add(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= 1 << 16) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buffer === "") return;
    const ok = process.stdout.write(this.buffer);
    this.buffer = "";
    if (!ok) await once(process.stdout, "drain");
  }
}

// A reader that went away (`| head`) is not an error; a full disk under the output ends the query
// with one line and exit 1, as every one-shot command's output does (stdout-failure.ts).
guardStdout(false);

/** The job arrives on stdin (sql-child.ts); a parent that needed no query closes it empty. */
async function readJob(): Promise<SqlJob | undefined> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text.trim() === "" ? undefined : (JSON.parse(text) as SqlJob);
}

// First, while the parent still parses its command line (the thread's start-up overlaps it).
dieWithParent();
// A promise rather than a top-level await: the build bundles this file as CommonJS (bundle-cli.mjs).
readJob()
  .then(async (job) => {
    if (job) process.exitCode = await run(job);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof JournalError ? error.message : printable(String(error))}\n`);
    process.exitCode = 1;
  });
