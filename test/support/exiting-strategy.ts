/**
 * A strategy that ends the thread it runs in, but only in a replay's worker thread: its first
 * decision there calls process.exit(3) (in the main thread it holds, so a test's own process
 * lives). For the test that a lane whose thread exits fails instead of waiting forever.
 */
import { isMainThread } from "node:worker_threads";
import { z } from "zod";
import type { Strategy } from "../../src/strategy/index.js";

export const exitsInWorker: Strategy<Record<string, never>, null> = {
  name: "exits-in-worker",
  version: "1",
  description: "test strategy that calls process.exit in a worker thread",
  params: z.object({}).strict(),
  initialState: () => null,
  evolve: (state) => state,
  decide() {
    if (!isMainThread) process.exit(3);
    return { action: "hold", reason: "main thread", intents: [], signals: {} };
  },
};

export default exitsInWorker;
