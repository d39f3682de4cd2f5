/**
 * An alert as each service wants it posted, per its documented API:
 * - `json`: ours, `{ source, kind, severity, title, text, session, at, ts, eventId, details }`;
 * - `ntfy`: JSON publishing, POSTed to the server's root with the topic in the body
 *   (`{ topic, title, message, priority 1–5, tags }`, docs.ntfy.sh/publish "Publish as JSON");
 * - `slack`: an incoming webhook's `{ text }` (mrkdwn, `&`, `<`, `>` escaped);
 * - `discord`: Execute Webhook's `{ content }` (≤ 2000 characters) with no mentions parsed, so a
 *   text can never ping `@everyone`;
 * - `telegram`: the Bot API's `sendMessage` `{ chat_id, text }` (≤ 4096 characters), plain text.
 */
import type { Alert, AlertSeverity } from "./alert-rules.js";
import type { AlertTarget } from "./alert-target.js";

const NTFY_PRIORITY: Record<AlertSeverity, number> = { info: 3, warning: 4, critical: 5 };
const NTFY_TAGS: Record<AlertSeverity, string> = {
  info: "information_source",
  warning: "warning",
  critical: "rotating_light",
};

/** The JSON body to POST for `alert` to `target`. */
export function alertBody(alert: Alert, target: AlertTarget): Record<string, unknown> {
  switch (target.format) {
    case "json":
      return {
        source: "ib-trading-journal",
        kind: alert.kind,
        severity: alert.severity,
        title: alert.title,
        text: alert.text,
        session: alert.session,
        at: new Date(alert.ts).toISOString(),
        ts: alert.ts,
        eventId: alert.eventId ?? null,
        details: alert.details,
      };
    case "ntfy":
      return {
        topic: target.topic,
        title: alert.title,
        message: alert.text,
        priority: NTFY_PRIORITY[alert.severity],
        tags: [NTFY_TAGS[alert.severity], alert.kind],
      };
    case "slack":
      return { text: `*${slackEscape(alert.title)}*\n${slackEscape(alert.text)}` };
    case "discord":
      return {
        content: clip(`**${alert.title}**\n${alert.text}`, 2000),
        allowed_mentions: { parse: [] },
      };
    case "telegram":
      return { chat_id: target.chatId, text: clip(`${alert.title}\n${alert.text}`, 4096) };
    default: {
      const never: never = target.format;
      throw new Error(`alertBody: unhandled format ${String(never)}`);
    }
  }
}

/** Slack's three control characters in text (api.slack.com "Formatting text"). */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
