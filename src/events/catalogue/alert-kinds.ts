/**
 * The names of alert kinds and webhook formats, without zod (the live config and the catalogue's
 * schemas share them; a command that never validates an event never loads zod for them).
 */

/** What an alert is about; the names `alerts.on` takes in the live config. */
export const ALERT_KINDS = [
  "start",
  "stop",
  "fill",
  "loss-limit",
  "position-mismatch",
  "gateway-unreachable",
  "gateway-reachable",
  "pacing",
  "connectivity-lost",
  "connectivity-restored",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** The payload shape a webhook is sent: generic JSON, or the service's own. */
export const ALERT_FORMATS = ["json", "ntfy", "slack", "discord", "telegram"] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];
