#!/usr/bin/env node
/**
 * After tsc and the slim zod: bundle the CLI's program, the `journal sql` child and the replay
 * worker into dist/src/cli/bundle/, which the entry points load when it is there (journal.ts,
 * sql-child.ts, replay.ts's worker).
 *
 * Why bundles: Node resolves, reads, translates and links each ES module on its own; for the ~250
 * modules of a `replay` that was about 55 ms of every start-up on the development machine, and
 * ~40 ms for the 65 of the SQL child, which every query starts anew.
 *
 * Why CommonJS: each bundle is one CommonJS file (NAME.cjs) that a small ES module stub (NAME.js,
 * written here) runs through V8's code cache (src/cli/cached-bundle.ts). Node 20 caches no
 * compiled code for ES modules, so this is the one way to stop compiling the same code at every
 * start. Lazy imports stay lazy: esbuild keeps a module imported with import() unevaluated until
 * then. The catalogue's lazy `require` (catalogue-lazy.ts) is bundled as a plain require, so each
 * bundle holds one copy of the schemas, evaluated on first use.
 *
 * tsc's own output is left as it is (a missing bundle falls back to it, and the benches and tests
 * that import dist/ modules use it). Packages stay outside: better-sqlite3 is native; pg, kysely
 * and @stoqey/ib load only where they are used. Files are found next to the code that asks for
 * them (`new URL("./worker.js", import.meta.url)`), so the stubs keep those names in one flat
 * folder. test/cli/cli-bundle.test.ts checks that every such name is there.
 *
 * A module the entry points load themselves and the bundle loads too must not be copied into it:
 * two copies keep two states. sql-child.js holds the SQL child the entry point starts early, so
 * the bundle requires that same module (`SHARED_WITH_ENTRY_POINTS`; Node ≥ 20.19 hands `require`
 * the instance `import` loaded); copied, `journal sql` started a second child for every query.
 */
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist", "src");
export const CLI_BUNDLE = join(DIST, "cli", "bundle");

/**
 * The entries, by the name the code that loads them asks for (its stub's), each with the module it
 * bundles and when a run of it has compiled what it needs (cached-bundle.ts `saveOn`).
 */
export const CLI_BUNDLE_ENTRIES = {
  "program.js": { from: "cli/program.js", saveOn: "exit" },
  "sql-runner.js": { from: "cli/sql-runner.js", saveOn: "exit" },
  "worker.js": { from: "replay/worker.js", saveOn: "ready" },
};

/** Modules of dist/src/cli/ that the bundle requires from there rather than holding a copy. */
export const SHARED_WITH_ENTRY_POINTS = ["sql-child.js"];

/**
 * Modules the bundles require from dist/src rather than hold, by the path they are imported by,
 * to where they are from the bundle: the one dynamic import() (src/vendor/esm-import.ts says why).
 */
export const LEFT_OUTSIDE = { "./esm-import.js": "../../vendor/esm-import.js" };

/**
 * Commands that run for hours run from tsc's modules, not the bundle: start-up is nothing to them,
 * and code run from the cache grew a live bot's memory (`npm run bench:live`, 200 cycles: RSS
 * 79 → 107 MB and 93 → 125 MB with the cache, 93 → 100 MB from the bundle without it, and 104 → 91
 * and 103 → 92 MB from the modules).
 */
export const LONG_RUNNING = ["live", "sim", "serve"];

/** Where a bundle's code reads `import.meta.url`: the bundle file's own URL, set by its banner. */
const BUNDLE_URL = "__bundleUrl";

const shared = {
  name: "shared-with-entry-points",
  setup(build) {
    for (const name of SHARED_WITH_ENTRY_POINTS)
      build.onResolve({ filter: new RegExp(`/${name.replace(".", "\\.")}$`) }, () => ({
        path: `../${name}`,
        external: true,
      }));
    for (const [asked, path] of Object.entries(LEFT_OUTSIDE))
      build.onResolve({ filter: new RegExp(`^${asked.replaceAll(".", "\\.")}$`) }, () => ({ path, external: true }));
  },
};

/** The line of catalogue-lazy.js that makes an ES module's `require`; a CommonJS bundle has one. */
const LAZY_REQUIRE = "const require = createRequire(import.meta.url);";
const catalogueRequire = {
  name: "catalogue-require",
  setup(build) {
    build.onLoad({ filter: /catalogue-lazy\.js$/ }, ({ path }) => {
      const text = readFileSync(path, "utf8");
      if (!text.includes(LAZY_REQUIRE))
        throw new Error(`${path} no longer holds "${LAZY_REQUIRE}": update scripts/bundle-cli.mjs`);
      return { contents: text.replace(LAZY_REQUIRE, ""), loader: "js" };
    });
  },
};

/** The ES module stub beside NAME.cjs: what the entry points load, and what runs the bundle. */
function stub(name, saveOn, buildHash, commands) {
  const bundle = name.replace(/\.js$/, ".cjs");
  const run = (use) =>
    `runBundle({ file: new URL("./${bundle}", import.meta.url), buildHash: "${buildHash}", use: ${use}, saveOn: "${saveOn}" })`;
  const head = [
    `// Written by scripts/bundle-cli.mjs: runs ${bundle} through V8's code cache (src/cli/cached-bundle.ts).`,
    `import { runBundle } from "../cached-bundle.js";`,
  ];
  if (name !== "program.js") return `${[...head, `${run(JSON.stringify(name.replace(/\.js$/, "")))};`].join("\n")}\n`;
  // A command runs from the bundle, with a cache of its own. Anything else (--help, a typo) needs a
  // few of tsc's modules only, not even the loader, and gets no cache file; so do LONG_RUNNING ones.
  return `${[
    head[0],
    `const COMMANDS = new Set(${JSON.stringify(commands)});`,
    "export async function runCli(argv) {",
    "  const command = argv[2];",
    "  if (!COMMANDS.has(command)) return (await import(\"../program.js\")).runCli(argv);",
    '  const { runBundle } = await import("../cached-bundle.js");',
    `  return ${run("command")}.runCli(argv);`,
    "}",
  ].join("\n")}\n`;
}

/** Bundle (async: esbuild runs plugins only in its asynchronous API). */
export async function bundleCli() {
  rmSync(CLI_BUNDLE, { recursive: true, force: true });
  await build({
    entryPoints: Object.entries(CLI_BUNDLE_ENTRIES).map(([name, { from }]) => ({
      in: join(DIST, from),
      out: name.replace(/\.js$/, ""),
    })),
    outExtension: { ".js": ".cjs" },
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    packages: "external",
    define: { "import.meta.url": BUNDLE_URL },
    banner: { js: `const ${BUNDLE_URL} = require("node:url").pathToFileURL(__filename).href;` },
    outdir: CLI_BUNDLE,
    plugins: [shared, catalogueRequire],
    logLevel: "warning",
  });
  const { COMMANDS } = await import(pathToFileURL(join(DIST, "cli", "commands", "index.js")).href);
  const bundled = Object.keys(COMMANDS).filter((command) => !LONG_RUNNING.includes(command));
  for (const [name, { saveOn }] of Object.entries(CLI_BUNDLE_ENTRIES)) {
    const bundle = readFileSync(join(CLI_BUNDLE, name.replace(/\.js$/, ".cjs")));
    const buildHash = createHash("sha256").update(bundle).digest("hex");
    writeFileSync(join(CLI_BUNDLE, name), stub(name, saveOn, buildHash, bundled));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
