/**
 * `replay --sweep …`: the flags of a parameter search (grid, sample, rank, keep, walk-forward)
 * checked before any session runs, then `runSweep` and its summary.
 */
import { acquireWriterLock, type JournalReader, openAsyncJournal } from "../events/index.js";
import {
  expandSessions,
  type Fold,
  foldsOf,
  gridSets,
  gridSize,
  loadStrategy,
  mergeAxes,
  type ParamSet,
  parseAxis,
  RANK_METRICS,
  type RankMetric,
  runSweep,
  StrategyRejected,
  SweepSpecError,
  sampleSets,
} from "../replay/index.js";
import { type AnyStrategy, findStrategy, shippedStrategies } from "../strategy/index.js";
import { cliProgress } from "./cli-progress-lazy.js";
import { codeVersion } from "./code-version.js";
import { grouped } from "./format.js";
import { paramLines, paramProblem } from "./strategy-params.js";
import { sweepHuman, sweepJson } from "./sweep-summary.js";
import { UsageError } from "./usage-error.js";

/** More sets than this ask for `--yes`: a sweep of them is hours on a Pi. */
export const MAX_SETS_WITHOUT_YES = 10_000;

export interface SweepFlags {
  journal: string;
  session?: string;
  sessions?: string;
  stream: string;
  bot?: string;
  out: string;
  inPlace?: boolean;
  strategy?: string;
  fillModel: string;
  force?: boolean;
  json?: boolean;
  sweep: string[];
  sample?: string;
  seed: string;
  rank: string;
  keep: string;
  yes?: boolean;
  train?: string;
  test?: string;
  folds?: string;
  workers: number | "auto";
  /** `--param` values: fixed in every set. */
  fixed: Record<string, unknown>;
}

const whole = (flag: string, value: string, min: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${flag} ${value}: expected a whole number ≥ ${min}`);
  return n;
};

export async function sweepCommand(flags: SweepFlags): Promise<void> {
  if (flags.sweep.length === 0)
    throw new UsageError(
      "--sample, --rank, --keep, --train, --test and --folds go with --sweep KEY=v1,v2,… (or KEY=lo:hi:step)",
    );
  if (flags.inPlace)
    throw new UsageError("--sweep writes to --out, not --in-place: the source stays as live left it");
  if (!RANK_METRICS.includes(flags.rank as RankMetric))
    throw new UsageError(`--rank ${flags.rank}: expected one of ${RANK_METRICS.join(", ")}`);
  const keep = whole("keep", flags.keep, 0);
  const sample = flags.sample === undefined ? undefined : whole("sample", flags.sample, 1);
  const seed = whole("seed", flags.seed, 0);

  const source = await openAsyncJournal(flags.journal, {
    readonly: true,
    ...(flags.bot === undefined ? {} : { bot: flags.bot }),
  });
  let sessions: string[];
  let folds: Fold[] | undefined;
  let sets: ParamSet[];
  let size: number;
  try {
    const available = await source.sessionIds(flags.stream);
    ({ sessions, folds } = sweepSessions(flags, available));
    const strategies = await sessionStrategies(source, flags.stream, sessions, flags.strategy);
    // Every mistake in the grid is told with the parameters there are to sweep.
    const theirParams = (message: string) =>
      new UsageError(
        `${message}. Parameters of ${strategies[0]?.strategy.name ?? "the strategy"}:\n${strategies[0] ? paramLines(strategies[0].strategy).join("\n") : ""}`,
      );
    let axes: ReturnType<typeof mergeAxes>;
    try {
      axes = mergeAxes(flags.sweep.map(parseAxis));
    } catch (error) {
      if (error instanceof SweepSpecError) throw theirParams(error.message);
      throw error;
    }
    size = gridSize(axes);
    const count = sample === undefined ? size : Math.min(sample, size);
    if (count > MAX_SETS_WITHOUT_YES && !flags.yes)
      throw theirParams(
        `--sweep: ${grouped(count)} sets (over ${grouped(MAX_SETS_WITHOUT_YES)}); narrow the grid, draw some with --sample N --seed S, or pass --yes`,
      );
    const drawn = sample === undefined ? gridSets(axes) : sampleSets(axes, sample, seed);
    sets = drawn.map((set) => ({ ...flags.fixed, ...set }));
    checkSets(
      strategies,
      sets,
      axes.map((a) => a.key),
    );
  } finally {
    await source.close();
  }

  const progress = progressBar(sets.length * sessions.length, flags.json ?? false);
  const lock = acquireWriterLock(flags.out, "journal replay", new Date().toISOString());
  let report: Awaited<ReturnType<typeof runSweep>>;
  try {
    report = await runSweep({
      journal: flags.journal,
      ...(flags.bot === undefined ? {} : { bot: flags.bot }),
      out: flags.out,
      sessions,
      stream: flags.stream,
      strategy: flags.strategy ?? null,
      fillModel: flags.fillModel,
      codeVersion: codeVersion(),
      force: flags.force ?? false,
      workers: flags.workers,
      sets,
      rank: flags.rank as RankMetric,
      keep,
      ...(folds ? { folds } : {}),
      onProgress: progress.update,
    });
  } catch (error) {
    if (error instanceof StrategyRejected) throw new UsageError(error.message);
    throw error;
  } finally {
    progress.stop();
    lock.release();
  }
  const drawnBy =
    sample === undefined ? `grid of ${size}` : `${sets.length} drawn from ${size} (--seed ${seed})`;
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...sweepJson(report), drawn: drawnBy })}\n`);
  else process.stdout.write(sweepHuman(report, drawnBy));
}

/** The sessions a sweep runs over, and its walk-forward folds. */
function sweepSessions(flags: SweepFlags, available: string[]): { sessions: string[]; folds?: Fold[] } {
  if (flags.train !== undefined || flags.test !== undefined) {
    if (flags.train === undefined || flags.test === undefined)
      throw new UsageError(
        "walk-forward needs both --train RANGE and --test RANGE (e.g. 2026-02-02..2026-02-04)",
      );
    if (flags.folds !== undefined) throw new UsageError("give --folds K or --train/--test, not both");
    const train = expandSessions(flags.train, available);
    const test = expandSessions(flags.test, available);
    const missing = [...train, ...test].filter((s) => !available.includes(s));
    if (train.length === 0 || test.length === 0 || missing.length > 0)
      throw new UsageError(
        `--train ${flags.train} --test ${flags.test}: ${missing.length ? `no session ${missing.join(", ")}` : "a side holds no session"}; sessions there: ${available.join(", ") || "(none)"}`,
      );
    const overlap = train.filter((s) => test.includes(s));
    if (overlap.length > 0)
      throw new UsageError(
        `--train and --test share ${overlap.join(", ")}: a test session must be one the choice did not see`,
      );
    const sessions = available.filter((s) => train.includes(s) || test.includes(s));
    return { sessions, folds: [{ fold: 1, train, test }] };
  }
  if (!flags.session && !flags.sessions)
    throw new UsageError(
      "say which sessions: --sessions 2026-02-02..2026-02-06 (or --session, or --train/--test)",
    );
  const sessions = expandSessions(flags.sessions ?? flags.session!, available);
  if (flags.folds === undefined) return { sessions };
  try {
    return { sessions, folds: foldsOf(sessions, whole("folds", flags.folds, 1)) };
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

interface SessionStrategy {
  strategy: AnyStrategy;
  /** Live's parameters, when the session's strategy is live's. */
  base: Record<string, unknown>;
}

/** The strategy each session runs (the one given, or live's), over live's parameters. */
async function sessionStrategies(
  source: JournalReader,
  stream: string,
  sessions: readonly string[],
  strategySpec: string | undefined,
): Promise<SessionStrategy[]> {
  let given: AnyStrategy | null = null;
  if (strategySpec !== undefined) {
    try {
      given = await loadStrategy(strategySpec);
    } catch (error) {
      if (error instanceof StrategyRejected) throw new UsageError(error.message);
      throw error;
    }
  }
  const strategies: SessionStrategy[] = [];
  for await (const opened of source.read({ stream, sessions: [...sessions], types: ["SessionOpened"] })) {
    if (opened.type !== "SessionOpened") continue;
    const live = opened.payload.strategy;
    const strategy = given ?? findStrategy(live.name);
    if (!strategy)
      throw new UsageError(
        `session ${opened.session} ran strategy "${live.name}", which is not shipped here (shipped: ${shippedStrategies.map((s) => s.name).join(", ")}); pass --strategy`,
      );
    strategies.push({ strategy, base: live.name === strategy.name ? opened.payload.params : {} });
  }
  if (strategies.length === 0 && given) strategies.push({ strategy: given, base: {} });
  return strategies;
}

/** Every set against every session's strategy: a key it lacks or a value of the wrong type is named with its parameters. */
function checkSets(
  strategies: readonly SessionStrategy[],
  sets: readonly ParamSet[],
  keys: readonly string[],
): void {
  for (const { strategy, base } of strategies) {
    const known = new Set(Object.keys((strategy.params as { shape?: object }).shape ?? {}));
    const unknown = known.size === 0 ? [] : keys.filter((k) => !known.has(k));
    if (unknown.length > 0)
      throw new UsageError(
        `--sweep ${unknown.join(", ")}: strategy ${strategy.name} has no such parameter. Its parameters:\n${paramLines(strategy).join("\n")}`,
      );
    for (const set of sets) {
      const problem = paramProblem(strategy, base, set);
      if (problem)
        throw new UsageError(`--sweep set ${JSON.stringify(set)}: ${problem.replace(/^--param /, "")}`);
    }
  }
}

/** Sets × sessions done, on stderr: a bar on a terminal, a line per tenth otherwise (none with --json). */
function progressBar(total: number, json: boolean) {
  if (!process.stderr.isTTY) {
    if (json) return { update: () => {}, stop: () => {} };
    let shown = 0;
    return {
      update: (done: number, all: number) => {
        const tenth = Math.floor((done * 10) / all);
        if (tenth <= shown) return;
        shown = tenth;
        process.stderr.write(`sweep: ${done}/${all} set × session runs done\n`);
      },
      stop: () => {},
    };
  }
  const bars = cliProgress();
  const bar = new bars.SingleBar(
    {
      format: "sweep [{bar}] {value}/{total} set × session runs",
      stream: process.stderr,
      hideCursor: true,
      barsize: 20,
    },
    bars.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done: number) => bar.update(done), stop: () => bar.stop() };
}
