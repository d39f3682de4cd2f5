/**
 * The commander program: global options and subcommands. Only the subcommand named on the command
 * line is loaded (see ./commands/index.ts), so `journal --help` or `journal sessions` never pay for
 * vega, arquero, @stoqey/ib or the replay engine.
 */
import { Command } from "commander";
import { registerCommands } from "./commands/index.js";
import { runProgram } from "./exit-code.js";

/**
 * Build the `journal` program for `argv` (exported for tests and for the `replay` bin): the
 * subcommand `argv` names is registered in full, the others as one-line entries for the help.
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command("journal")
    .description("Event-sourced trading journal with replayable backtests for an IB Gateway options bot")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  await registerCommands(program, argv.slice(2));
  return program;
}

/**
 * Run the CLI and return the exit code: 0 ok, 1 a failure the user can act on (the message says
 * how), 2 bad usage.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  return runProgram(await buildProgram(argv), argv);
}
