#!/usr/bin/env node
/**
 * Build dist/ with tsc unless it is newer than every input of the build. `npm start` and the test
 * run's global setup call it, so a fresh clone builds once and an unchanged tree not at all.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleCli } from "./bundle-cli.mjs";
import { markBinsExecutable } from "./mark-bins-executable.mjs";
import { slimZod } from "./slim-zod.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** tsc rewrites every output on each build, so any one of them dates the last build. */
const BUILT = join(ROOT, "dist", "src", "cli", "journal.js");
const INPUTS = [
  "src",
  "bench",
  "test/fixtures",
  "tsconfig.json",
  "tsconfig.build.json",
  "package.json",
  // The build steps after tsc: a change to one is a change to dist/.
  "scripts/slim-zod.mjs",
  "scripts/bundle-cli.mjs",
];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Build when dist/ is missing or older than a source; true when it built. */
export async function buildIfStale() {
  const newest = Math.max(...INPUTS.map((p) => newestMtime(join(ROOT, p))));
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newest) return false;
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  if (!existsSync(tsc)) {
    // An install without dev dependencies (npm ci --omit=dev) has no compiler: say so, fail nothing.
    console.warn("build-if-stale: typescript is not installed (dev dependencies omitted); dist/ not built");
    return false;
  }
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  slimZod();
  await bundleCli();
  markBinsExecutable();
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildIfStale();
