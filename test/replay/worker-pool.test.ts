import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importJsonLines, openJournal } from "../../src/events/index.js";
import { SessionClaims } from "../../src/replay/session-claims.js";
import type { SessionJob } from "../../src/replay/session-job.js";
import { acquireWorker, endIdleWorkers, idleWorkers, releaseWorker } from "../../src/replay/worker-pool.js";

const ROOT = join(import.meta.dirname, "..", "..");
const DAY = "2026-02-04";
const dir = mkdtempSync(join(tmpdir(), "worker-pool-"));
const lines = readFileSync(join(ROOT, "data", "sample", `${DAY}.jsonl`), "utf8")
  .trimEnd()
  .split("\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function journalOf(path: string, count: number): void {
  const journal = openJournal(path);
  importJsonLines(journal, `${lines.slice(0, count).join("\n")}\n`, DAY);
  journal.close();
}
const whole = join(dir, "whole.db");
const half = join(dir, "half.db");
beforeAll(() => {
  journalOf(whole, lines.length);
  journalOf(half, Math.floor(lines.length / 2));
});

const job = (sourcePath: string): SessionJob => ({
  sourcePath,
  sourceStream: "live",
  session: DAY,
  verify: true,
  strategy: "trend-vwap",
  paramOverrides: {},
  fillModel: "next-quote",
  codeVersion: "test",
});
/** One session through the thread, as a lane sends it: the events it read. */
function replayOn(worker: Worker, sourcePath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.once("message", (reply: { ok: boolean; result?: { events: number }; error?: string }) =>
      reply.ok ? resolve(reply.result!.events) : reject(new Error(reply.error)),
    );
    worker.once("error", reject);
    worker.postMessage({ job: job(sourcePath), claim: new SessionClaims(1).claim(0) });
  });
}

describe("the worker threads kept between replays", () => {
  it("hands a thread given back cleanly to the next lane, and never one whose lane failed", async () => {
    const first = acquireWorker();
    const id = first.threadId;
    await releaseWorker(first, true);
    expect(idleWorkers()).toBe(1);
    const again = acquireWorker();
    expect(again.threadId).toBe(id);
    expect(idleWorkers()).toBe(0);
    await releaseWorker(again, false);
    expect(idleWorkers()).toBe(0);
    const fresh = acquireWorker();
    expect(fresh.threadId).not.toBe(id);
    await releaseWorker(fresh, false);
  });

  it("reads a journal replaced at the same path anew: a kept thread closed the one it had open", async () => {
    const path = join(dir, "replaced.db");
    journalOf(path, lines.length);
    const worker = acquireWorker();
    const before = await replayOn(worker, path);
    expect(before).toBe(lines.length);
    await releaseWorker(worker, true);
    // Another journal moved over the path (a restore, a re-import): a new file behind the same name.
    for (const suffix of ["-wal", "-shm", "-seq"]) rmSync(`${path}${suffix}`, { force: true });
    renameSync(half, path);
    const kept = acquireWorker();
    expect(kept.threadId).toBe(worker.threadId);
    expect(await replayOn(kept, path)).toBe(Math.floor(lines.length / 2));
    await releaseWorker(kept, false);
  });

  it("ends a thread nobody takes within its idle time", async () => {
    const worker = acquireWorker();
    await releaseWorker(worker, true, 50);
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
    expect(idleWorkers()).toBe(1);
    await exited;
    expect(idleWorkers()).toBe(0);
  });

  it("ends every kept thread at once when asked (a bench timing a new thread)", async () => {
    const workers = [acquireWorker(), acquireWorker()];
    for (const w of workers) await releaseWorker(w, true);
    // After the release, which takes off the listeners of whoever had the thread.
    const exits = workers.map((w) => new Promise((resolve) => w.once("exit", resolve)));
    expect(idleWorkers()).toBe(2);
    await endIdleWorkers();
    expect(idleWorkers()).toBe(0);
    await Promise.all(exits);
    const next = acquireWorker();
    expect(workers.map((w) => w.threadId)).not.toContain(next.threadId);
    await releaseWorker(next, false);
  });

  it("does not keep the process alive: a two-lane replay's program exits at once", () => {
    const out = join(dir, "exit-out.db");
    const script = `
      import { runReplay } from ${JSON.stringify(join(ROOT, "dist", "src", "replay", "index.js"))};
      await runReplay({ journal: ${JSON.stringify(whole)}, out: ${JSON.stringify(out)}, inPlace: false,
        sessions: [${JSON.stringify(DAY)}, ${JSON.stringify(DAY)}], stream: "live", strategy: "trend-vwap",
        paramOverrides: {}, fillModel: "next-quote", codeVersion: "test", force: false, workers: 2 });
      const { idleWorkers } = await import(${JSON.stringify(join(ROOT, "dist", "src", "replay", "worker-pool.js"))});
      console.log("idle", idleWorkers());`;
    const started = Date.now();
    const file = join(dir, "two-lanes.mjs");
    writeFileSync(file, script);
    const child = spawnSync(process.execPath, [file], {
      encoding: "utf8",
      timeout: 25_000,
    });
    expect(child.stderr).toBe("");
    // The thread was kept (its lane ran to the end) and the program still ended well before the
    // thread's 30 s idle time.
    expect(child.stdout.trim()).toBe("idle 1");
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("fails a replay whose thread exits mid-session, naming the session, instead of waiting forever", () => {
    const out = join(dir, "exits-out.db");
    const strategy = join(ROOT, "test", "support", "exiting-strategy.ts");
    // Many sessions, so the thread starts one before the main lane could take them all back.
    const sessions = JSON.stringify(Array.from({ length: 24 }, () => DAY));
    const script = `
      import { runReplay } from ${JSON.stringify(join(ROOT, "dist", "src", "replay", "index.js"))};
      try {
        await runReplay({ journal: ${JSON.stringify(whole)}, out: ${JSON.stringify(out)}, inPlace: false,
          sessions: ${sessions}, stream: "live", strategy: ${JSON.stringify(strategy)}, paramOverrides: {},
          fillModel: "next-quote", codeVersion: "test", force: false, workers: 2 });
        console.log("replayed");
      } catch (error) { console.log(error.message); process.exitCode = 1; }`;
    const file = join(dir, "exits.mjs");
    writeFileSync(file, script);
    const child = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 25_000 });
    expect(child.stdout).toMatch(
      new RegExp(
        `^session ${DAY}: the worker thread replaying it ended \\(exit code 3\\) before it answered`,
      ),
    );
    expect(child.status).toBe(1);
  });
});
