import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import { isPostgresUrl, openAsyncJournal, openJournal, snapshotJournal } from "../../events/index.js";
import { renderSessionReport } from "../../report/index.js";
import { journalPathOption } from "../options.js";
import { shortRunId } from "../replay-summary.js";
import { UsageError } from "../usage-error.js";

/** `journal report`: a self-contained HTML report of a session (and a replay run beside it). */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("report")
      .description(
        "write a self-contained HTML report: summary, price with decisions and fills, equity and drawdown, trades, notices",
      )
      .requiredOption("--session <date>", "trading date YYYY-MM-DD")
      .option("--stream <stream>", "the stream to report", "live")
      .option("--bot <name>", "whose session, when --journal is a PostgreSQL fleet journal")
      .option(
        "--run <id>",
        "a replay run to show beside it (replay-…, or the short id the replay table shows)",
      )
      .option(
        "--replay-journal <path>",
        "where the run is (default: data/replay.db, else the journal itself)",
      )
      .option("--out <file>", "output HTML file", "out/report.html"),
  ).action(
    async (opts: {
      journal: string;
      session: string;
      stream: string;
      bot?: string;
      run?: string;
      replayJournal?: string;
      out: string;
    }) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.session))
        throw new UsageError(`--session ${opts.session}: expected YYYY-MM-DD`);
      const journal = isPostgresUrl(opts.journal)
        ? await fleetSession(opts.journal, opts.bot, opts.stream, opts.session)
        : openJournal(opts.journal, { readonly: true });
      const replayPath = opts.run ? (opts.replayJournal ?? "data/replay.db") : null;
      const replayJournal =
        replayPath && replayPath !== opts.journal
          ? openJournal(replayPath, { readonly: true })
          : replayPath
            ? journal
            : null;
      try {
        if (!journal.sessionIds(opts.stream).includes(opts.session)) {
          throw new UsageError(
            `no session ${opts.session} in stream ${opts.stream} of ${opts.journal}; sessions there: ${journal.sessionIds(opts.stream).join(", ") || "(none)"}`,
          );
        }
        const runs = replayJournal
          ? replayJournal
              .sessions()
              .filter((s) => s.session === opts.session && s.stream.startsWith("replay-"))
              .map((s) => s.stream)
          : [];
        // The short id the replay table shows names its run as well as the full one.
        const run = runs.includes(opts.run ?? "")
          ? opts.run
          : (runs.find((r) => opts.run !== undefined && shortRunId(r) === opts.run) ?? opts.run);
        if (replayJournal && run && !runs.includes(run)) {
          throw new UsageError(
            `no run ${opts.run} for ${opts.session} in ${replayPath}; runs there: ${runs.join(", ") || "(none — run `journal replay` first)"}`,
          );
        }
        const html = await renderSessionReport({
          session: opts.session,
          live: { journal, stream: opts.stream, label: opts.stream },
          ...(replayJournal && run
            ? { replay: { journal: replayJournal, stream: run, label: "replay" } }
            : {}),
        });
        mkdirSync(dirname(opts.out), { recursive: true });
        writeFileSync(opts.out, html);
        process.stdout.write(
          `report written to ${opts.out} (${Math.round(html.length / 1024)} KB, self-contained)\n`,
        );
      } finally {
        if (replayJournal && replayJournal !== journal) replayJournal.close();
        journal.close();
      }
    },
  );
}

/** One bot's session from the fleet journal, copied into memory for the (synchronous) report. */
async function fleetSession(url: string, bot: string | undefined, stream: string, session: string) {
  if (bot === undefined)
    throw new UsageError(`${url} holds a fleet: say whose session (--bot NAME; journal sessions lists them)`);
  const fleet = await openAsyncJournal(url, { readonly: true, bot });
  try {
    return await snapshotJournal(fleet, { stream, session });
  } finally {
    await fleet.close();
  }
}
