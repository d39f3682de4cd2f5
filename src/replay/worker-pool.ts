/**
 * The worker threads of a process's replays and sweeps, kept a while between them.
 *
 * Why keep them: a new thread is a new V8 isolate, so it loads every module again and runs its
 * first sessions in the interpreter before its code is optimised, while the main lane beside it
 * is already warm. A 200 k-event replay in two lanes took 4.2–5.4 s with a new thread each time
 * and 3.6–4.0 s with a thread kept from the replay before (processes of three replays each,
 * against 5.9–7.0 s in one lane): a process that replays more than once (a sweep's second pass,
 * which writes the runs it keeps; the benches; the tests) no longer pays that each time. A single
 * CLI replay is as cold in both lanes as it always was.
 *
 * A thread is given back only when its lane ended cleanly (every session it was sent answered): a
 * thread whose lane failed may still be running a session, and is terminated. A kept thread closes
 * the source journals it holds (worker.ts), so a journal replaced at the same path is read anew;
 * it does not keep the process alive, and ends after `IDLE_MS` unused.
 */
import type { Worker } from "node:worker_threads";
import { ReplayRefused } from "./refused.js";
import { startWorker } from "./worker-start.js";

/** How long a thread nobody uses is kept: past the gap between a bench's replays (about 15 s). */
const IDLE_MS = 30_000;

interface Idle {
  readonly worker: Worker;
  readonly timer: NodeJS.Timeout;
  readonly gone: () => void;
}

const idle: Idle[] = [];

/** A thread for a lane: one kept from an earlier replay of this process, else a new one. */
export function acquireWorker(): Worker {
  const kept = idle.pop();
  if (!kept) return startWorker();
  clearTimeout(kept.timer);
  kept.worker.off("error", kept.gone).off("exit", kept.gone);
  kept.worker.ref();
  return kept.worker;
}

/**
 * The lane is done with `worker`. `reusable`: the lane ended cleanly, nothing of it is still
 * running; otherwise the thread is terminated. The lane's own listeners are removed either way.
 */
export async function releaseWorker(worker: Worker, reusable: boolean, idleMs = IDLE_MS): Promise<void> {
  worker.removeAllListeners("message").removeAllListeners("error").removeAllListeners("exit");
  if (!reusable) {
    await worker.terminate();
    return;
  }
  // The thread closes its source journals before anything it is sent next (worker.ts).
  worker.postMessage({ release: true });
  worker.unref();
  const gone = () => {
    const at = idle.findIndex((entry) => entry.worker === worker);
    if (at >= 0) {
      clearTimeout(idle[at]!.timer);
      idle.splice(at, 1);
    }
  };
  // A kept thread that fails while unused is dropped; an error of its own is no replay's.
  const timer = setTimeout(() => {
    gone();
    void worker.terminate();
  }, idleMs);
  timer.unref();
  worker.on("error", gone).on("exit", gone);
  idle.push({ worker, timer, gone });
}

/**
 * End every kept thread now: a bench that times a thread's start (a CLI replay, one per process,
 * always starts its own) calls it first.
 */
export async function endIdleWorkers(): Promise<void> {
  const ending = idle.splice(0);
  await Promise.all(
    ending.map(({ worker, timer }) => {
      clearTimeout(timer);
      return worker.terminate();
    }),
  );
}

/**
 * What a lane fails with when its thread ends with sessions unanswered: without it the lane would
 * wait for their answers forever (a thread that throws says so with an `error`; one that exits
 * says nothing more).
 */
export function threadEnded(code: number, session: string): ReplayRefused {
  return new ReplayRefused(
    `session ${session}: the worker thread replaying it ended (exit code ${code}) before it answered: a strategy that calls process.exit ends it (look for one in the strategy), and so does a thread out of memory`,
  );
}

/** How many threads are kept unused right now (for tests). */
export function idleWorkers(): number {
  return idle.length;
}
