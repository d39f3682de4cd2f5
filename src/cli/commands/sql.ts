import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { openAsyncJournal } from "../../events/index.js";
import { renderTable } from "../format.js";
import { journalPathOption } from "../options.js";
import { UsageError } from "../usage-error.js";

/** `journal sql`: read-only SQL over the journal and its post-mortem views (docs/sql.md). */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("sql")
      .description(
        "run read-only SQL over the journal and its views (v_bars, v_quotes, v_decisions, v_orders, v_fills, v_notices, v_cycles, v_health)",
      )
      .argument("[query]", 'SQL, e.g. "SELECT * FROM v_orders"')
      .option("--file <file>", "read the SQL from a file")
      .option("--format <format>", "table, csv or json", "table"),
  ).action(async (query: string | undefined, opts: { journal: string; file?: string; format: string }) => {
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
    // Read-only at the connection (SQLite) or in a read-only transaction under the reader role
    // (PostgreSQL): a write fails inside the database, whatever the statement looks like.
    const journal = await openAsyncJournal(opts.journal, { readonly: true });
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
    if (opts.format === "json") process.stdout.write(`${JSON.stringify(rows)}\n`);
    else if (opts.format === "csv") {
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
  });
}
