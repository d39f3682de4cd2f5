/**
 * A sweep's sessions over `workers` lanes, as a replay's (replay.ts): the main thread is one lane,
 * the others are worker threads that keep two sessions queued. Each lane reads and verifies a
 * session once and runs every set over it; a finished set is counted as it finishes, in any lane.
 * A session here is every set over a day, so the one a thread still had queued when the main lane
 * ran out was a long wait at the end: the main lane takes it back instead (session-claims.ts).
 */
import { ReplayRefused } from "./refused.js";
import { SessionClaims } from "./session-claims.js";
import { StrategyRejected } from "./strategy-loader.js";
import { runSweepSession, type SweepSessionJob, type SweepSessionResult } from "./sweep-job.js";
import { acquireWorker, releaseWorker, threadEnded } from "./worker-pool.js";

type Reply =
  | { progress: true }
  | {
      ok: boolean;
      takenBack?: true;
      result?: SweepSessionResult;
      error?: string;
      kind?: "refused" | "rejected" | "other";
    };

function threadError(session: string, message: string, kind: string | undefined): Error {
  if (kind === "refused") return new ReplayRefused(message);
  if (kind === "rejected") return new StrategyRejected(message);
  return new ReplayRefused(`session ${session}: ${message}`);
}

export async function sweepInLanes(
  jobs: readonly SweepSessionJob[],
  workers: number,
  onSet: () => void,
): Promise<SweepSessionResult[]> {
  const results: SweepSessionResult[] = new Array(jobs.length);
  let next = 0;
  let failure: unknown;
  const take = (): number | undefined => (failure !== undefined || next >= jobs.length ? undefined : next++);
  const claims = new SessionClaims(jobs.length);
  const queues: number[][] = [];
  /** A session a thread has queued and not started, now the main lane's; undefined if none. */
  const takeBack = (): number | undefined => {
    if (failure !== undefined) return undefined;
    for (const queue of [...queues].sort((a, b) => b.length - a.length))
      for (let at = queue.length - 1; at >= 0; at--) {
        const index = queue[at]!;
        if (!claims.takenBack(index) && claims.takeBack(index)) return index;
      }
    return undefined;
  };

  const mainLane = async (): Promise<void> => {
    for (let index = take() ?? takeBack(); index !== undefined; index = take() ?? takeBack()) {
      try {
        results[index] = await runSweepSession(jobs[index]!, onSet);
      } catch (error) {
        failure ??= error;
        throw error;
      }
      // Let the threads' replies (and their next sessions) through between sessions of this lane.
      await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
    }
  };

  const threadLane = async (): Promise<void> => {
    const worker = acquireWorker();
    const queued: number[] = [];
    let clean = false;
    queues.push(queued);
    try {
      await new Promise<void>((resolvePromise, reject) => {
        const fail = (error: unknown) => {
          failure ??= error;
          reject(error);
        };
        const queueNext = () => {
          const index = take();
          if (index === undefined) return;
          queued.push(index);
          worker.postMessage({ sweep: jobs[index], claim: claims.claim(index) });
        };
        worker.on("error", fail);
        worker.on("exit", (code) => {
          if (queued.length > 0) fail(threadEnded(code, jobs[queued[0]!]!.session));
        });
        worker.on("message", (message: Reply) => {
          if ("progress" in message) {
            if (failure === undefined) onSet();
            return;
          }
          const index = queued.shift()!;
          if (!message.ok) return fail(threadError(jobs[index]!.session, message.error!, message.kind));
          // A session the main lane took back: its result is the main lane's.
          if (message.takenBack !== true) results[index] = message.result!;
          queueNext();
          if (queued.length === 0) resolvePromise();
        });
        queueNext();
        queueMicrotask(() => {
          queueNext();
          if (queued.length === 0) resolvePromise();
        });
      });
      clean = true;
    } finally {
      await releaseWorker(worker, clean);
    }
  };

  const lanes = Array.from({ length: Math.max(0, workers - 1) }, threadLane);
  const settled = await Promise.allSettled([...lanes, mainLane()]);
  if (failure !== undefined) throw failure;
  const rejected = settled.find((s) => s.status === "rejected");
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  return results;
}
