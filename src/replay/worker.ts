/**
 * Worker-thread entry: runs the session jobs its parent queues, one at a time and in order (the
 * parent keeps the next one queued, so the thread never waits for it; two at once would share the
 * thread's open source journal and its read transaction).
 */
import { parentPort } from "node:worker_threads";
import { ReplayRefused } from "./refused.js";
import { runSessionJob, type SessionJob } from "./session-job.js";
import { StrategyRejected } from "./strategy-loader.js";

let queue: Promise<void> = Promise.resolve();
parentPort?.on("message", (job: SessionJob) => {
  queue = queue.then(() =>
    runSessionJob(job).then(
      (result) => parentPort?.postMessage({ ok: true, result }),
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
    ),
  );
});
