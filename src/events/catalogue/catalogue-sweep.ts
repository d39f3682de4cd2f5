/**
 * Sweep events: `replay --sweep` writes one summary per parameter set (its figures over the swept
 * sessions, its rank), the baseline's among them; full runs are written for the kept sets only.
 */
import { z } from "../../vendor/index.js";
import { SessionIdSchema, StrategyRefSchema } from "./catalogue-values.js";

const finite = z.number().finite();
const nonNegativeInt = z.number().int().nonnegative();

const SetFiguresSchema = z.object({
  sessions: nonNegativeInt,
  netPnl: finite,
  trades: nonNegativeInt,
  winRate: finite.nullable(),
  profitFactor: finite.nullable(),
  expectancy: finite.nullable(),
  maxDrawdown: finite,
  sharpe: finite.nullable(),
  fees: finite,
  unfilled: nonNegativeInt,
});

export const SweepSetSummarized = z.object({
  type: z.literal("SweepSetSummarized"),
  version: z.literal(1),
  payload: z.object({
    sourceJournal: z.string(),
    sourceStream: z.string(),
    sourceSessions: z.array(SessionIdSchema).min(1),
    strategy: StrategyRefSchema,
    /** The set's overrides over live's parameters; the baseline's are live's own. */
    params: z.record(z.string(), z.unknown()),
    /** Live's strategy and parameters through the same fill model (rank 0). */
    baseline: z.boolean(),
    fillModel: z.string(),
    codeVersion: z.string(),
    rankedBy: z.string(),
    /** 1 = best; 0 for the baseline. */
    rank: nonNegativeInt,
    figures: SetFiguresSchema,
    /** Walk-forward: the set on each fold's training and test sessions, and whether the fold chose it. */
    folds: z
      .array(
        z.object({
          fold: nonNegativeInt,
          train: SetFiguresSchema,
          test: SetFiguresSchema,
          chosen: z.boolean(),
        }),
      )
      .optional(),
    /** The runs written in full for this set (the kept sets, the baseline), one per session. */
    runs: z.array(z.string()),
  }),
});
