/**
 * Options every command shares, and the PostgreSQL password for those that reach a fleet journal.
 */
import { readFileSync, statSync } from "node:fs";
import { type Command, Option } from "commander";
import { UsageError } from "./usage-error.js";

export const DEFAULT_JOURNAL_PATH = "data/journal.db";

/** Commands whose `--journal` may be a PostgreSQL URL (ship's URL is `--to`: it adds the option itself). */
const FLEET_READERS = new Set(["sessions", "verify", "sql", "replay", "report"]);

/**
 * The journal path: `--journal PATH`, else `JOURNAL_PATH`, else `data/journal.db`. The help names
 * the variable rather than printing its value, which may be a URL holding a password. Commands that
 * read a fleet journal also get `--password-file`.
 */
export function journalPathOption(command: Command): Command {
  const fleet = FLEET_READERS.has(command.name());
  command.addOption(
    new Option(
      "--journal <path>",
      fleet
        ? "journal file, or a postgres://user@host/db URL (env JOURNAL_PATH)"
        : "journal file (env JOURNAL_PATH)",
    ).default(...envDefault("JOURNAL_PATH", DEFAULT_JOURNAL_PATH)),
  );
  return fleet ? passwordFileOption(command) : command;
}

/**
 * A default taken from the environment, for commander's `Option.default(value, description)`:
 * the help shows `$NAME` when it is set, never the value (a URL may hold a password).
 */
export function envDefault(name: string, fallback?: string): [string | undefined, string | undefined] {
  const value = process.env[name];
  if (value !== undefined) return [value, `$${name}`];
  return [fallback, fallback === undefined ? undefined : JSON.stringify(fallback)];
}

/**
 * `--password-file F`: the PostgreSQL password is the file's first line, handed to pg as
 * PGPASSWORD before the command runs. Without it pg uses the URL's password, then PGPASSWORD, then
 * ~/.pgpass (PGPASSFILE) by itself: none of those is ever on a command line, where `ps` shows it.
 */
export function passwordFileOption(command: Command): Command {
  return command
    .option(
      "--password-file <file>",
      "PostgreSQL password: the first line of this file, mode 600 (else PGPASSWORD or ~/.pgpass)",
    )
    .hook("preAction", (self) => {
      const file = self.opts<{ passwordFile?: string }>().passwordFile;
      if (file !== undefined) process.env.PGPASSWORD = readPasswordFile(file);
    });
}

/**
 * The password in `path`: its first line. Refused unless only its owner may read it (mode 600 or
 * stricter, as libpq asks of ~/.pgpass), naming the mode and the fix.
 */
export function readPasswordFile(path: string): string {
  let mode: number;
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UsageError(`--password-file ${path}: not a file`);
    mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0)
      throw new UsageError(
        `--password-file ${path}: mode ${mode.toString(8).padStart(4, "0")} lets other users read it; make it 0600 or stricter (chmod 600 ${path})`,
      );
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--password-file ${path}: cannot read it (${(error as Error).message})`);
  }
  const password = text.split(/\r?\n/, 1)[0] ?? "";
  if (password === "")
    throw new UsageError(`--password-file ${path}: its first line is empty; put the password there`);
  return password;
}
