#!/usr/bin/env node
/**
 * After tsc: replace dist/src/vendor/index.js (a re-export of zod) with one file holding only the
 * zod builders our sources call. zod's entry re-exports every locale, so importing it loads 97
 * modules in about 78 ms on the development machine; the slim file loads in about 12 ms, and every
 * command that validates (replay, import, verify, live) starts that much sooner. Messages stay
 * zod's English ones: the default locale is installed by the schema classes themselves.
 *
 * A builder missing from the list below would be undefined only in the built CLI, so
 * test/vendor/slim-zod.test.ts checks the list against every `z.<name>(` in src/.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist", "src", "vendor", "index.js");

/** The members of `z` the sources use as values; types (z.infer, z.ZodType) need no entry. */
export const SLIM_ZOD_BUILDERS = [
  "array",
  "boolean",
  "discriminatedUnion",
  "enum",
  "literal",
  "number",
  "object",
  "record",
  "string",
  "union",
  "unknown",
];

export function slimZod() {
  const names = SLIM_ZOD_BUILDERS.map((name, i) => `${name} as b${i}`).join(", ");
  const members = SLIM_ZOD_BUILDERS.map((name, i) => `${JSON.stringify(name)}: b${i}`).join(", ");
  buildSync({
    stdin: {
      contents: [
        `import { ${names}, toJSONSchema } from "zod";`,
        `export const z = Object.freeze({ ${members} });`,
        "export { toJSONSchema };",
        // Its own module still: the CLI's bundle keeps it outside (esm-import.ts says why).
        'export { importEsm } from "./esm-import.js";',
      ].join("\n"),
      resolveDir: ROOT,
      sourcefile: "slim-zod-entry.js",
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile: OUT,
    external: ["./esm-import.js"],
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) slimZod();
