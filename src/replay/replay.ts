/**
 * Replay orchestration: check the source, pick the sessions, run them (in worker threads when
 * there are several), and write each run as its own stream to the output journal, in session
 * order — so parallel and serial runs write identical journals.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { isPostgresUrl, openAsyncJournal } from "../events/index.js";
import type { FeeSchedule } from "../projections/index.js";
import type { ReplayedSession, SessionReplay } from "./engine.js";
import { ReplayRefused } from "./refused.js";
import type { OutcomeMode } from "./run-plan.js";
import type { SessionReplayRows } from "./run-rows.js";
import { RunWriter } from "./run-writer.js";
import { SessionClaims } from "./session-claims.js";
import { closeSessionSources, runSessionJob, type SessionJob } from "./session-job.js";
import { StrategyRejected } from "./strategy-loader.js";
import { acquireWorker, releaseWorker, threadEnded } from "./worker-pool.js";

export interface ReplayOptions {
  /** The source: a SQLite file, or a fleet's PostgreSQL URL (with `bot`). */
  journal: string;
  /** On a PostgreSQL source: whose journal to replay. */
  bot?: string;
  /** Where the runs go; null with `inPlace`. */
  out: string | null;
  inPlace: boolean;
  sessions: string[];
  stream: string;
  strategy: string | null;
  paramOverrides: Record<string, unknown>;
  fillModel: string;
  /** The fee table simulated fills are charged by (default: IBKR Pro tiered, fill-model.ts). */
  fees?: FeeSchedule;
  codeVersion: string;
  /** `recorded` (parity), `simulated` (what-if) or `auto` (the default: recorded when the strategy is live's). */
  outcomes?: OutcomeMode | "auto";
  force: boolean;
  /** Lanes (this thread and n − 1 worker threads); `auto`: one below `WORKER_BREAK_EVEN_EVENTS`, else every core. */
  workers: number | "auto";
  fromTs?: number;
  toTs?: number;
  onProgress?: (done: number, total: number, session: string) => void;
}

export { ReplayRefused } from "./refused.js";

/** Expand `2026-02-02..2026-02-06` against the sessions the journal has. */
export function expandSessions(spec: string, available: readonly string[]): string[] {
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(spec);
  if (range) return available.filter((s) => s >= range[1]! && s <= range[2]!);
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function runReplay(options: ReplayOptions): Promise<ReplayedSession[]> {
  const pg = isPostgresUrl(options.journal);
  if (pg && options.bot === undefined)
    throw new ReplayRefused(
      `${options.journal} holds a fleet: say whose sessions to replay (--bot NAME; journal sessions lists them)`,
    );
  if (pg && (options.inPlace || (options.out !== null && isPostgresUrl(options.out))))
    throw new ReplayRefused(
      "a replay of a fleet journal writes its runs to a local SQLite journal (--out PATH): the bots' chains in PostgreSQL hold only what they shipped",
    );
  const source = await openAsyncJournal(options.journal, {
    readonly: true,
    ...(options.bot === undefined ? {} : { bot: options.bot }),
  });
  let available: string[];
  let eventsOfWork: number | null = null;
  try {
    // A SQLite source is verified by each session's job, in the read it replays (parallel, and no
    // gap between the check and the read); a fleet's is checked here.
    if (!options.force && pg) {
      const report = await source.verifySession(options.sessions);
      if (!report.ok) {
        throw new ReplayRefused(
          `${options.journal} fails verify at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} — replay refuses a tampered or damaged journal; pass --force to replay it anyway`,
        );
      }
    }
    available = await source.sessionIds(options.stream);
    // How much work there is, from the same connection (each opening reads the schema again).
    if (options.workers === "auto" && !pg)
      eventsOfWork = await countSessionEvents(source, options.stream, options.sessions);
  } finally {
    await source.close();
  }
  const unknown = options.sessions.filter((s) => !available.includes(s));
  if (options.sessions.length === 0 || unknown.length > 0) {
    throw new ReplayRefused(
      `${unknown.length ? `no session ${unknown.join(", ")}` : "no sessions selected"} in stream ${options.stream} of ${options.journal}; sessions there: ${available.join(", ") || "(none)"}`,
    );
  }
  const jobs: SessionJob[] = options.sessions.map((session) => ({
    sourcePath: pg ? options.journal : resolve(options.journal),
    ...(options.bot === undefined ? {} : { sourceBot: options.bot }),
    sourceStream: options.stream,
    session,
    verify: !options.force,
    strategy: options.strategy,
    paramOverrides: options.paramOverrides,
    fillModel: options.fillModel,
    ...(options.fees === undefined ? {} : { fees: options.fees }),
    codeVersion: options.codeVersion,
    outcomes: options.outcomes ?? "auto",
    ...(options.fromTs === undefined ? {} : { fromTs: options.fromTs }),
    ...(options.toTs === undefined ? {} : { toTs: options.toTs }),
  }));
  const requested = options.workers === "auto" ? autoWorkers(eventsOfWork) : options.workers;
  const workers = Math.max(1, Math.min(requested, jobs.length, availableParallelism()));
  const writer = new RunWriter(options.inPlace ? options.journal : options.out);
  let done = 0;
  let failed = false;
  const finished = (index: number, result: SessionReplay | SessionReplayRows): ReplayedSession => {
    writer.accept(index, result);
    done += 1;
    // A thread may still finish a queued session after the replay failed: it is not progress.
    if (!failed) options.onProgress?.(done, jobs.length, result.session);
    const { baseline, ...all } = result;
    const {
      output: _written,
      rows: _prepared,
      ...reported
    } = all as typeof all & {
      output?: unknown;
      rows?: unknown;
    };
    return baseline ? { ...reported, baseline: { run: baseline.run, summary: baseline.summary } } : reported;
  };
  try {
    const results =
      workers > 1 ? await runInWorkers(jobs, workers, finished) : await runSerially(jobs, finished);
    writer.commit();
    return results;
  } catch (error) {
    failed = true;
    writer.abort();
    throw error;
  } finally {
    closeSessionSources();
  }
}

/**
 * Below this many events of work a replay runs in its own thread: a worker thread loads every
 * module again (260–460 ms on a Pi-class core) and the read, the engine and the write of a small
 * replay take less than that. Measured by `npm run bench:workers` (one lane against two over
 * synthetic sessions of growing size, five rounds): two lanes lost at 18,600 events (1.35× one
 * lane's time) and won at 37,200 (0.86×) on the 2-core development machine; the threshold sits
 * between. Since the main lane takes back what a booting thread has not started, a small replay in
 * two lanes loses less (4,652 events: 1.26× instead of 2.18×; 18,600: 1.08× instead of 1.33×;
 * 37,200: 1.00× against 1.01×, in one run of each), so the threshold stays.
 */
export const WORKER_BREAK_EVEN_EVENTS = 25_000;

/** One lane below the break-even, every core above it. */
export function autoWorkers(eventsOfWork: number | null): number {
  return eventsOfWork !== null && eventsOfWork < WORKER_BREAK_EVEN_EVENTS ? 1 : availableParallelism();
}

/**
 * How many events the sessions hold, from the (stream, session, pos) index: each session's last
 * pos, no scan. Null for a fleet journal (it is not asked: every core).
 */
export async function sessionEvents(
  options: Pick<ReplayOptions, "journal" | "stream">,
  sessions: readonly string[],
): Promise<number | null> {
  if (isPostgresUrl(options.journal)) return null;
  const source = await openAsyncJournal(options.journal, { readonly: true });
  try {
    return await countSessionEvents(source, options.stream, sessions);
  } finally {
    await source.close();
  }
}

async function countSessionEvents(
  source: Awaited<ReturnType<typeof openAsyncJournal>>,
  stream: string,
  sessions: readonly string[],
): Promise<number> {
  let total = 0;
  for (const session of sessions) {
    const [row] = await source.query<{ n: number | null }>(
      "SELECT max(pos) + 1 AS n FROM events WHERE stream = ? AND session = ?",
      [stream, session],
    );
    total += row?.n ?? 0;
  }
  return total;
}

/**
 * Called as each session's run is done, with its index in the replay's session order: hands the
 * run to the writer and returns what the replay keeps of it.
 */
type Finished = (index: number, result: SessionReplay | SessionReplayRows) => ReplayedSession;

async function runSerially(jobs: SessionJob[], finished: Finished): Promise<ReplayedSession[]> {
  const results: ReplayedSession[] = [];
  for (const [index, job] of jobs.entries()) results.push(finished(index, await runSessionJob(job)));
  return results;
}

/** A worker's failure, rethrown as the kind a serial replay throws (a refusal names its session already). */
function threadError(
  session: string,
  message: string,
  kind: "refused" | "rejected" | "other" = "other",
): Error {
  if (kind === "refused") return new ReplayRefused(message);
  if (kind === "rejected") return new StrategyRejected(message);
  return new ReplayRefused(`session ${session}: ${message}`);
}

/**
 * Sessions queued for each worker thread. With two, a thread's profile showed it idle 6 % of a
 * two-lane replay of 200 k events, in 30–40 ms gaps while the main thread ran a session and wrote
 * the threads' runs; with three, that replay took 0.96 of the time (five alternating rounds). What
 * a thread still holds at the end the main lane takes back (session-claims.ts).
 */
const THREAD_QUEUE = 3;

/**
 * A pool of `workers` lanes, each taking the next session when it is done with one: the main thread
 * is one of them (it has everything loaded already, and would otherwise only wait and write), the
 * others are worker threads. A thread lane keeps `THREAD_QUEUE` sessions queued, so while the main
 * thread is busy with a session of its own and the runs it writes (and cannot hand out the next
 * one) the thread does not wait. When the main lane runs out, it takes back the sessions a thread
 * has queued and not started, latest first (session-claims.ts), rather than wait for them.
 */
async function runInWorkers(
  jobs: SessionJob[],
  workers: number,
  finished: Finished,
): Promise<ReplayedSession[]> {
  const results: ReplayedSession[] = new Array(jobs.length);
  const claims = new SessionClaims(jobs.length);
  /** Each thread lane's sessions, in the order it was sent them, until it replies for each. */
  const queues: number[][] = [];
  let next = 0;
  let stopped = false;
  /** The first failure, the replay's error: what the other lanes fail with after it is not. */
  let failure: unknown;
  /** The next session to run, or undefined when there is none (or the replay failed). */
  const take = (): number | undefined => (stopped || next >= jobs.length ? undefined : next++);
  /** A session a thread has queued and not started, now the main lane's; undefined if none. */
  const takeBack = (): number | undefined => {
    if (stopped) return undefined;
    for (const queue of [...queues].sort((a, b) => b.length - a.length))
      for (let at = queue.length - 1; at >= 0; at--) {
        const index = queue[at]!;
        if (!claims.takenBack(index) && claims.takeBack(index)) return index;
      }
    return undefined;
  };
  const stop = (error: unknown): never => {
    // A failed session (a verify that fails, now checked in each job) fails the whole run: the
    // other lanes take no further session.
    stopped = true;
    failure ??= error;
    throw error;
  };

  const mainLane = async (): Promise<void> => {
    for (let index = take() ?? takeBack(); index !== undefined; index = take() ?? takeBack()) {
      try {
        results[index] = finished(index, await runSessionJob(jobs[index]!));
      } catch (error) {
        stop(error);
      }
      // A session's awaits settle as microtasks: without this the threads' results (and their
      // next sessions) would wait until the main lane ran out of sessions.
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
          try {
            stop(error);
          } catch {
            reject(error);
          }
        };
        const queueNext = () => {
          const index = take();
          if (index === undefined) return;
          queued.push(index);
          worker.postMessage({ job: jobs[index], claim: claims.claim(index) });
        };
        worker.on("error", fail);
        worker.on("exit", (code) => {
          if (queued.length > 0) fail(threadEnded(code, jobs[queued[0]!]!.session));
        });
        type Reply = {
          ok: boolean;
          takenBack?: true;
          result?: SessionReplayRows;
          error?: string;
          kind?: "refused" | "rejected" | "other";
        };
        worker.on("message", (message: Reply) => {
          const index = queued.shift()!;
          if (!message.ok) return fail(threadError(jobs[index]!.session, message.error!, message.kind));
          // A session the main lane took back: its result is the main lane's to hand in.
          if (message.takenBack !== true)
            try {
              results[index] = finished(index, message.result!);
            } catch (error) {
              return fail(error);
            }
          queueNext();
          if (queued.length === 0) resolvePromise();
        });
        queueNext();
        // The others once the main lane has taken its first (it runs before this microtask).
        queueMicrotask(() => {
          for (let more = 1; more < THREAD_QUEUE; more++) queueNext();
          if (queued.length === 0) resolvePromise();
        });
      });
      clean = true;
    } finally {
      await releaseWorker(worker, clean);
    }
  };

  // The threads first: they boot while the main thread starts on its first session.
  const lanes = Array.from({ length: workers - 1 }, threadLane);
  // Every lane settles before the replay ends, failed or not: a lane still inside a session holds
  // its source journal's read open, which the replay closes next (a thread that failed while the
  // main lane awaited its strategy's load closed it under the read, and that error hid this one).
  const settled = await Promise.allSettled([...lanes, mainLane()]);
  if (failure !== undefined) throw failure;
  const rejected = settled.find((lane) => lane.status === "rejected");
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  return results;
}
