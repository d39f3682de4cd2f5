/** Worker-thread entry: runs session jobs from the queue its parent feeds, one at a time. */
import { parentPort } from "node:worker_threads";
import { runSessionJob, type SessionJob } from "./session-job.js";

parentPort?.on("message", (job: SessionJob) => {
  runSessionJob(job).then(
    (result) => parentPort?.postMessage({ ok: true, result }),
    (error: Error) => parentPort?.postMessage({ ok: false, error: error.message }),
  );
});
