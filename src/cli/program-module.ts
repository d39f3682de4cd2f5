/**
 * Which module holds the program, as a specifier relative to the entry points beside this file:
 * the build's bundle of it (./bundle/program.js, written by scripts/bundle-cli.mjs after tsc) when
 * there is one, else the modules themselves (tsc's output alone, or the sources under tsx). The
 * bundle loads in about 55 ms less than the ~250 modules of a `replay`, and its code cache saves
 * ~40 ms more (cached-bundle.ts). JOURNAL_BUNDLE=off runs the modules instead: their stack traces
 * map to the sources, and a test can see which of them a command loads.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The environment variable that, set to `off`, runs tsc's modules instead of the bundle. */
export const BUNDLE_ENV = "JOURNAL_BUNDLE";

/** Whether the build's bundle file `name` (beside the entry points, in ./bundle/) is to be run. */
export function useBundle(name: string): boolean {
  return (
    process.env[BUNDLE_ENV] !== "off" &&
    existsSync(fileURLToPath(new URL(`./bundle/${name}`, import.meta.url)))
  );
}

export function programModule(): "./bundle/program.js" | "./program.js" {
  return useBundle("program.js") ? "./bundle/program.js" : "./program.js";
}
