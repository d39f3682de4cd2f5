import type { Command } from "commander";
import { openJournal, toJsonLine } from "../../events/index.js";
import { journalPathOption } from "../options.js";
import { NotFound, UsageError } from "../usage-error.js";
import { wireExportLines } from "../wire-io.js";

/** `journal export --session D`: the session's events as JSON lines on stdout. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("export")
      .description(
        "write a session's events as JSON lines to stdout (import them elsewhere with `journal import`)",
      )
      .requiredOption("--session <date>", "trading date YYYY-MM-DD")
      .option("--stream <stream>", "only this stream (default: every stream of the session)"),
  ).action(async (opts: { journal: string; session: string; stream?: string }) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.session))
      throw new UsageError(`--session ${opts.session}: expected YYYY-MM-DD`);
    const journal = openJournal(opts.journal, { readonly: true });
    try {
      const there = journal.sessionIds(opts.stream);
      if (!there.includes(opts.session))
        throw new NotFound(
          `no session ${opts.session}${opts.stream === undefined ? "" : ` in stream ${opts.stream}`} of ${opts.journal}; sessions there: ${there.join(", ") || "(none)"}`,
        );
      const filter =
        opts.stream === undefined
          ? { session: opts.session }
          : { session: opts.session, stream: opts.stream };
      let buffer = "";
      for (const event of journal.read(filter)) {
        buffer += `${toJsonLine(event)}\n`;
        if (buffer.length > 1 << 16) {
          if (!process.stdout.write(buffer)) await new Promise((r) => process.stdout.once("drain", r));
          buffer = "";
        }
      }
      // Captured frames (journal live --capture) travel with the session, after its events.
      if (opts.stream === undefined || opts.stream === "live")
        for (const line of wireExportLines(journal, opts.session)) {
          buffer += line;
          if (buffer.length > 1 << 16) {
            if (!process.stdout.write(buffer)) await new Promise((r) => process.stdout.once("drain", r));
            buffer = "";
          }
        }
      process.stdout.write(buffer);
    } finally {
      journal.close();
    }
  });
}
