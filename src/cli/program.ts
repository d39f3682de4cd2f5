/**
 * The commander program: global options and subcommands. Only the subcommand named on the command
 * line is loaded (see ./commands/index.ts), so `journal --help` or `journal sessions` never pay for
 * vega, arquero, @stoqey/ib or the replay engine.
 */
import { Command } from "commander";
import { codeVersion } from "./code-version.js";
import { registerCommands } from "./commands/index.js";
import { runProgram } from "./exit-code.js";

const EXAMPLES = `
Examples:
  $ journal import data/sample/2026-02-05.jsonl      put a session into data/journal.db
  $ journal sessions                                 what the journal holds, with P&L
  $ journal day --session 2026-02-05                 the day at a glance (80 columns)
  $ journal trades --by hour                         trades sliced, with sample sizes
  $ journal replay --session 2026-02-05              rerun live's strategy: parity
  $ journal sql --format line "SELECT * FROM v_trades LIMIT 1"
  $ journal <command> --help                         a command's options and examples`;

/**
 * Build the `journal` program for `argv` (exported for tests and for the `replay` bin): the
 * subcommand `argv` names is registered in full, the others as one-line entries for the help.
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const wantsVersion = argv.slice(2).some((a) => a === "--version" || a === "-V");
  const program = new Command("journal")
    .description("Event-sourced trading journal with replayable backtests for an IB Gateway options bot")
    // The version reads git only when asked: every other command line starts without it.
    .version(
      wantsVersion ? codeVersion() : "",
      "-V, --version",
      "print the version (package + git commit) and exit",
    )
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXAMPLES)
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
