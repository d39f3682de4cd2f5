/**
 * `runReplay` options with the defaults a test rarely changes (the live stream, the strategy live
 * ran, next-quote fills, one worker, no force); a test names only what it is about.
 */
import type { ReplayOptions } from "../../src/replay/index.js";

export function replayOptions(
  options: Partial<ReplayOptions> & Pick<ReplayOptions, "journal" | "sessions">,
): ReplayOptions {
  return {
    out: null,
    inPlace: false,
    stream: "live",
    strategy: null,
    paramOverrides: {},
    fillModel: "next-quote",
    codeVersion: "t",
    force: false,
    workers: 1,
    ...options,
  };
}
