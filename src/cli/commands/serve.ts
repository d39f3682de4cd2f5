import { readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import { isPostgresUrl, openJournal } from "../../events/index.js";
import { startJournalServer } from "../../serve/index.js";
import { journalPathOption } from "../options.js";
import { runSqlCaptured } from "../sql-capture.js";
import { UsageError } from "../usage-error.js";

/** Rows the SQL page shows at most (a phone is not a spreadsheet; `journal sql` streams any size). */
const SQL_PAGE_ROWS = 1000;
const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

/**
 * `journal serve`: the journal as phone-first pages (now, sessions, a session's report, trades,
 * SQL), read-only, updating as the journal grows. Beyond loopback it needs a token file.
 */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("serve")
      .description(
        "serve the journal read-only over HTTP: now (live updates), sessions, a session's report, trades, SQL",
      )
      .option("--port <port>", "TCP port (0: any free one)", "8080")
      .option("--host <address>", "address to listen on (beyond loopback needs --token-file)", "127.0.0.1")
      .option("--token-file <file>", "require the token on this file's first line (mode 0600)")
      .option("--sql-timeout <seconds>", "stop a SQL page's statement after this long", "30"),
  ).action(
    async (opts: { journal: string; port: string; host: string; tokenFile?: string; sqlTimeout: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new UsageError(`--port ${opts.port}: expected 0–65535 (0: any free port)`);
      const sqlTimeout = Number(opts.sqlTimeout);
      if (!Number.isFinite(sqlTimeout) || sqlTimeout <= 0 || sqlTimeout > 3600)
        throw new UsageError(
          `--sql-timeout ${opts.sqlTimeout}: expected seconds, more than 0 and at most 3600`,
        );
      if (isPostgresUrl(opts.journal))
        throw new UsageError("journal serve reads a SQLite journal file (the Pi's); give --journal PATH");
      if (!LOOPBACK.test(opts.host) && opts.tokenFile === undefined)
        throw new UsageError(
          `--host ${opts.host} listens beyond this machine: give --token-file FILE (mode 0600, the token on its first line) so that only holders of the token read the journal`,
        );
      const token = opts.tokenFile === undefined ? undefined : readTokenFile(opts.tokenFile);
      const journal = openJournal(opts.journal, { readonly: true });
      const server = await startJournalServer({
        journal,
        journalPath: opts.journal,
        host: opts.host,
        port,
        ...(token === undefined ? {} : { token }),
        sqlTimeoutSeconds: sqlTimeout,
        clock: Date.now,
        runSql: (query) => runSqlCaptured(opts.journal, query, sqlTimeout, SQL_PAGE_ROWS),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(
        `journal serve: ${server.url} (read-only, ${opts.journal}${token === undefined ? "" : "; token required"})\n`,
      );
      await new Promise<void>((resolve) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
      });
      await server.close();
      journal.close();
    },
  );
}

/** The token: the file's first line; refused unless only its owner may read it (0600 or stricter). */
function readTokenFile(path: string): string {
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UsageError(`--token-file ${path}: not a file`);
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0)
      throw new UsageError(
        `--token-file ${path}: mode ${mode.toString(8).padStart(4, "0")} lets other users read the token; make it 0600 (chmod 600 ${path})`,
      );
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--token-file ${path}: cannot read it (${(error as Error).message})`);
  }
  const token = text.split(/\r?\n/, 1)[0]?.trim() ?? "";
  if (token.length < 16)
    throw new UsageError(
      `--token-file ${path}: its first line must be the token, at least 16 characters (e.g. openssl rand -hex 24 > ${path})`,
    );
  return token;
}
