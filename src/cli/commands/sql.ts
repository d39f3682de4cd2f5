import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { isPostgresUrl } from "../../events/index.js";
import { renderTable } from "../format.js";
import { journalPathOption } from "../options.js";
import { releaseSqlChild, takeSqlChild } from "../sql-child.js";
import type { SqlJob } from "../sql-runner.js";
import { UsageError } from "../usage-error.js";

/** Rows `--format table` holds before it refuses (an aligned table needs them all in memory). */
const MAX_TABLE_ROWS = 10_000;

/**
 * `journal sql`: read-only SQL over the journal and its post-mortem views (docs/sql.md), with a
 * time limit that really stops the statement (it runs in a child process, killed at --timeout)
 * and output streamed as it is produced.
 */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("sql")
      .description(
        "run read-only SQL over the journal and its views (v_bars, v_quotes, v_decisions, v_orders, v_fills, v_notices, v_cycles, v_health)",
      )
      .argument("[query]", 'SQL, e.g. "SELECT * FROM v_orders"')
      .option("--file <file>", "read the SQL from a file")
      .option(
        "--format <format>",
        `table (≤ ${MAX_TABLE_ROWS} rows), csv or json (streamed, any size)`,
        "table",
      )
      .option("--timeout <seconds>", "stop the statement after this long (0: no limit)", "300"),
  ).action(
    async (
      query: string | undefined,
      opts: { journal: string; file?: string; format: string; timeout: string },
    ) => {
      // Any way out but running the query lets the runner started early go.
      try {
        await action(query, opts);
      } finally {
        releaseSqlChild();
      }
    },
  );
}

async function action(
  query: string | undefined,
  opts: { journal: string; file?: string; format: string; timeout: string },
): Promise<void> {
  let text = query;
  if (opts.file !== undefined) {
    try {
      text = readFileSync(opts.file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${opts.file}: ${(error as Error).message}`);
    }
  }
  if (!text?.trim())
    throw new UsageError('give a query: journal sql "SELECT * FROM v_cycles" (or --file q.sql)');
  if (!["table", "csv", "json"].includes(opts.format))
    throw new UsageError(`--format ${opts.format}: expected table, csv or json`);
  const timeout = Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout < 0)
    throw new UsageError(`--timeout ${opts.timeout}: expected seconds ≥ 0 (0: no limit)`);
  if (isPostgresUrl(opts.journal)) return queryFleet(opts.journal, text, opts.format);
  const job: SqlJob = {
    journal: opts.journal,
    query: text,
    format: opts.format as SqlJob["format"],
    maxTableRows: MAX_TABLE_ROWS,
  };
  const code = await runChild(job, timeout);
  if (code === "timeout") {
    process.stderr.write(
      `journal sql: stopped after ${timeout} s (--timeout); the journal was only read. Narrow the query (WHERE, LIMIT) or raise --timeout\n`,
    );
    process.exitCode = 1;
  } else if (code !== 0) process.exitCode = code;
}

function runChild(job: SqlJob, timeoutSeconds: number): Promise<number | "timeout"> {
  return new Promise((resolve, reject) => {
    const child = takeSqlChild();
    child.stdin?.end(`${JSON.stringify(job)}\n`);
    let timedOut = false;
    const timer =
      timeoutSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            // SIGKILL: SQLite may be deep inside one native call that nothing else can stop.
            child.kill("SIGKILL");
          }, timeoutSeconds * 1000)
        : undefined;
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) resolve("timeout");
      else resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/**
 * A fleet journal on PostgreSQL: one statement in a read-only transaction under the reader role
 * (the database enforces it), answered in this process.
 */
async function queryFleet(location: string, text: string, format: string): Promise<void> {
  // Read-only at the connection (SQLite) or in a read-only transaction under the reader role
  // (PostgreSQL): a write fails inside the database, whatever the statement looks like.
  const { openAsyncJournal } = await import("../../events/index.js");
  const journal = await openAsyncJournal(location, { readonly: true });
  let rows: Record<string, unknown>[];
  try {
    rows = await journal.query(text);
  } catch (error) {
    const message = (error as Error).message;
    if (
      /readonly|read-only|attempt to write|does not return data|permission denied|multiple commands/i.test(
        message,
      )
    ) {
      throw new UsageError(
        `journal sql is read-only: the journal is append-only evidence and was not changed (${message})`,
      );
    }
    throw new UsageError(`SQL error: ${message}`);
  } finally {
    await journal.close();
  }
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  if (format === "json") process.stdout.write(`${JSON.stringify(rows)}\n`);
  else if (format === "csv") {
    const cell = (v: unknown) => {
      const s = v === null || v === undefined ? "" : String(v);
      return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    };
    process.stdout.write(
      `${[columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n")}\n`,
    );
  } else if (rows.length === 0) process.stdout.write("(no rows)\n");
  else
    process.stdout.write(
      `${renderTable(
        columns,
        rows.map((r) => columns.map((c) => r[c])),
      )}\n(${rows.length} rows)\n`,
    );
}
