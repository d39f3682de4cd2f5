import { hostname } from "node:os";
import { type Command, Option } from "commander";
import {
  checkBeforeWriting,
  maskPassword,
  openJournal,
  openShipTarget,
  shipJournal,
} from "../../events/index.js";
import { envDefault, journalPathOption, passwordFileOption } from "../options.js";
import { UsageError } from "../usage-error.js";

/**
 * `journal ship --to postgres://…`: copy the events the central journal lacks, exactly once and
 * resumable (run it from a timer: deploy/journal-ship.timer). It opens the SQLite file read-only,
 * so the live writer is never blocked (WAL: readers and the writer do not wait on each other).
 */
export function register(program: Command): void {
  journalPathOption(
    passwordFileOption(program.command("ship"))
      .description(
        "copy new events to a central PostgreSQL journal (exactly once, resumable, chain verified)",
      )
      .addOption(
        new Option(
          "--to <url>",
          "postgres://user@host[:port]/db (env JOURNAL_SHIP_URL); the password from --password-file, PGPASSWORD or ~/.pgpass",
        ).default(...envDefault("JOURNAL_SHIP_URL")),
      )
      .option("--bot <name>", "this bot's name in the central journal (default: the hostname)", hostname())
      .option("--batch <n>", "events per transaction", "5000")
      .option("--progress", "print a line on stderr after each batch")
      .option("--json", "one JSON object on stdout"),
  ).action(
    async (opts: {
      journal: string;
      to?: string;
      bot: string;
      batch: string;
      progress?: boolean;
      json?: boolean;
    }) => {
      if (!opts.to)
        throw new UsageError("say where to: --to postgres://user@host/db (or set JOURNAL_SHIP_URL)");
      if (!/^postgres(ql)?:\/\//i.test(opts.to))
        throw new UsageError(
          `--to ${maskPassword(opts.to)}: expected a PostgreSQL URL, postgres://user@host/db`,
        );
      if (!/^[\w.-]{1,64}$/.test(opts.bot))
        throw new UsageError(`--bot ${opts.bot}: letters, digits, '.', '_' or '-', at most 64`);
      const batchSize = Number(opts.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000)
        throw new UsageError(`--batch ${opts.batch}: expected a whole number from 1 to 50000`);
      const source = openJournal(opts.journal, { readonly: true });
      try {
        // Ship verifies each row's link as it copies, but not schemas, gaps or the guards: the
        // source is checked as live checks it (since the last verified point, which live and
        // `verify` record: ship runs every few minutes and opens the file read-only).
        checkBeforeWriting(source, "journal ship", "new");
        const target = await openShipTarget(opts.to, opts.bot);
        try {
          const result = await shipJournal(source, target, {
            batchSize,
            onBatch: (shipped, head) => {
              if (opts.progress)
                process.stderr.write(`shipped ${shipped} (bot ${opts.bot} now at seq ${head})\n`);
            },
          });
          if (opts.json)
            process.stdout.write(`${JSON.stringify({ bot: opts.bot, to: target.location, ...result })}\n`);
          else
            process.stdout.write(
              result.shipped === 0
                ? `nothing to ship: ${target.location} holds bot ${opts.bot} up to seq ${result.toSeq}, as ${opts.journal} does\n`
                : `shipped ${result.shipped} events of bot ${opts.bot} (seq ${result.fromSeq + 1}..${result.toSeq}) to ${target.location}, chain verified\n`,
            );
        } finally {
          await target.close();
        }
      } finally {
        source.close();
      }
    },
  );
}
