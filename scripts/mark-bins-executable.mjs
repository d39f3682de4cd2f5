#!/usr/bin/env node
/**
 * Make the package's bins (package.json "bin") executable after a build: tsc writes them 0644, and
 * `npx journal`, `npm link` or running `dist/src/cli/journal.js` directly need the x bit, which
 * npm sets only when it links the package (a reused npx cache never does it again).
 */
import { chmodSync, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export function markBinsExecutable() {
  const { bin = {} } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  for (const file of Object.values(bin)) {
    const path = join(ROOT, file);
    if (existsSync(path)) chmodSync(path, statSync(path).mode | 0o111);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) markBinsExecutable();
