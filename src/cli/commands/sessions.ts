import type { Command } from "commander";
import { openAsyncJournal } from "../../events/index.js";
import { duration, newYorkTime, renderTable } from "../format.js";
import { journalPathOption } from "../options.js";

/** `journal sessions`: every stream+session in the journal with counts and time span. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("sessions")
      .description("list sessions (trading dates, New York) per stream, with event counts and time span")
      .option("--stream <stream>", "only this stream (live, or a replay run id)")
      .option("--bot <name>", "only this bot (a PostgreSQL fleet journal)")
      .option("--json", "one JSON array on stdout"),
  ).action(async (opts: { journal: string; stream?: string; bot?: string; json?: boolean }) => {
    const journal = await openAsyncJournal(opts.journal, {
      readonly: true,
      ...(opts.bot === undefined ? {} : { bot: opts.bot }),
    });
    try {
      const rows = await journal.sessions(opts.stream);
      // A fleet journal (PostgreSQL) says whose each session is.
      const fleet = rows.some((r) => r.bot !== undefined);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write(`no sessions in ${journal.location}\n`);
        return;
      }
      process.stdout.write(
        `${renderTable(
          [
            ...(fleet ? ["bot"] : []),
            "stream",
            "session",
            "events",
            "first (New York)",
            "last (New York)",
            "span",
          ],
          rows.map((r) => [
            ...(fleet ? [r.bot ?? ""] : []),
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
      await journal.close();
    }
  });
}
