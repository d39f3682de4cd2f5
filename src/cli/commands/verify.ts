import type { Command } from "commander";
import { openJournal } from "../../events/index.js";
import { journalPathOption } from "../options.js";

/** `journal verify`: hash chain, schemas and sequence; the first bad seq and a non-zero exit. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("verify")
      .description("check the hash chain, every event's schema, and that seq and pos have no gaps"),
  ).action((opts: { journal: string }) => {
    const journal = openJournal(opts.journal, { readonly: true });
    try {
      const report = journal.verify();
      if (report.ok) {
        process.stdout.write(
          `ok: ${report.checked} events, chain intact, schemas valid, no gaps (${opts.journal})\n`,
        );
      } else {
        process.stderr.write(
          `verify failed at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} (${report.checked} events before it are intact)\n`,
        );
        process.exitCode = 1;
      }
    } finally {
      journal.close();
    }
  });
}
