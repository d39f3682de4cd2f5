/**
 * One session of a sweep, in a worker thread or the main thread: the session is read and its hash
 * chain verified once, the fill model calibrated on its live fills once, live's strategy run once
 * through that model (the baseline), and then every parameter set runs over the same events in
 * the same pass. Each set's run is the one `replay --param … --outcomes simulated` makes of the
 * session (the same inputs to `replaySession`, so the same figures to the cent and the same run id).
 */
import {
  isPostgresUrl,
  maskPassword,
  type NewEvent,
  type StoredEvent,
  type StrategyRef,
} from "../events/index.js";
import { decisionSlippage } from "../projections/index.js";
import { StrategyFailed, strategyRef } from "../strategy/index.js";
import { type ReplayInput, replaySession } from "./engine.js";
import { FILL_MODEL_NAMES, fillModelByName } from "./fill-model.js";
import { ReplayRefused } from "./refused.js";
import { untilOpened } from "./run-plan.js";
import { readFleet, sourceJournal } from "./session-job.js";
import { loadStrategy, StrategyRejected } from "./strategy-loader.js";
import type { ParamSet } from "./sweep-grid.js";
import { type SessionSlice, sliceOf } from "./sweep-metrics.js";

export interface SweepSessionJob {
  sourcePath: string;
  sourceStream: string;
  sourceBot?: string;
  session: string;
  /** Verify the session's rows as they are read (false only with --force; a fleet is checked by the caller). */
  verify: boolean;
  /** Shipped strategy name or module path; null = the one live ran. */
  strategy: string | null;
  fillModel: string;
  codeVersion: string;
  sets: ParamSet[];
  /** Hand back each set's events (and the baseline's) to be written: the kept runs. */
  full: boolean;
}

export interface SweepRun {
  run: string;
  slice: SessionSlice;
  /** With `full`: the run's events. */
  output?: NewEvent[];
}

export interface SweepSessionResult {
  session: string;
  events: number;
  /** The strategy the sets ran. */
  strategy: StrategyRef;
  /** The session's last event time: what the sweep's summary events are stamped with. */
  lastTs: number;
  live: SessionSlice;
  /** Live's strategy and parameters through the same fill model; null without a SessionOpened naming it. */
  baseline: (SweepRun & { params: Record<string, unknown> }) | null;
  /** In the order of `job.sets`. */
  sets: SweepRun[];
}

export async function runSweepSession(
  job: SweepSessionJob,
  onSet: () => void = () => {},
): Promise<SweepSessionResult> {
  const day = await readDay(job);
  try {
    return await sweepDay(job, day, onSet);
  } catch (error) {
    if (error instanceof StrategyFailed) throw new ReplayRefused(`session ${job.session}: ${error.message}`);
    throw error;
  }
}

/** The whole session, its rows verified (a set is never figured on rows whose hashes fail). */
async function readDay(job: SweepSessionJob): Promise<StoredEvent[]> {
  const filter = { stream: job.sourceStream, session: job.session };
  if (isPostgresUrl(job.sourcePath)) return readFleet(job, filter);
  const source = sourceJournal(job.sourcePath);
  if (!job.verify) return [...source.read(filter)];
  const { report, events } = source.readVerifiedSession(job.session, filter);
  if (!report.ok)
    throw new ReplayRefused(
      `session ${job.session}: ${job.sourcePath} fails verify at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} — replay refuses a tampered or damaged journal; pass --force to sweep it anyway`,
    );
  return events;
}

async function sweepDay(
  job: SweepSessionJob,
  day: StoredEvent[],
  onSet: () => void,
): Promise<SweepSessionResult> {
  const { opened } = untilOpened(day);
  if (job.strategy === null && !opened)
    throw new StrategyRejected(
      `session ${job.session} has no SessionOpened to name the strategy live ran: pass --strategy NAME (journal strategies lists them) or a module path`,
    );
  const strategy = await loadStrategy(job.strategy ?? opened!.payload.strategy.name);
  const fillModel = fillModelByName(job.fillModel, decisionSlippage(day));
  if (!fillModel)
    throw new Error(`unknown fill model "${job.fillModel}" (known: ${FILL_MODEL_NAMES.join(", ")})`);
  const input: ReplayInput = {
    session: job.session,
    sourceJournal: isPostgresUrl(job.sourcePath) ? maskPassword(job.sourcePath) : job.sourcePath,
    sourceStream: job.sourceStream,
    events: day,
    strategy,
    paramOverrides: {},
    fillModel,
    codeVersion: job.codeVersion,
    // Every set through the fill model, live's own parameters too: a set is compared with the
    // baseline, never with live's recorded fills.
    outcomes: "simulated",
    window: {},
  };
  let events = 0;
  const run = (overrides: ParamSet): SweepRun => {
    const result = replaySession({ ...input, paramOverrides: overrides });
    // Live's figures come with every run: the first one's are kept (no run of its own for them),
    // and handed to the runs after it, which then need not fold live's day again.
    input.live ??= result.live;
    events = result.events;
    return {
      run: result.run,
      slice: sliceOf(job.session, result.replay, result.unfilled),
      ...(job.full ? { output: result.output } : {}),
    };
  };
  let baseline: SweepSessionResult["baseline"] = null;
  if (opened) {
    const liveStrategy = await loadStrategy(opened.payload.strategy.name).catch(() => null);
    if (liveStrategy) {
      const result = replaySession({ ...input, strategy: liveStrategy });
      baseline = {
        run: result.run,
        params: liveStrategy.params.parse(opened.payload.params ?? {}) as Record<string, unknown>,
        slice: sliceOf(job.session, result.replay, result.unfilled),
        ...(job.full ? { output: result.output } : {}),
      };
      input.live = result.live;
      events = result.events;
    }
  }
  const sets = job.sets.map((set) => {
    const done = run(set);
    onSet();
    return done;
  });
  // No baseline and no set (cannot happen from the CLI): a run of the strategy's defaults gives live's figures.
  if (!input.live) run({});
  return {
    session: job.session,
    strategy: strategyRef(strategy),
    events,
    lastTs: day[day.length - 1]?.ts ?? 0,
    live: sliceOf(job.session, input.live!, 0),
    baseline,
    sets,
  };
}
