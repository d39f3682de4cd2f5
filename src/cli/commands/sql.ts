import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { journalPathOption } from "../options.js";
import { takeSqlChild } from "../sql-child.js";
import type { SqlJob } from "../sql-runner.js";
import { UsageError } from "../usage-error.js";

/** Rows `--format table` holds before it refuses (an aligned table needs them all in memory). */
const MAX_TABLE_ROWS = 10_000;

/**
 * The longest `--timeout`: 7 days, far beyond any post-mortem query and safely under the largest
 * delay one Node timer holds (2^31 − 1 ms, 24.8 days; a longer one fires at once).
 */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
const MAX_TIMER_MS = 2 ** 31 - 1;

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
        `table (≤ ${MAX_TABLE_ROWS} rows, cut to the terminal's width), line (one "column = value" per line, rows apart), csv or json (streamed, any size)`,
        "table",
      )
      .option(
        "--timeout <seconds>",
        `stop the statement after this long, at most ${MAX_TIMEOUT_SECONDS} (7 days; 0: no limit)`,
        "300",
      )
      .addHelpText(
        "after",
        `
Examples:
  $ journal sql "SELECT session, net_pnl_usd FROM proj_session_summary"
  $ journal sql --format line "SELECT * FROM v_trades WHERE stream = 'live' LIMIT 2"
  $ journal sql --file q.sql --format csv > out.csv
The views and their columns: docs/sql.md`,
      ),
  ).action(runSql);
}

async function runSql(
  query: string | undefined,
  opts: { journal: string; file?: string; format: string; timeout: string; passwordFile?: string },
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
  if (!["table", "line", "csv", "json"].includes(opts.format))
    throw new UsageError(`--format ${opts.format}: expected table, line, csv or json`);
  const timeout = Number(opts.timeout);
  if (opts.timeout.trim() === "" || !Number.isFinite(timeout) || timeout < 0)
    throw new UsageError(`--timeout ${opts.timeout}: expected seconds ≥ 0 (0: no limit)`);
  if (timeout > MAX_TIMEOUT_SECONDS)
    throw new UsageError(
      `--timeout ${opts.timeout}: at most ${MAX_TIMEOUT_SECONDS} s (7 days); for no limit at all give --timeout 0`,
    );
  const job: SqlJob = {
    journal: opts.journal,
    query: text,
    format: opts.format as SqlJob["format"],
    maxTableRows: MAX_TABLE_ROWS,
    // The child started before --password-file was read (sql-child.ts): it gets the password here,
    // on its stdin, never on a command line.
    ...(opts.passwordFile !== undefined && process.env.PGPASSWORD !== undefined
      ? { pgPassword: process.env.PGPASSWORD }
      : {}),
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
  // Refused above --timeout's maximum, so one timer holds it (a bigger delay would fire at once).
  const timeoutMs = Math.min(Math.round(timeoutSeconds * 1000), MAX_TIMER_MS);
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
          }, timeoutMs)
        : undefined;
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) resolve("timeout");
      else resolve(code ?? (signal ? 1 : 0));
    });
  });
}
