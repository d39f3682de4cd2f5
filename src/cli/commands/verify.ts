import type { Command } from "commander";
import { isPostgresUrl, openAsyncJournal } from "../../events/index.js";
import { journalPathOption } from "../options.js";
import { verifyWire } from "./wire-io.js";

/** `journal verify`: hash chain, schemas and sequence; the first bad seq and a non-zero exit. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("verify")
      .description("check the hash chain, every event's schema, and that seq and pos have no gaps"),
  ).action(async (opts: { journal: string }) => {
    const journal = await openAsyncJournal(opts.journal, { readonly: true });
    try {
      const report = await journal.verify();
      // Captured frames (a SQLite journal's wire_frames) are checked after the events.
      const wire = report.ok && !isPostgresUrl(opts.journal) ? verifyWire(opts.journal) : null;
      if (wire && !wire.ok) {
        process.stderr.write(
          `verify failed at wire frame seq ${wire.firstBad?.seq}: ${wire.firstBad?.problem} (${report.checked} events and ${wire.checked} frames before it are intact)\n`,
        );
        process.exitCode = 1;
      } else if (report.ok) {
        process.stdout.write(
          `ok: ${report.checked} events${wire && wire.checked > 0 ? ` and ${wire.checked} wire frames` : ""}, chain intact, schemas valid, no gaps (${journal.location})\n`,
        );
      } else {
        process.stderr.write(
          `verify failed at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} (${report.checked} events before it are intact)\n`,
        );
        process.exitCode = 1;
      }
    } finally {
      await journal.close();
    }
  });
}
