#!/usr/bin/env node
/**
 * After tsc and the slim zod: bundle the `journal sql` child (dist/src/cli/sql-runner.js and the
 * 65 modules it loads) into dist/sql-runner/. Every query starts a second Node process (see
 * src/cli/sql-runner.ts for why), and resolving, reading and linking that many small modules was
 * about 40 ms of the ~180 ms the child took before its first row; one file loads in a fraction.
 *
 * Packages stay outside (better-sqlite3 is native; pg and kysely load only for a fleet journal).
 * Lazy imports stay lazy, as chunks of their own. The catalogue's schemas are loaded on first use
 * with `require("./catalogue.js")` next to the loader (catalogue-lazy.ts), so those two chunks
 * keep their module names and everything lands in one folder: the same relative path holds in the
 * bundle as in dist/src/events/catalogue/. test/cli/sql-runner-bundle.test.ts checks both.
 */
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const SQL_RUNNER_BUNDLE = join(ROOT, "dist", "sql-runner");
const CATALOGUE = join(ROOT, "dist", "src", "events", "catalogue");

export function bundleSqlRunner() {
  rmSync(SQL_RUNNER_BUNDLE, { recursive: true, force: true });
  buildSync({
    entryPoints: [
      join(ROOT, "dist", "src", "cli", "sql-runner.js"),
      // The lazily required schema modules, by name (see above).
      join(CATALOGUE, "catalogue.js"),
      join(CATALOGUE, "jsonl-schema.js"),
    ],
    entryNames: "[name]",
    chunkNames: "chunk-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    outdir: SQL_RUNNER_BUNDLE,
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) bundleSqlRunner();
