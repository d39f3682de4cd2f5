/**
 * A replay's worker thread gets a larger young generation where the machine has the memory for it
 * (src/replay/worker-start.ts), and V8's default where it does not.
 */
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { workerOptions } from "../../src/replay/worker-start.js";

const GB = 1024 ** 3;

describe("a replay worker's options", () => {
  it("ask for a 192 MB young generation from 4 GB of memory, and nothing below", () => {
    expect(workerOptions(16 * GB)).toEqual({ resourceLimits: { maxYoungGenerationSizeMb: 192 } });
    expect(workerOptions(4 * GB)).toEqual({ resourceLimits: { maxYoungGenerationSizeMb: 192 } });
    expect(workerOptions(4 * GB - 1)).toEqual({});
    expect(workerOptions(2 * GB)).toEqual({});
  });

  it("are what the thread runs with", async () => {
    const thread = new Worker(
      `const { parentPort, resourceLimits } = require("node:worker_threads"); parentPort.postMessage(resourceLimits);`,
      { eval: true, ...workerOptions(16 * GB) },
    );
    const limits = await new Promise<{ maxYoungGenerationSizeMb: number }>((resolve) =>
      thread.once("message", resolve),
    );
    await thread.terminate();
    expect(limits.maxYoungGenerationSizeMb).toBe(192);
  });
});
