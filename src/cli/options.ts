/**
 * Options every command shares.
 */
import type { Command } from "commander";

export const DEFAULT_JOURNAL_PATH = "data/journal.db";

/** The journal path: `--journal PATH`, else `JOURNAL_PATH`, else `data/journal.db`. */
export function journalPathOption(command: Command): Command {
  return command.option(
    "--journal <path>",
    "journal file (env JOURNAL_PATH)",
    process.env.JOURNAL_PATH ?? DEFAULT_JOURNAL_PATH,
  );
}
