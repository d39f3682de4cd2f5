import type { Command } from "commander";
import { acquireWriterLock, checkBeforeWriting, openJournal } from "../../events/index.js";
import { rebuildProjections } from "../../projections/index.js";
import { journalPathOption } from "../options.js";

/** `journal rebuild`: drop the projection tables and fold them again from the events. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("rebuild")
      .description("drop and rebuild the projection tables (positions, orders, summaries) from the events"),
  ).action((opts: { journal: string }) => {
    // One writer per journal: refused while `journal live` (or another import) writes it.
    const lock = acquireWriterLock(opts.journal, "journal rebuild", new Date().toISOString());
    const journal = openJournal(opts.journal);
    try {
      // The whole chain, as import checks it: a rebuild reads every event anyway, and tables
      // folded from a changed row would show its change as the truth.
      checkBeforeWriting(journal, "journal rebuild", "all");
      const start = performance.now();
      const { events } = rebuildProjections(journal);
      const ms = performance.now() - start;
      process.stdout.write(`rebuilt projections from ${events} events in ${(ms / 1000).toFixed(2)} s\n`);
    } finally {
      journal.close();
      lock.release();
    }
  });
}
