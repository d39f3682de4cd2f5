/**
 * One session's replay as a self-contained job: what a worker thread (or the main thread) runs.
 */
import {
  type EventFilter,
  isPostgresUrl,
  type Journal,
  maskPassword,
  openAsyncJournal,
  openJournal,
  type StoredEvent,
} from "../events/index.js";
import { decisionSlippage, type FeeSchedule } from "../projections/index.js";
import { StrategyFailed } from "../strategy/index.js";
import { replaySession, type SessionReplay } from "./engine.js";
import { FILL_MODEL_NAMES, fillModelByName } from "./fill-model.js";
import { ReplayRefused } from "./refused.js";
import { concatEvents, type OutcomeMode, planRun, untilOpened } from "./run-plan.js";
import { WholeDayNeeded } from "./source-keeper.js";
import { loadStrategy, StrategyRejected } from "./strategy-loader.js";

export interface SessionJob {
  sourcePath: string;
  sourceStream: string;
  /** On a PostgreSQL source: whose chain. */
  sourceBot?: string;
  session: string;
  /**
   * Verify the session (SQLite sources) in the same read that loads it, and refuse it if it fails;
   * false only with --force. A fleet source is verified by the caller.
   */
  verify?: boolean;
  /** Shipped strategy name, or a module path; null = the one live ran (from SessionOpened). */
  strategy: string | null;
  paramOverrides: Record<string, unknown>;
  fillModel: string;
  /** The fee table simulated fills are charged by (plain data: it crosses to worker threads). */
  fees?: FeeSchedule;
  codeVersion: string;
  /** Where the strategy's order outcomes come from; `auto` when absent. */
  outcomes?: OutcomeMode | "auto";
  fromTs?: number;
  toTs?: number;
}

export async function runSessionJob(job: SessionJob): Promise<SessionReplay> {
  try {
    return await runSessionJobUnnamed(job);
  } catch (error) {
    // A strategy's own mistake, named with its session (the user's to fix, not a crash of ours).
    if (error instanceof StrategyFailed) throw new ReplayRefused(`session ${job.session}: ${error.message}`);
    throw error;
  }
}

async function runSessionJobUnnamed(job: SessionJob): Promise<SessionReplay> {
  try {
    return await readAndReplay(job, true);
  } catch (error) {
    // A day whose figures would have needed what a streamed read does not keep: read it again whole.
    if (error instanceof WholeDayNeeded) return await readAndReplay(job, false);
    throw error;
  }
}

/**
 * Read the session and replay it. `streamed`: the day goes by as it is read where the run allows
 * (source-keeper.ts); otherwise a simulated run holds it whole, and nothing is assumed of it.
 */
async function readAndReplay(job: SessionJob, streamed: boolean): Promise<SessionReplay> {
  // The whole day is read whatever the window: its opening events name the strategy and warm it
  // up; `--from`/`--to` limit which cycles decide (the engine's window).
  const filter = { stream: job.sourceStream, session: job.session };
  if (isPostgresUrl(job.sourcePath)) return replayEvents(job, await readFleet(job, filter), streamed);
  const source = sourceJournal(job.sourcePath);
  // A session without a SessionOpened was read whole before its first event could be replayed.
  const plan = { streamed, sessionOpened: !streamed || hasSessionOpened(source, filter) };
  let ok = false;
  try {
    if (!job.verify) {
      const result = await replayEvents(job, source.read(filter), plan.streamed, plan.sessionOpened);
      ok = true;
      return result;
    }
    // The session is checked as the run reads it (one pass); what the run made of it counts only
    // once the whole session has passed.
    const stream = source.streamVerifiedSession(job.session, filter);
    let result: SessionReplay;
    try {
      result = await replayEvents(job, stream.events, plan.streamed, plan.sessionOpened);
    } finally {
      // Read ahead and then refused (a strategy that does not load): end the read all the same.
      stream.close();
    }
    const report = stream.report();
    if (!report.ok)
      throw new ReplayRefused(
        `session ${job.session}: ${job.sourcePath} fails verify at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} — replay refuses a tampered or damaged journal; pass --force to replay it anyway`,
      );
    ok = true;
    return result;
  } finally {
    if (!ok) closeSessionSources();
  }
}

/**
 * The source journals this thread reads, open from one session to the next (a replay of many days
 * opened and checked its source again for each). Each session still reads in a transaction of its
 * own. Closed by `closeSessionSources`, or with the worker thread.
 */
const sources = new Map<string, Journal>();

export function sourceJournal(path: string): Journal {
  let journal = sources.get(path);
  if (!journal) {
    journal = openJournal(path, { readonly: true });
    sources.set(path, journal);
  }
  return journal;
}

/** Close the source journals this thread holds open (a replay calls it when it is done). */
export function closeSessionSources(): void {
  for (const journal of sources.values()) journal.close();
  sources.clear();
}

/** Whether the stream's session has a SessionOpened: one seek of the (type, seq) index. */
function hasSessionOpened(source: Journal, filter: { stream: string; session: string }): boolean {
  return (
    source.sql.all(
      "SELECT 1 FROM events INDEXED BY events_type_seq WHERE type = 'SessionOpened' AND session = ? AND stream = ? LIMIT 1",
      [filter.session, filter.stream],
    ).length > 0
  );
}

async function replayEvents(
  job: SessionJob,
  read: Iterable<StoredEvent>,
  streamed: boolean,
  sessionOpened = true,
): Promise<SessionReplay> {
  // The strategy live ran, from the session's SessionOpened (read ahead, then replayed with the rest).
  const { head, opened, rest } = untilOpened(read, sessionOpened);
  if (opened && !sessionOpened) throw new WholeDayNeeded(`${job.session}: a SessionOpened appeared`);
  if (job.strategy === null && !opened)
    throw new StrategyRejected(
      `session ${job.session} has no SessionOpened to name the strategy live ran: pass --strategy NAME (journal strategies lists them) or a module path`,
    );
  const strategy = await loadStrategy(job.strategy ?? opened!.payload.strategy.name);
  const outcomes = job.outcomes ?? "auto";
  const { mode, sameStrategy } = planRun(job.session, opened, strategy, job.paramOverrides, outcomes);
  // A simulated run needs the whole day at hand when its fill model is calibrated on the day's live
  // fills before its first decision (decision-quote), or when its baseline replays the day again
  // (a what-if of a session whose SessionOpened names live's strategy). Any other run streams:
  // the day is never all in memory (its bars were most of a replay's garbage).
  const holdDay =
    mode === "simulated" &&
    (!streamed || job.fillModel === "decision-quote" || (opened !== undefined && !sameStrategy));
  const day = holdDay ? [...concatEvents(head, rest)] : [];
  const events: Iterable<StoredEvent> = holdDay ? day : concatEvents(head, rest);
  const fillModel = fillModelByName(job.fillModel, decisionSlippage(day), job.fees);
  if (!fillModel)
    throw new Error(`unknown fill model "${job.fillModel}" (known: ${FILL_MODEL_NAMES.join(", ")})`);
  const input = {
    session: job.session,
    sourceJournal: isPostgresUrl(job.sourcePath) ? maskPassword(job.sourcePath) : job.sourcePath,
    sourceStream: job.sourceStream,
    events,
    strategy,
    paramOverrides: job.paramOverrides,
    fillModel,
    codeVersion: job.codeVersion,
    outcomes,
    window: {
      ...(job.fromTs === undefined ? {} : { fromTs: job.fromTs }),
      ...(job.toTs === undefined ? {} : { toTs: job.toTs }),
    },
    sessionOpened,
    keepOrderedOnly: streamed,
    withModelError: true,
  };
  const result = replaySession(input);
  if (result.outcomes !== "simulated") return result;
  const modelError = result.modelError!;
  // Live's own strategy and parameters: this run is the baseline.
  if (result.parity !== null)
    return { ...result, modelError, baseline: { run: result.run, summary: result.replay, output: [] } };
  if (!opened) return { ...result, modelError };
  let liveStrategy: Awaited<ReturnType<typeof loadStrategy>>;
  try {
    liveStrategy = await loadStrategy(opened.payload.strategy.name);
  } catch {
    // Live's strategy is not in this checkout: the what-if stands alone (the summary says so).
    return { ...result, modelError };
  }
  const base = replaySession({
    ...input,
    withModelError: false,
    events: day,
    strategy: liveStrategy,
    paramOverrides: {},
    outcomes: "simulated",
    // Live's figures of the day are the what-if's: not folded a second time.
    live: result.live,
  });
  return { ...result, modelError, baseline: { run: base.run, summary: base.replay, output: base.output } };
}

/** The same events from the fleet's journal: one bot's chain, in its seq order. */
export async function readFleet(
  job: Pick<SessionJob, "sourcePath" | "sourceBot">,
  filter: EventFilter,
): Promise<StoredEvent[]> {
  const source = await openAsyncJournal(job.sourcePath, {
    readonly: true,
    ...(job.sourceBot === undefined ? {} : { bot: job.sourceBot }),
  });
  try {
    const events: StoredEvent[] = [];
    for await (const event of source.read(filter)) events.push(event);
    return events;
  } finally {
    await source.close();
  }
}
