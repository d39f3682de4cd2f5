/**
 * The child process that runs one `journal sql` statement and streams its rows to stdout.
 *
 * Why a child process: better-sqlite3 exposes neither `sqlite3_interrupt` nor a progress handler
 * (it is built without one), and a worker thread cannot be terminated while SQLite computes
 * inside one native call (an aggregate over an infinite recursive CTE never returns to JS). A
 * process can always be killed, and the journal is opened read-only, so killing it is harmless.
 * Rows go out as they come (`iterate()`), so memory does not grow with the result.
 */
import { once } from "node:events";
import { isPostgresUrl, JournalError, openAsyncJournal, openJournal } from "../events/index.js";
import { renderTable } from "./format.js";

/** What the parent hands over (as one JSON argument). */
export interface SqlJob {
  journal: string;
  query: string;
  format: "table" | "csv" | "json";
  maxTableRows: number;
}

/** Exit codes: 0 ok, 1 the journal cannot be used, 2 the query or its size is the problem. */
async function run(job: SqlJob): Promise<number> {
  if (/^\s*pragma\s+[\w.]+\s*=/i.test(job.query)) {
    process.stderr.write(
      "journal sql is read-only: the journal is append-only evidence and was not changed (a PRAGMA that sets a value, e.g. journal_mode, would change the file; query the journal only)\n",
    );
    return 2;
  }
  if (isPostgresUrl(job.journal)) return queryFleet(job);
  const journal = openJournal(job.journal, { readonly: true });
  try {
    let result: ReturnType<typeof journal.sql.query>;
    try {
      result = journal.sql.query(job.query);
    } catch (error) {
      return sqlError(error);
    }
    const { columns } = result;
    try {
      if (job.format === "table") return await table(columns, result.rows, job.maxTableRows);
      const out = new Chunked();
      if (job.format === "csv") {
        await out.add(`${columns.map(csvCell).join(",")}\n`);
        for (const row of result.rows) await out.add(`${row.map(csvCell).join(",")}\n`);
      } else {
        let first = true;
        await out.add("[");
        for (const row of result.rows) {
          const object: Record<string, unknown> = {};
          for (let i = 0; i < columns.length; i++) object[columns[i]!] = row[i];
          await out.add(`${first ? "" : ","}${JSON.stringify(object)}`);
          first = false;
        }
        await out.add("]\n");
      }
      await out.flush();
      return 0;
    } catch (error) {
      return sqlError(error);
    }
  } finally {
    journal.close();
  }
}

async function table(columns: string[], rows: IterableIterator<unknown[]>, max: number): Promise<number> {
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
  if (kept.length === 0) process.stdout.write("(no rows)\n");
  else process.stdout.write(`${renderTable(columns, kept)}\n(${kept.length} rows)\n`);
  return 0;
}

/**
 * A fleet journal on PostgreSQL: one statement in a read-only transaction under the reader role
 * (the database enforces it, whatever the statement looks like).
 */
async function queryFleet(job: SqlJob): Promise<number> {
  const journal = await openAsyncJournal(job.journal, { readonly: true });
  let rows: Record<string, unknown>[];
  try {
    rows = await journal.query(job.query);
  } catch (error) {
    if (/permission denied|multiple commands/i.test((error as Error).message))
      return sqlError(new Error(`read-only: ${(error as Error).message}`));
    return sqlError(error);
  } finally {
    await journal.close();
  }
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  const values = rows.map((r) => columns.map((c) => r[c]));
  if (job.format === "json") process.stdout.write(`${JSON.stringify(rows)}\n`);
  else if (job.format === "csv")
    process.stdout.write(`${[columns, ...values].map((r) => r.map(csvCell).join(",")).join("\n")}\n`);
  else return table(columns, values[Symbol.iterator](), job.maxTableRows);
  return 0;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function sqlError(error: unknown): number {
  const message = (error as Error).message;
  if (/readonly|read-only|attempt to write|does not return data|returns no rows/i.test(message)) {
    process.stderr.write(
      `journal sql is read-only: the journal is append-only evidence and was not changed (${message})\n`,
    );
    return 2;
  }
  if (error instanceof JournalError) {
    process.stderr.write(`${message}\n`);
    return 1;
  }
  process.stderr.write(`SQL error: ${message}\n`);
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

// A reader that went away (`| head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

/** The job arrives on stdin (sql-child.ts); a parent that needed no query closes it empty. */
async function readJob(): Promise<SqlJob | undefined> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text.trim() === "" ? undefined : (JSON.parse(text) as SqlJob);
}

try {
  const job = await readJob();
  if (job) process.exitCode = await run(job);
} catch (error) {
  process.stderr.write(`${error instanceof JournalError ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
