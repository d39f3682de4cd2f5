/**
 * cli-progress, loaded when a bar is drawn: only a long replay or a sweep on a terminal draws one,
 * and loading it with the command cost every `replay --session` a few ms of start-up.
 */
import { createRequire } from "node:module";

type CliProgress = typeof import("cli-progress");
let loaded: CliProgress | undefined;

export function cliProgress(): CliProgress {
  loaded ??= createRequire(import.meta.url)("cli-progress") as CliProgress;
  return loaded;
}
