import type { Command } from "commander";
import { openAsyncJournal } from "../../events/index.js";
import { journalPathOption } from "../options.js";

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
      if (report.ok) {
        process.stdout.write(
          `ok: ${report.checked} events, chain intact, schemas valid, no gaps (${journal.location})\n`,
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
