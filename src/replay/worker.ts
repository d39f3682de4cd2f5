/**
 * Worker-thread entry: runs the session jobs its parent queues, one at a time and in order (the
 * parent keeps the next one queued, so the thread never waits for it; two at once would share the
 * thread's open source journal and its read transaction), each unless the parent's main lane took
 * it back before it started (session-claims.ts). A `{ sweep }` message is one session of
 * a sweep (sweep-job.ts); it reports each finished set as `{ progress }` before its result.
 * `{ release }`: the lane is done with the thread, which is kept for the next one (worker-pool.ts).
 */
import { parentPort } from "node:worker_threads";
import { ReplayRefused } from "./refused.js";
import { toRows } from "./run-rows.js";
import { type SessionClaim, startClaimed } from "./session-claims.js";
import { closeSessionSources, runSessionJob, type SessionJob } from "./session-job.js";
import { StrategyRejected } from "./strategy-loader.js";
import { runSweepSession, type SweepSessionJob } from "./sweep-job.js";

/**
 * Emitted on `process` once the first job is done: the built CLI's loader (src/cli/cached-bundle.ts,
 * CODE_CACHE_READY) then keeps what this thread compiled for the next one. A thread its parent
 * terminates sees no exit of its own to do that at. The name is repeated here, not imported: the
 * replay does not depend on the CLI.
 */
const CODE_CACHE_READY = "journal:code-cache-ready";
let jobsDone = 0;

let queue: Promise<void> = Promise.resolve();
type Message =
  | { job: SessionJob; claim: SessionClaim }
  | { sweep: SweepSessionJob; claim: SessionClaim }
  | { release: true };
parentPort?.on("message", (message: Message) => {
  // The lane is done with this thread and keeps it for the next (worker-pool.ts): close the source
  // journals, so a journal replaced at the same path meanwhile is opened anew.
  if ("release" in message) {
    queue = queue.then(closeSessionSources);
    return;
  }
  const run = (): Promise<unknown> =>
    "sweep" in message
      ? runSweepSession(message.sweep, () => parentPort?.postMessage({ progress: true }))
      : runSessionJob(message.job).then(toRows);
  queue = queue.then(() => {
    // The main lane ran out of sessions and took this one back: it is the main lane's to run.
    if (!startClaimed(message.claim)) {
      parentPort?.postMessage({ ok: true, takenBack: true });
      return;
    }
    return run().then(
      (result) => {
        parentPort?.postMessage({ ok: true, result });
        if (++jobsDone === 1) (process as NodeJS.EventEmitter).emit(CODE_CACHE_READY);
      },
      (error: Error) =>
        parentPort?.postMessage({
          ok: false,
          error: error.message,
          // What the main thread rethrows it as: the same kind as a serial replay would throw.
          kind:
            error instanceof ReplayRefused
              ? "refused"
              : error instanceof StrategyRejected
                ? "rejected"
                : "other",
        }),
    );
  });
});
