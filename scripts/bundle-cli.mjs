#!/usr/bin/env node
/**
 * After tsc and the slim zod: bundle the CLI's program, the `journal sql` child and the replay
 * worker into dist/src/cli/bundle/, which the entry points load when it is there (journal.ts,
 * sql-child.ts, replay.ts's worker). Node resolves, reads, translates and links each ES module on
 * its own: for the ~250 modules of a `replay` that was about 55 ms of every start-up on the
 * development machine, and ~40 ms for the 65 of the SQL child, which every query starts anew.
 *
 * tsc's own output is left as it is (a stale or missing bundle falls back to it, and the benches
 * and tests that import dist/ modules use it). Packages stay outside: better-sqlite3 is native;
 * pg, kysely and @stoqey/ib load only where they are used. Lazy imports stay lazy, as chunks of
 * their own. Files are found next to the code that asks for them (`new URL("./worker.js",
 * import.meta.url)`, the catalogue's `require("./catalogue.js")`), so those entries keep their
 * names in one flat folder. test/cli/cli-bundle.test.ts checks that every such name is there.
 *
 * A module the entry points load themselves and the bundle loads too must not be copied into it:
 * two copies keep two states. sql-child.js holds the SQL child the entry point starts early, so
 * the bundle imports that same module (`SHARED_WITH_ENTRY_POINTS`); copied, `journal sql` started
 * a second child for every query.
 */
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist", "src");
export const CLI_BUNDLE = join(DIST, "cli", "bundle");

/** The entries, by the name the code that loads them asks for. */
export const CLI_BUNDLE_ENTRIES = {
  "program.js": "cli/program.js",
  "sql-runner.js": "cli/sql-runner.js",
  "worker.js": "replay/worker.js",
  "catalogue.js": "events/catalogue/catalogue.js",
  "jsonl-schema.js": "events/catalogue/jsonl-schema.js",
};

/** Modules of dist/src/cli/ that the bundle imports from there rather than holding a copy. */
export const SHARED_WITH_ENTRY_POINTS = ["sql-child.js"];

const shared = {
  name: "shared-with-entry-points",
  setup(build) {
    for (const name of SHARED_WITH_ENTRY_POINTS)
      build.onResolve({ filter: new RegExp(`/${name.replace(".", "\\.")}$`) }, () => ({
        path: `../${name}`,
        external: true,
      }));
  },
};

/** Bundle (async: esbuild runs plugins only in its asynchronous API). */
export async function bundleCli() {
  rmSync(CLI_BUNDLE, { recursive: true, force: true });
  await build({
    entryPoints: Object.entries(CLI_BUNDLE_ENTRIES).map(([name, from]) => ({
      in: join(DIST, from),
      out: name.replace(/\.js$/, ""),
    })),
    chunkNames: "chunk-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    outdir: CLI_BUNDLE,
    plugins: [shared],
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
