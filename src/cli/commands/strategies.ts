import type { Command } from "commander";
import { shippedStrategies } from "../../strategy/index.js";
import { describeParams, paramLines } from "../strategy-params.js";

/** `journal strategies`: the shipped strategies and what `--param` accepts for each. */
export function register(program: Command): void {
  program
    .command("strategies")
    .description(
      "list the shipped strategies and their parameters (types and defaults), as `replay --strategy` and `--param` take them",
    )
    .option("--json", "one JSON array on stdout")
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify(
            shippedStrategies.map((s) => ({
              name: s.name,
              version: s.version,
              description: s.description,
              params: describeParams(s),
            })),
          )}\n`,
        );
        return;
      }
      const blocks = shippedStrategies.map(
        (s) =>
          `${s.name} ${s.version}: ${s.description}\n${paramLines(s).join("\n")}\n` +
          `  e.g. npx replay --session 2026-02-04 --strategy ${s.name} --param ${describeParams(s)[0]?.name ?? "name"}=…`,
      );
      process.stdout.write(
        `${blocks.join("\n\n")}\n\nA strategy of your own: --strategy path/to/strategy.ts, a module whose default export implements the Strategy contract (src/strategy/contract.ts).\n`,
      );
    });
}
