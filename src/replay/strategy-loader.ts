/**
 * Load a strategy by name (shipped) or from a user's TypeScript/JavaScript module implementing the
 * contract (its default export, or an export named `strategy`). TypeScript loads through tsx.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type AnyStrategy, contractViolations, findStrategy, shippedStrategies } from "../strategy/index.js";
import { importEsm } from "../vendor/index.js";

/** A strategy that cannot be used, with what it lacks. */
export class StrategyRejected extends Error {
  readonly code = "STRATEGY_REJECTED";
}

export async function loadStrategy(spec: string): Promise<AnyStrategy> {
  const shipped = findStrategy(spec);
  if (shipped) return shipped;
  const path = resolve(spec);
  if (!existsSync(path)) {
    throw new StrategyRejected(
      `strategy "${spec}" is neither a shipped strategy (${shippedStrategies.map((s) => s.name).join(", ")}) nor a file`,
    );
  }
  let module: Record<string, unknown>;
  try {
    if (/\.[cm]?ts$/.test(path)) {
      const { tsImport } = await importEsm<typeof import("tsx/esm/api")>("tsx/esm/api");
      module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
    } else {
      module = await importEsm<Record<string, unknown>>(pathToFileURL(path).href);
    }
  } catch (error) {
    throw new StrategyRejected(`strategy file ${spec} failed to load: ${(error as Error).message}`);
  }
  // tsx may wrap a module's exports once more under `default` (CommonJS interop).
  const exports =
    typeof module.default === "object" && module.default !== null && "default" in module.default
      ? (module.default as Record<string, unknown>)
      : module;
  const candidate = exports.strategy ?? exports.default;
  const problems = contractViolations(candidate);
  if (problems.length > 0) {
    throw new StrategyRejected(
      `${spec} does not implement the strategy contract: it lacks ${problems.join(", ")} (export it as default or as "strategy")`,
    );
  }
  return candidate as AnyStrategy;
}
