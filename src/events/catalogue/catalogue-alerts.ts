/**
 * Alert events: what became of each message the bot posted to a webhook (issue 27). They are the
 * journal's record of who was told what, and when a phone was not told: a delivery, or a failed
 * attempt (timeout, HTTP 500, refused connection, queue full, the session closing first). The
 * target is journaled masked (`https://api.telegram.org/bot***\/sendMessage`): a token never
 * reaches the journal.
 */
import { z } from "../../vendor/index.js";
import { ALERT_FORMATS, ALERT_KINDS } from "./alert-kinds.js";

const AlertKindSchema = z.enum(ALERT_KINDS);
const AlertFormatSchema = z.enum(ALERT_FORMATS);

const target = {
  kind: AlertKindSchema,
  /** The webhook's place in the config's list, from 0 (two webhooks may mask alike). */
  webhook: z.number().int().nonnegative(),
  /** Its URL with every secret masked. */
  target: z.string(),
  format: AlertFormatSchema,
};

export const AlertDelivered = z.object({
  type: z.literal("AlertDelivered"),
  version: z.literal(1),
  payload: z.object({
    ...target,
    /** Attempts it took, from 1. */
    attempts: z.number().int().positive(),
    /** The webhook's HTTP status (2xx). */
    status: z.number().int(),
    /** From the alert's enqueueing to the webhook's answer, ms. */
    latencyMs: z.number().finite().nonnegative(),
  }),
});

export const AlertFailed = z.object({
  type: z.literal("AlertFailed"),
  version: z.literal(1),
  payload: z.object({
    ...target,
    /** The attempt that failed, from 1; 0 when none was made (queue full, closed first). */
    attempt: z.number().int().nonnegative(),
    /** The webhook's HTTP status, or null when it never answered (timeout, refused). */
    status: z.number().int().nullable(),
    /** Why, secrets masked. */
    error: z.string(),
    /** False when this alert is given up on for this webhook. */
    willRetry: z.boolean(),
  }),
});
