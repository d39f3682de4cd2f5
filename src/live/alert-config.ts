/**
 * `alerts:` in the live config: where to post (webhooks), what about (`on`), and how hard to try.
 * Webhooks come from the file, then `ALERT_URLS` (whitespace-separated), then each
 * `--alert-url`: they add up, each once. Every one is parsed and checked at start (alert-target.ts),
 * so a wrong URL is refused before anything connects, with its secrets masked.
 */

import { ALERT_FORMATS, ALERT_KINDS } from "../events/index.js";
import { z } from "../vendor/index.js";
import { type AlertTarget, alertTarget } from "./alert-target.js";

const Webhook = z.union([
  z.string().min(1),
  z
    .object({
      url: z.string().min(1),
      /** The payload shape; default: from the URL's host (api.telegram.org, hooks.slack.com, …), else json. */
      format: z.enum(ALERT_FORMATS).optional(),
      /** Telegram: the chat to post to (or `?chat_id=` in the URL). */
      chatId: z
        .union([z.string().min(1), z.number().int()])
        .transform(String)
        .optional(),
    })
    .strict(),
]);

export const ALERT_DEFAULTS = {
  webhooks: [],
  on: [...ALERT_KINDS],
  gatewayUnreachableSeconds: 120,
  timeoutSeconds: 5,
  retries: 3,
  retryBackoffSeconds: 2,
  queueSize: 100,
  closeFlushSeconds: 5,
};

export const AlertsConfigSchema = z
  .object({
    webhooks: z.array(Webhook).default([]),
    /** The alerts to send; default: all of them. */
    on: z.array(z.enum(ALERT_KINDS)).default([...ALERT_KINDS]),
    /** The gateway gone this long (no connection) is an alert; its return after one is another. */
    gatewayUnreachableSeconds: z.number().positive().default(120),
    /** Each attempt is given up after this long: a webhook that hangs never holds the queue longer. */
    timeoutSeconds: z.number().positive().max(60).default(5),
    /** Attempts after the first, on a timeout, a refused connection, 429 or 5xx; a 4xx is final. */
    retries: z.number().int().nonnegative().max(10).default(3),
    /** The first retry's wait, doubling each time. */
    retryBackoffSeconds: z.number().positive().max(300).default(2),
    /** Alerts waiting per webhook at most; past it the oldest is dropped (and journaled). */
    queueSize: z.number().int().positive().max(1000).default(100),
    /**
     * At stop, the stop alert and whatever still waits get this long to go out before
     * `SessionClosed` (what is left then is journaled as failed). Under the CLI's 30 s failsafe.
     */
    closeFlushSeconds: z.number().nonnegative().max(20).default(5),
  })
  .strict()
  .default(ALERT_DEFAULTS);

export type AlertsConfig = z.infer<typeof AlertsConfigSchema>;

/** The webhooks of a config, parsed and checked (throws ConfigRefused naming the bad one). */
export function alertTargets(config: AlertsConfig): AlertTarget[] {
  return config.webhooks.map((spec, index) => alertTarget(spec, index));
}

/** The webhooks of the file, the environment and the flags, in that order, each once. */
export function mergeWebhooks(
  fromFile: unknown,
  env: string | undefined,
  flags: readonly string[] | undefined,
): unknown {
  const extra = [...(env ?? "").split(/\s+/).filter(Boolean), ...(flags ?? [])];
  if (extra.length === 0) return fromFile;
  const list: unknown[] = Array.isArray(fromFile) ? [...fromFile] : fromFile === undefined ? [] : [fromFile];
  const seen = new Set(list.map((w) => (typeof w === "string" ? w : JSON.stringify(w))));
  for (const url of extra) {
    if (seen.has(url)) continue;
    seen.add(url);
    list.push(url);
  }
  return list;
}
