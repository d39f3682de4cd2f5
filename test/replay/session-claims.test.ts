/**
 * A session queued on a worker thread is run by exactly one lane: the thread, as it starts it, or
 * the main lane, which takes back what the thread has not started (src/replay/session-claims.ts).
 */
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { SessionClaims, startClaimed } from "../../src/replay/session-claims.js";

describe("session claims", () => {
  it("give a session to whichever side claims it first, and never to both", () => {
    const claims = new SessionClaims(3);
    expect(startClaimed(claims.claim(0))).toBe(true);
    expect(claims.takeBack(0)).toBe(false);
    expect(claims.takenBack(0)).toBe(false);

    expect(claims.takeBack(1)).toBe(true);
    expect(claims.takenBack(1)).toBe(true);
    expect(startClaimed(claims.claim(1))).toBe(false);
    // Taken back once is not taken back again (the main lane runs it once).
    expect(claims.takeBack(1)).toBe(false);

    expect(startClaimed(claims.claim(2))).toBe(true);
    expect(startClaimed(claims.claim(2))).toBe(false);
  });

  it("hold across threads: a thread starting every session while this one takes them back splits them without overlap", async () => {
    const n = 20_000;
    const claims = new SessionClaims(n);
    // The thread claims every session from the first up; this thread takes back from the last down.
    const thread = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
       const cells = workerData.cells; const started = [];
       for (let i = 0; i < cells.length; i++)
         if (Atomics.compareExchange(cells, i, 0, 1) === 0) started.push(i);
       parentPort.postMessage(started);`,
      { eval: true, workerData: { cells: claims.cells } },
    );
    const takenBack: number[] = [];
    for (let i = n - 1; i >= 0; i--) if (claims.takeBack(i)) takenBack.push(i);
    const started = await new Promise<number[]>((resolve, reject) => {
      thread.once("message", resolve);
      thread.once("error", reject);
    });
    await thread.terminate();
    const mine = new Set(takenBack);
    expect(started.filter((i) => mine.has(i))).toEqual([]);
    expect(started.length + takenBack.length).toBe(n);
  });
});
