/**
 * Where errors become exit codes: 0 ok, 1 a failure the user can act on (the message says how),
 * 2 bad usage. A user's mistake prints one line, never a stack trace; a stack is printed only for
 * what can only be a bug.
 */
import { type Command, CommanderError } from "commander";
import { DEFAULT_JOURNAL_PATH } from "./options.js";
import { printableError } from "./printable-error.js";
import { NotFound, UsageError } from "./usage-error.js";

/** Parse `argv` with `program` (built with `exitOverride()`) and return the exit code. */
export async function runProgram(program: Command, argv: readonly string[]): Promise<number> {
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return exitCodeOf(await printableError(error), argv);
  }
}

/**
 * Print what the user needs to read about `error` and return the exit code it maps to. `argv`
 * names the journal for a SQLite failure that escaped the store without naming its file.
 */
export async function exitCodeOf(error: unknown, argv: readonly string[] = []): Promise<number> {
  if (error instanceof CommanderError) {
    // commander already printed the message; help and version are not failures.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
    return 2;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (error instanceof NotFound) {
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  // Loaded only on this path: `--help` must not pay for the journal's modules.
  const { JournalError, describeSqliteFailure } = await import("../events/index.js");
  if (error instanceof JournalError) {
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  // A damaged file, a full disk, a lock held elsewhere: words, not a stack, wherever it was met.
  const sqlite = String((error as { code?: unknown } | null)?.code ?? "").startsWith("SQLITE_")
    ? describeSqliteFailure(journalOf(argv), error)
    : undefined;
  if (sqlite) {
    process.stderr.write(`${sqlite.message}\n`);
    return 1;
  }
  const system = systemError(error);
  if (system) {
    process.stderr.write(`${system}\n`);
    return 1;
  }
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n` +
      "(this is a bug, not something you did: please report it with the command you ran)\n",
  );
  return 1;
}

/** An error from the operating system (a path that does not exist, no permission, a disk full). */
function systemError(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const { code, syscall, path } = error as { code?: unknown; syscall?: unknown; path?: unknown };
  if (typeof code !== "string" || typeof syscall !== "string") return null;
  const hint: Record<string, string> = {
    ENOENT: "check the path (or create its folder)",
    EACCES: "check the file's permissions",
    EPERM: "check the file's permissions",
    ENOSPC: "the disk is full: free space on it (df -h) and retry",
    EDQUOT: "the disk quota is used up: free space in it and retry",
    EPIPE: "the reader of the output went away before it ended (the output is incomplete)",
    EISDIR: "give a file, not a folder",
    ENOTDIR: "a part of the path is a file, not a folder",
  };
  return `${syscall}${typeof path === "string" ? ` ${path}` : ""}: ${code}${hint[code] ? ` — ${hint[code]}` : ""}`;
}

/** The journal a command line names (`--journal P`, `--journal=P`, else JOURNAL_PATH or the default). */
function journalOf(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--journal" && argv[i + 1] !== undefined) return argv[i + 1]!;
    if (arg.startsWith("--journal=")) return arg.slice("--journal=".length);
  }
  return process.env.JOURNAL_PATH ?? DEFAULT_JOURNAL_PATH;
}
