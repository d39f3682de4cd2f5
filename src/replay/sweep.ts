/**
 * `replay --sweep`: many parameter sets over the same sessions, each session read and verified
 * once per lane and every set run over it in the same pass (sweep-job.ts). Sets are ranked on
 * their figures over all sessions (or chosen per walk-forward fold); the output journal gets one
 * `SweepSetSummarized` per set, the baseline's first, and full runs only for the kept sets (and
 * the baseline), re-run from a second verified read of just their sessions. All in one write
 * transaction: a sweep lands whole or not at all.
 */
import { existsSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import {
  canonicalJson,
  checkBeforeWriting,
  isPostgresUrl,
  journalFiles,
  type NewEvent,
  openAsyncJournal,
  openJournal,
  SeededIdGen,
  type StrategyRef,
} from "../events/index.js";
import { ReplayRefused } from "./refused.js";
import { autoWorkers, sessionEvents } from "./replay.js";
import { closeSessionSources } from "./session-job.js";
import type { ParamSet } from "./sweep-grid.js";
import type { SweepSessionJob, SweepSessionResult } from "./sweep-job.js";
import { sweepInLanes } from "./sweep-lanes.js";
import {
  compareBy,
  type RankMetric,
  type SessionSlice,
  type SetFigures,
  setFigures,
} from "./sweep-metrics.js";
import { type Fold, type FoldResult, walkForward } from "./walk-forward.js";

export interface SweepOptions {
  journal: string;
  bot?: string;
  /** The output journal; null writes nothing. */
  out: string | null;
  sessions: string[];
  stream: string;
  strategy: string | null;
  fillModel: string;
  codeVersion: string;
  force: boolean;
  /** As a replay's; `auto` weighs the sessions' events × (sets + the baseline). */
  workers: number | "auto";
  sets: ParamSet[];
  rank: RankMetric;
  /** How many of the best sets get their full runs written. */
  keep: number;
  /** Walk-forward folds over `sessions`; absent: a plain sweep ranked over every session. */
  folds?: Fold[];
  /** Sets × sessions done, of the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface SweptSet {
  /** Position in the sweep's list of sets (grid or sample order). */
  index: number;
  params: ParamSet;
  /** 1 = best by the rank metric (over every session). */
  rank: number;
  figures: SetFigures;
  sessions: SessionSlice[];
  /** Full runs written (kept sets), one per session. */
  runs: string[];
}

export interface SweepReport {
  out: string | null;
  stream: string | null;
  strategy: StrategyRef;
  sessions: string[];
  rankedBy: RankMetric;
  live: SetFigures;
  baseline: {
    params: Record<string, unknown>;
    figures: SetFigures;
    sessions: SessionSlice[];
    runs: string[];
  } | null;
  /** Best first. */
  sets: SweptSet[];
  folds?: FoldResult[];
}

function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

async function checkSource(options: SweepOptions): Promise<void> {
  const pg = isPostgresUrl(options.journal);
  if (pg && options.bot === undefined)
    throw new ReplayRefused(`${options.journal} holds a fleet: say whose sessions to sweep (--bot NAME)`);
  const source = await openAsyncJournal(options.journal, {
    readonly: true,
    ...(options.bot === undefined ? {} : { bot: options.bot }),
  });
  try {
    if (!options.force && pg) {
      const report = await source.verifySession(options.sessions);
      if (!report.ok)
        throw new ReplayRefused(
          `${options.journal} fails verify at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} — replay refuses a tampered or damaged journal; pass --force to sweep it anyway`,
        );
    }
    const available = await source.sessionIds(options.stream);
    const unknown = options.sessions.filter((s) => !available.includes(s));
    if (options.sessions.length === 0 || unknown.length > 0)
      throw new ReplayRefused(
        `${unknown.length ? `no session ${unknown.join(", ")}` : "no sessions selected"} in stream ${options.stream} of ${options.journal}; sessions there: ${available.join(", ") || "(none)"}`,
      );
  } finally {
    await source.close();
  }
}

export async function runSweep(options: SweepOptions): Promise<SweepReport> {
  await checkSource(options);
  const pg = isPostgresUrl(options.journal);
  const job = (session: string, sets: ParamSet[], full: boolean): SweepSessionJob => ({
    sourcePath: pg ? options.journal : resolve(options.journal),
    ...(options.bot === undefined ? {} : { sourceBot: options.bot }),
    sourceStream: options.stream,
    session,
    verify: !options.force,
    strategy: options.strategy,
    fillModel: options.fillModel,
    codeVersion: options.codeVersion,
    sets,
    full,
  });
  const requested =
    options.workers === "auto"
      ? autoWorkers(
          ((await sessionEvents(options, options.sessions)) ?? Number.POSITIVE_INFINITY) *
            (options.sets.length + 1),
        )
      : options.workers;
  const lanes = (n: number) => Math.max(1, Math.min(requested, n, availableParallelism()));
  const total = options.sets.length * options.sessions.length;
  let done = 0;
  try {
    const pass = await sweepInLanes(
      options.sessions.map((s) => job(s, options.sets, false)),
      lanes(options.sessions.length),
      () => options.onProgress?.(++done, total),
    );
    const report = rank(options, pass);
    const fullRuns = await keptRuns(options, report, job, lanes);
    if (options.out !== null) writeSweep(options, report, pass, fullRuns);
    return report;
  } finally {
    closeSessionSources();
  }
}

function rank(options: SweepOptions, pass: readonly SweepSessionResult[]): SweepReport {
  const compare = compareBy(options.rank);
  const perSet = options.sets.map((_, i) => pass.map((session) => session.sets[i]!.slice));
  const ranked = options.sets
    .map((params, index) => ({
      index,
      params,
      figures: setFigures(perSet[index]!),
      sessions: perSet[index]!,
    }))
    .sort((a, b) => compare(a.figures, b.figures) || a.index - b.index)
    .map((set, i) => ({ ...set, rank: i + 1, runs: [] as string[] }));
  const baselines = pass.every((s) => s.baseline !== null) ? pass.map((s) => s.baseline!.slice) : null;
  return {
    out: options.out,
    stream: null,
    strategy: pass[0]!.strategy,
    sessions: options.sessions,
    rankedBy: options.rank,
    live: setFigures(pass.map((s) => s.live)),
    baseline: baselines
      ? { params: pass[0]!.baseline!.params, figures: setFigures(baselines), sessions: baselines, runs: [] }
      : null,
    sets: ranked,
    ...(options.folds ? { folds: walkForward(options.folds, perSet, baselines, options.rank) } : {}),
  };
}

/** A run written in full: its stream, session and events. */
interface FullRun {
  run: string;
  session: string;
  output: NewEvent[];
}

/**
 * The kept sets' runs (the best `keep`; with folds, each fold's choice on its test sessions) and
 * the baseline's on the same sessions, from a second verified read of those sessions only.
 */
async function keptRuns(
  options: SweepOptions,
  report: SweepReport,
  job: (session: string, sets: ParamSet[], full: boolean) => SweepSessionJob,
  lanes: (n: number) => number,
): Promise<FullRun[]> {
  if (options.out === null) return [];
  const wanted = new Map<string, Set<number>>();
  const want = (session: string, index: number) =>
    wanted.set(session, (wanted.get(session) ?? new Set()).add(index));
  if (options.folds) for (const fold of report.folds ?? []) for (const s of fold.test) want(s, fold.chosen);
  else
    for (const set of report.sets.slice(0, options.keep))
      for (const s of options.sessions) want(s, set.index);
  const sessions = options.sessions.filter((s) => wanted.has(s));
  if (sessions.length === 0) return [];
  const indices = sessions.map((s) => [...wanted.get(s)!].sort((a, b) => a - b));
  const results = await sweepInLanes(
    sessions.map((s, i) =>
      job(
        s,
        indices[i]!.map((index) => options.sets[index]!),
        true,
      ),
    ),
    lanes(sessions.length),
    () => {},
  );
  const runs: FullRun[] = [];
  const byIndex = new Map(report.sets.map((set) => [set.index, set]));
  for (const [i, result] of results.entries()) {
    if (result.baseline) {
      runs.push({ run: result.baseline.run, session: result.session, output: result.baseline.output! });
      report.baseline?.runs.push(result.baseline.run);
    }
    for (const [j, index] of indices[i]!.entries()) {
      const run = result.sets[j]!;
      const set = byIndex.get(index)!;
      // The same inputs give the same run: a figure that moved would mean the engine is not pure.
      const swept = set.sessions.find((s) => s.session === result.session)!;
      if (canonicalJson(swept) !== canonicalJson(run.slice))
        throw new Error(`session ${result.session}: set ${index} gave other figures when re-run (a bug)`);
      // Live's own parameters as a set: that run is the baseline's, written once.
      if (run.run !== result.baseline?.run)
        runs.push({ run: run.run, session: result.session, output: run.output! });
      set.runs.push(run.run);
    }
  }
  return runs;
}

function writeSweep(
  options: SweepOptions,
  report: SweepReport,
  pass: readonly SweepSessionResult[],
  runs: readonly FullRun[],
): void {
  const lastTs = Math.max(...pass.map((s) => s.lastTs));
  const ids = new SeededIdGen(
    hashText(
      canonicalJson([
        options.journal,
        options.stream,
        options.sessions,
        report.strategy,
        options.sets,
        options.fillModel,
        options.rank,
        options.codeVersion,
        options.folds ?? null,
      ]),
    ),
  );
  const stream = `sweep-${ids.next(lastTs)}`;
  report.stream = stream;
  const foldsOf = (index: number) =>
    report.folds?.map((f) => ({
      fold: f.fold,
      train: setFigures(
        report.sets.find((s) => s.index === index)!.sessions.filter((x) => f.train.includes(x.session)),
      ),
      test: setFigures(
        report.sets.find((s) => s.index === index)!.sessions.filter((x) => f.test.includes(x.session)),
      ),
      chosen: f.chosen === index,
    }));
  const summary = (
    params: Record<string, unknown>,
    baseline: boolean,
    rankNo: number,
    figures: SetFigures,
    runIds: string[],
    folds: ReturnType<typeof foldsOf>,
  ): NewEvent & { id: string } => ({
    id: ids.next(lastTs),
    ts: lastTs,
    type: "SweepSetSummarized",
    version: 1,
    payload: {
      sourceJournal: isPostgresUrl(options.journal) ? "postgres" : options.journal,
      sourceStream: options.stream,
      sourceSessions: options.sessions,
      strategy: report.strategy,
      params,
      baseline,
      fillModel: options.fillModel,
      codeVersion: options.codeVersion,
      rankedBy: options.rank,
      rank: rankNo,
      figures,
      ...(folds ? { folds } : {}),
      runs: runIds,
    },
  });
  const events = [
    ...(report.baseline
      ? [summary(report.baseline.params, true, 0, report.baseline.figures, report.baseline.runs, undefined)]
      : []),
    ...report.sets.map((s) => summary(s.params, false, s.rank, s.figures, s.runs, foldsOf(s.index))),
  ];
  const path = options.out!;
  const created = !existsSync(path);
  const journal = openJournal(path, { idGen: new SeededIdGen(1) });
  let committed = false;
  try {
    checkBeforeWriting(journal, "journal replay", "new");
    const batch = journal.beginBatch();
    try {
      journal.append(stream, options.sessions[0]!, events);
      for (const run of runs) journal.append(run.run, run.session, run.output);
      batch.commit();
      committed = true;
    } finally {
      if (!committed) batch.rollback();
    }
  } finally {
    journal.close();
    if (!committed && created) for (const file of journalFiles(path)) rmSync(file, { force: true });
  }
}
