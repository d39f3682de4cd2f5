import type { Command } from "commander";
import { openJournal } from "../../events/index.js";
import { duration, newYorkTime, renderTable } from "../format.js";
import { journalPathOption } from "../options.js";

/** `journal sessions`: every stream+session in the journal with counts and time span. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("sessions")
      .description("list sessions (trading dates, New York) per stream, with event counts and time span")
      .option("--stream <stream>", "only this stream (live, or a replay run id)")
      .option("--json", "one JSON array on stdout"),
  ).action((opts: { journal: string; stream?: string; json?: boolean }) => {
    const journal = openJournal(opts.journal, { readonly: true });
    try {
      const rows = journal.sessions(opts.stream);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write(`no sessions in ${opts.journal}\n`);
        return;
      }
      process.stdout.write(
        `${renderTable(
          ["stream", "session", "events", "first (New York)", "last (New York)", "span"],
          rows.map((r) => [
            r.stream,
            r.session,
            r.events,
            newYorkTime(r.firstTs),
            newYorkTime(r.lastTs),
            duration(r.lastTs - r.firstTs),
          ]),
        )}\n`,
      );
    } finally {
      journal.close();
    }
  });
}
