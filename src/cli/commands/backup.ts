import type { Command } from "commander";
import { backupJournal } from "../../events/index.js";
import { journalPathOption } from "../options.js";

/** `journal backup --out FILE`: a consistent, verified copy, safe while live mode appends. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("backup")
      .description(
        "copy the journal to --out while it may be written (SQLite online backup: includes the -wal), verify the copy, then rename it into place atomically; --out may be a new file or an earlier backup, never the journal or one of its files",
      )
      .requiredOption("--out <file>", "where the copy goes (replaced atomically only once it verifies)")
      .option(
        "--force",
        "replace an existing --out that is not a journal (never the journal's own -wal, -shm, -seq, .lock or .clientid)",
      ),
  ).action(async (opts: { journal: string; out: string; force?: boolean }) => {
    const start = performance.now();
    const result = await backupJournal(opts.journal, opts.out, () => {}, { force: opts.force === true });
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    process.stdout.write(
      `backed up ${result.events} events (${(result.bytes / 1e6).toFixed(1)} MB) from ${opts.journal} to ${result.out} in ${seconds} s; the copy verifies (integrity_check and hash chain)\n`,
    );
  });
}
