/**
 * The zod schemas, loaded on first use. Validation is synchronous (append, read, verify), so the
 * first use loads them with `require` of the ES module (Node ≥ 20.19 does this synchronously and
 * shares the instance with `import`); `loadCatalogue()` loads them ahead, asynchronously, where
 * `require` of an ES module is not available (the test runner preloads through it).
 */
import { createRequire } from "node:module";
import type * as Catalogue from "./catalogue.js";
import type * as LineSchemas from "./jsonl-schema.js";

type Modules = { catalogue: typeof Catalogue; lines: typeof LineSchemas };

let loaded: Modules | undefined;

/** Loads the schemas now (idempotent): then the first validation costs nothing extra. */
export async function loadCatalogue(): Promise<void> {
  if (loaded) return;
  const [catalogue, lines] = await Promise.all([import("./catalogue.js"), import("./jsonl-schema.js")]);
  loaded ??= { catalogue, lines };
}

function modules(): Modules {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  try {
    loaded = {
      catalogue: require("./catalogue.js") as typeof Catalogue,
      lines: require("./jsonl-schema.js") as typeof LineSchemas,
    };
  } catch (error) {
    throw new Error(
      `the event catalogue could not be loaded (${(error as Error).message}): it needs Node ≥ 20.19, which loads ES modules with require; on an older Node, await loadCatalogue() before validating`,
    );
  }
  return loaded;
}

/** The catalogue's zod schemas (`EventSchema` and the value schemas), loading them on first call. */
export function catalogueSchemas(): typeof Catalogue {
  return modules().catalogue;
}

/** The JSON-lines envelope schema of `import`, loading it on first call. */
export function importLineSchema(): typeof LineSchemas.LineSchema {
  return modules().lines.LineSchema;
}
