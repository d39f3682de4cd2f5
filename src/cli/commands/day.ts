import type { Command } from "commander";
import { type Journal, openJournal } from "../../events/index.js";
import { renderDay } from "../day-render.js";
import { dayView } from "../day-view.js";
import { journalPathOption } from "../options.js";
import { requireSession } from "../session-check.js";

const EXAMPLES = `
Examples:
  $ journal day --session 2026-02-05                      live's day at a glance
  $ journal day --session 2026-02-05 --runs data/replay.db   with the replay runs written there
  $ journal day --session 2026-02-05 --json               the same figures for a script`;

interface DayOptions {
  journal: string;
  session: string;
  stream: string;
  runs?: string[];
  json?: boolean;
}

/** `journal day`: one session on one screen (80 columns). */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("day")
      .description(
        "one session at a glance, in 80 columns: net, gross, fees, trades, win rate, drawdown, P&L by greek, by symbol and exit, stops against plan, what the notices cost, best and worst trades, the day's replay runs",
      )
      .requiredOption("--session <date>", "trading date YYYY-MM-DD")
      .option("--stream <stream>", "live, or a replay run id", "live")
      .option(
        "--runs <file...>",
        "also list the replay runs of the day kept in these journals (e.g. data/replay.db)",
      )
      .option("--json", "the day's figures as one JSON object")
      .addHelpText("after", EXAMPLES),
  ).action((opts: DayOptions) => {
    const journal = openJournal(opts.journal, { readonly: true });
    const runs: Journal[] = [];
    try {
      requireSession(opts.session, journal.sessionIds(opts.stream), opts.journal, opts.stream);
      for (const path of opts.runs ?? []) runs.push(openJournal(path, { readonly: true }));
      const view = dayView({ journal, stream: opts.stream, session: opts.session, runs });
      process.stdout.write(opts.json ? `${JSON.stringify(view)}\n` : renderDay(view));
    } finally {
      for (const r of runs) r.close();
      journal.close();
    }
  });
}
