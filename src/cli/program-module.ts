/**
 * Which module holds the program, as a specifier relative to the entry points beside this file:
 * the build's bundle of it (./bundle/program.js, written by scripts/bundle-cli.mjs after tsc) when
 * there is one, else the modules themselves (tsc's output alone, or the sources under tsx). The
 * bundle's few files load in about 55 ms less than the ~250 modules of a `replay`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function programModule(): "./bundle/program.js" | "./program.js" {
  return existsSync(fileURLToPath(new URL("./bundle/program.js", import.meta.url)))
    ? "./bundle/program.js"
    : "./program.js";
}
