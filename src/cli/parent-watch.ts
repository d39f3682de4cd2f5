/**
 * A child process that dies with its parent (the `journal sql` runner). On a Pi, a query left
 * running after its command was killed competes with the live bot for the CPU and the disk.
 *
 * Why a thread that polls `process.ppid`: the parent's SIGKILL cannot be caught, so the child must
 * notice by itself; but while SQLite computes inside one native call (an aggregate over a huge
 * join) the child's main thread runs no JavaScript, so neither stdin's end nor an IPC 'disconnect'
 * would be seen until the query is over. A worker thread keeps its own event loop: when the parent
 * dies the kernel gives the child a new parent (init or a subreaper), its `ppid` changes, and the
 * thread kills the whole process. Linux's PR_SET_PDEATHSIG would do it without polling, but Node
 * does not offer it directly (the parent starts the child through util-linux's `setpriv
 * --pdeathsig` where it can, see sql-child.ts), and macOS has none.
 */
import { Worker } from "node:worker_threads";

/**
 * How the parent started the child (environment variables it sets): `kernel` when Linux's
 * `setpriv --pdeathsig KILL` ran it, so the kernel itself kills the child when the parent dies;
 * `thread` (or unset) for the polling thread below. The parent's pid comes along, since a parent
 * that died before setpriv armed the signal would leave no signal to come.
 */
export const PARENT_WATCH_ENV = "JOURNAL_SQL_PARENT_WATCH";
export const PARENT_PID_ENV = "JOURNAL_SQL_PARENT_PID";

/** How often the thread looks: a killed parent's child is gone within this (plus a little). */
export const PARENT_POLL_MS = 100;

const WATCH = `
const { workerData } = require("node:worker_threads");
const check = () => {
  if (process.ppid !== workerData.parent) process.kill(process.pid, "SIGKILL");
};
check();
setInterval(check, workerData.pollMs);
`;

/**
 * Kill this process (SIGKILL: it may be deep in a native call) as soon as its parent is gone. The
 * thread does not keep the process alive once its own work is done.
 *
 * @example
 * dieWithParent(); // first thing in a child that runs an unbounded job
 */
export function dieWithParent(pollMs = PARENT_POLL_MS): void {
  if (process.env[PARENT_WATCH_ENV] === "kernel") {
    // The kernel watches; a thread would cost the query's start and exit about 30 ms (bench:cli).
    if (process.ppid !== Number(process.env[PARENT_PID_ENV])) process.kill(process.pid, "SIGKILL");
    return;
  }
  const worker = new Worker(WATCH, { eval: true, workerData: { parent: process.ppid, pollMs } });
  worker.unref();
}
