/**
 * The commander program: global options, subcommands, and the one place errors become exit codes.
 */
import { Command, CommanderError } from "commander";
import { JournalError } from "../events/index.js";
import { registerCommands } from "./commands/index.js";

/** Build the `journal` program (exported for tests and for the `replay` bin). */
export function buildProgram(): Command {
  const program = new Command("journal")
    .description("Event-sourced trading journal with replayable backtests for an IB Gateway options bot")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerCommands(program);
  return program;
}

/**
 * Run the CLI and return the exit code: 0 ok, 1 a failure the user can act on (the message says
 * how), 2 bad usage.
 */
export async function runCli(argv: readonly string[], program = buildProgram()): Promise<number> {
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed the message; help and version are not failures.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      return 2;
    }
    if (error instanceof JournalError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

/** A bad flag value or combination; the message says which and what is accepted. */
export class UsageError extends Error {
  override name = "UsageError";
}
