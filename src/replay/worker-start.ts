/**
 * Starting a replay's worker thread (a lane of a replay or a sweep, worker.ts).
 *
 * Why a larger young generation: a session's state (the events a run keeps to its end, its run,
 * both books) lives as long as the session, several scavenges, so each scavenge copied it again
 * and then promoted it. With two lanes on two cores, V8's helper threads doing that work took
 * ~3 s of CPU beside the lanes' 7 s in a 200 k-event replay, and competed with the lanes for the
 * cores. A 64 MB semi-space (192 MB of young generation, V8's default is 16 / 48) lets most of a
 * session die young: that replay's helpers used 2.7 s instead of 3.0, and it took 0.96 of the time
 * (two pairs of runs), for 85 MB more peak RSS (364 → 448 MB). Below 4 GB of memory, where that
 * matters more than the time, the thread keeps V8's default.
 */
import { existsSync } from "node:fs";
import { totalmem } from "node:os";
import { Worker, type WorkerOptions } from "node:worker_threads";

const YOUNG_GENERATION_MB = 192;
const ROOMY_MACHINE_BYTES = 4 * 1024 ** 3;

/** The worker's options on this machine: its young generation (see above). */
export function workerOptions(memoryBytes = totalmem()): WorkerOptions {
  return memoryBytes >= ROOMY_MACHINE_BYTES
    ? { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }
    : {};
}

/**
 * Start a worker next to this file: worker.js under dist/; under tsx or vitest (sources only) a
 * bootstrap registers tsx inside the worker, loads the event catalogue, then imports worker.ts.
 */
export function startWorker(): Worker {
  const js = new URL("./worker.js", import.meta.url);
  if (existsSync(js)) return new Worker(js, workerOptions());
  const ts = new URL("./worker.ts", import.meta.url).href;
  // From the sources, the catalogue's synchronous first-use loader finds no .js to require: load it ahead.
  const events = new URL("../events/index.ts", import.meta.url).href;
  const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(events)}); }).then((events) => events.loadCatalogue()).then(() => import(${JSON.stringify(ts)}));`;
  return new Worker(bootstrap, { eval: true, ...workerOptions() });
}
