/**
 * What a cycle knew: how fresh its inputs were. Live journals a request it skipped (a backoff after
 * pacing) as it skips it, and each cycle's completion says whether its inputs were fresh and, if
 * not, why (`degraded`). The strategy is fed the same facts (`CycleInput.freshness`), from the
 * journal, so a replay decides on what live knew and parity holds.
 */
import { z } from "../../vendor/index.js";

const int = z.number().int();

/** A request the bot did not send this cycle, and until when it will not. */
export const RequestSkipped = z.object({
  type: z.literal("RequestSkipped"),
  version: z.literal(1),
  payload: z.object({
    symbol: z.string().min(1),
    /** Which request: the 1-minute bars (the only one the bot backs off today). */
    request: z.enum(["bars"]),
    /** Why, in words (`pacing backoff after error 162`). */
    reason: z.string().min(1),
    /** The gateway code behind the backoff, if one (162, 100). */
    code: int.optional(),
    /** The gateway's time when the request will be sent again, epoch ms. */
    untilMs: int,
  }),
});

/** One symbol's inputs in one cycle, as its decision saw them. */
export const SymbolInputsSchema = z.object({
  symbol: z.string().min(1),
  /** The end of the last 1-minute bar the strategy had, epoch ms (null: none yet). */
  lastBarEndMs: int.nullable(),
  /** Decision time minus `lastBarEndMs`, ms (null: no bars). */
  barAgeMs: int.nullable(),
  /** True when this cycle's bar request answered. */
  barsFetched: z.boolean(),
  /** Requests skipped this cycle (`bars`), with why. */
  skipped: z.array(z.string()),
  /** Snapshots of this cycle without a bid or an ask (timed out, no data, not subscribed). */
  quotesMissing: z.number().int().nonnegative(),
  /** Why this symbol's inputs were not fresh; empty when they were. */
  reasons: z.array(z.string()),
});
export type SymbolInputs = z.infer<typeof SymbolInputsSchema>;

/** A cycle's inputs: `degraded` when any symbol's were stale, skipped or missing. */
export const CycleInputsSchema = z.object({
  degraded: z.boolean(),
  /** Every symbol's reasons, prefixed by the symbol (`SPY: bars skipped …`). */
  reasons: z.array(z.string()),
  symbols: z.array(SymbolInputsSchema),
});
export type CycleInputs = z.infer<typeof CycleInputsSchema>;
