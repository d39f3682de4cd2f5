/** Worker-thread entry: runs one session job and posts the result back. */
import { parentPort, workerData } from "node:worker_threads";
import { type SessionJob, runSessionJob } from "./session-job.js";

const job = workerData as SessionJob;
runSessionJob(job).then(
  (result) => parentPort?.postMessage({ ok: true, result }),
  (error: Error) => parentPort?.postMessage({ ok: false, error: error.message }),
);
