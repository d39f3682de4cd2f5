import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import {
  isPostgresUrl,
  maskPassword,
  openAsyncJournal,
  openJournal,
  snapshotJournal,
} from "../../events/index.js";
import { buildCalendar, findBaselineRun, renderCalendar, renderSessionReport } from "../../report/index.js";
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
      .option("--session <date>", "trading date YYYY-MM-DD")
      .option(
        "--sessions <range>",
        "a calendar of sessions A..B (YYYY-MM-DD..YYYY-MM-DD): P&L and trades per day",
      )
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
      session?: string;
      sessions?: string;
      stream: string;
      bot?: string;
      run?: string;
      replayJournal?: string;
      out: string;
    }) => {
      if (opts.sessions !== undefined) return writeCalendar(opts);
      if (opts.session === undefined)
        throw new UsageError("give --session YYYY-MM-DD, or --sessions A..B for a calendar");
      const session = opts.session;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(session))
        throw new UsageError(`--session ${session}: expected YYYY-MM-DD`);
      const journal = isPostgresUrl(opts.journal)
        ? await fleetSession(opts.journal, opts.bot, opts.stream, session)
        : openJournal(opts.journal, { readonly: true });
      const replayPath = opts.run ? (opts.replayJournal ?? "data/replay.db") : null;
      const replayJournal =
        replayPath && replayPath !== opts.journal
          ? openJournal(replayPath, { readonly: true })
          : replayPath
            ? journal
            : null;
      try {
        if (!journal.sessionIds(opts.stream).includes(session)) {
          throw new UsageError(
            `no session ${opts.session} in stream ${opts.stream} of ${maskPassword(opts.journal)}; sessions there: ${journal.sessionIds(opts.stream).join(", ") || "(none)"}`,
          );
        }
        const runs = replayJournal
          ? replayJournal
              .sessions()
              .filter((s) => s.session === session && s.stream.startsWith("replay-"))
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
        const baseline =
          replayJournal && run ? findBaselineRun(replayJournal, journal, opts.stream, session, run) : null;
        const html = await renderSessionReport({
          session,
          live: { journal, stream: opts.stream, label: opts.stream },
          ...(replayJournal && run
            ? { replay: { journal: replayJournal, stream: run, label: baseline ? "what-if" : "replay" } }
            : {}),
          ...(replayJournal && baseline
            ? { baseline: { journal: replayJournal, stream: baseline, label: "baseline" } }
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
    throw new UsageError(
      `${maskPassword(url)} holds a fleet: say whose session (--bot NAME; journal sessions lists them)`,
    );
  const fleet = await openAsyncJournal(url, { readonly: true, bot });
  try {
    return await snapshotJournal(fleet, { stream, session });
  } finally {
    await fleet.close();
  }
}

/** `journal report --sessions A..B`: the calendar page, and its totals on stdout. */
function writeCalendar(opts: { journal: string; sessions?: string; stream: string; out: string }): void {
  const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(opts.sessions ?? "");
  if (!m || m[1]! > m[2]!)
    throw new UsageError(`--sessions ${opts.sessions}: expected A..B, two YYYY-MM-DD dates, A not after B`);
  const journal = openJournal(opts.journal, { readonly: true });
  try {
    const calendar = buildCalendar(journal, opts.stream, m[1]!, m[2]!);
    if (calendar.days.length === 0)
      throw new UsageError(
        `no session of stream ${opts.stream} from ${m[1]} to ${m[2]} in ${opts.journal}; sessions there: ${journal.sessionIds(opts.stream).join(", ") || "(none)"}`,
      );
    const html = renderCalendar(calendar);
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, html);
    const t = calendar.totals;
    process.stdout.write(
      `${calendar.days.map((d) => `${d.session}  ${d.figures.netPnlUsd.toFixed(2).padStart(10)} USD  ${String(d.figures.trades).padStart(3)} trades`).join("\n")}\n` +
        `${t.sessions} sessions, ${t.trades} trades, net ${t.netPnlUsd.toFixed(2)} USD; worst day ${calendar.worst!.session} (${calendar.worst!.netPnlUsd.toFixed(2)})\n` +
        `calendar written to ${opts.out}\n`,
    );
  } finally {
    journal.close();
  }
}
