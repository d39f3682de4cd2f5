/**
 * The envelope of one line of `journal import`, strict: every field must be known. Loaded on first
 * use (catalogue-lazy.ts), so commands that never import do not load zod.
 */
import { z } from "../../vendor/index.js";
import { isSafeStreamName } from "./envelope.js";
import { isRealSessionDate } from "./session-date.js";

export const LineSchema = z
  .object({
    id: z.string().min(1).max(64),
    stream: z.string().refine(isSafeStreamName, "is not a safe stream name (letters, digits, . _ - ; ≤ 100)"),
    session: z.string().refine(isRealSessionDate, "is not a real trading date YYYY-MM-DD"),
    pos: z.number().int().nonnegative(),
    type: z.string().min(1),
    version: z.number().int().positive(),
    ts: z.number().int(),
    causation: z.string().nullable(),
    correlation: z.string().nullable(),
    payload: z.unknown(),
  })
  .strict();
