/**
 * Walk-forward: choose the best set on training sessions, report it on test sessions it never saw,
 * beside the baseline on the same test sessions. `--train RANGE --test RANGE` gives one fold;
 * `--folds K` splits the sessions in order into K + 1 blocks and fold k trains on blocks 0…k−1
 * (an anchored, growing window) and tests on block k.
 */
import {
  compareBy,
  type RankMetric,
  type SessionSlice,
  type SetFigures,
  setFigures,
} from "./sweep-metrics.js";

export interface Fold {
  fold: number;
  train: string[];
  test: string[];
}

/** The folds of `sessions` (in order) for `--folds k`. */
export function foldsOf(sessions: readonly string[], k: number): Fold[] {
  if (!Number.isInteger(k) || k < 1 || sessions.length < k + 1)
    throw new RangeError(
      `--folds ${k}: needs a whole number ≥ 1 and at least ${k + 1} sessions (there are ${sessions.length})`,
    );
  const blocks = Array.from({ length: k + 1 }, (_, b) =>
    sessions.slice(
      Math.floor((b * sessions.length) / (k + 1)),
      Math.floor(((b + 1) * sessions.length) / (k + 1)),
    ),
  );
  return Array.from({ length: k }, (_, i) => ({
    fold: i + 1,
    train: blocks.slice(0, i + 1).flat(),
    test: blocks[i + 1]!,
  }));
}

export interface FoldResult {
  fold: number;
  train: string[];
  test: string[];
  /** Index of the chosen set (best on the training sessions). */
  chosen: number;
  inSample: SetFigures;
  outOfSample: SetFigures;
  baselineTest: SetFigures | null;
  /** Per session: out-of-sample net P&L − in-sample net P&L (negative: the choice did worse on unseen days). */
  gapPerSession: number;
  /** Out-of-sample − baseline on the test sessions. */
  effectOutOfSample: number | null;
}

const only = (slices: readonly SessionSlice[], sessions: readonly string[]) =>
  slices.filter((s) => sessions.includes(s.session));
const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * Each fold's choice and its figures, from every set's per-session slices (`perSet[i]` is set i's)
 * and the baseline's.
 */
export function walkForward(
  folds: readonly Fold[],
  perSet: readonly (readonly SessionSlice[])[],
  baseline: readonly SessionSlice[] | null,
  rank: RankMetric,
): FoldResult[] {
  const compare = compareBy(rank);
  return folds.map((fold) => {
    const train = perSet.map((slices) => setFigures(only(slices, fold.train)));
    let chosen = 0;
    for (let i = 1; i < train.length; i++) if (compare(train[i]!, train[chosen]!) < 0) chosen = i;
    const inSample = train[chosen]!;
    const outOfSample = setFigures(only(perSet[chosen]!, fold.test));
    const baselineTest = baseline ? setFigures(only(baseline, fold.test)) : null;
    return {
      fold: fold.fold,
      train: fold.train,
      test: fold.test,
      chosen,
      inSample,
      outOfSample,
      baselineTest,
      gapPerSession: cents(outOfSample.netPnl / fold.test.length - inSample.netPnl / fold.train.length),
      effectOutOfSample: baselineTest ? cents(outOfSample.netPnl - baselineTest.netPnl) : null,
    };
  });
}
