/**
 * Reconciliation events: the book projected from the journal against the broker's own positions.
 * Live mode journals a mismatch every cycle it persists (both sides, per contract) and halts new
 * entries until the two agree again, which it journals once.
 */
import { z } from "../../vendor/index.js";

const PositionDiffSchema = z.object({
  /** `contractKey` of the contract, e.g. `SPY 20260206 C 690`. */
  contractKey: z.string().min(1),
  /** What the journal's book holds. */
  ours: z.number().finite(),
  /** What the gateway says the account holds. */
  broker: z.number().finite(),
});

export const PositionMismatch = z.object({
  type: z.literal("PositionMismatch"),
  version: z.literal(1),
  payload: z.object({
    account: z.string(),
    diffs: z.array(PositionDiffSchema).min(1),
    /** New entries are refused (rule `position-mismatch`) while this holds; exits stay allowed. */
    entriesHalted: z.boolean(),
  }),
});

export const PositionsAgreed = z.object({
  type: z.literal("PositionsAgreed"),
  version: z.literal(1),
  payload: z.object({
    account: z.string(),
    /** Contracts compared (the bot's symbols' stock and options). */
    contracts: z.number().int().nonnegative(),
  }),
});
