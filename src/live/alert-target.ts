/**
 * A webhook as the bot posts to it: the URL, the payload format (from a `format` key, a `format+`
 * prefix, or the URL's host), how it authenticates, and the same URL with every secret masked for
 * anything printed or journaled. A webhook URL is a credential: a Telegram bot token, a Slack or
 * Discord webhook's path, an ntfy topic (its own docs call the topic a password), `user:pass@`, a
 * query's `?token=`. Only `send` ever sees the real URL.
 */
import { ALERT_FORMATS, type AlertFormat } from "../events/index.js";
import { ConfigRefused } from "./config-refused.js";

/** A webhook ready to post to. */
export interface AlertTarget {
  /** Its place in the config's list, from 0. */
  readonly index: number;
  readonly format: AlertFormat;
  /** The URL to POST to (for ntfy, the server's root: JSON is published there, not to the topic). */
  readonly postUrl: string;
  /** Extra request headers (an ntfy token or `user:pass` becomes an Authorization header). */
  readonly headers: Readonly<Record<string, string>>;
  /** ntfy: the topic; telegram: the chat id. */
  readonly topic?: string;
  readonly chatId?: string;
  /** The URL as it may be printed and journaled. */
  readonly masked: string;
  /** Every secret string of the URL, longest first: `scrub` hides them in an error's text. */
  readonly secrets: readonly string[];
}

/** A webhook as the config gives it: a URL string, or `{ url, format?, chatId? }`. */
export interface WebhookSpec {
  readonly url: string;
  readonly format?: AlertFormat | undefined;
  readonly chatId?: string | undefined;
}

const MASK = "***";

/** `format+https://…` names the format in a flag or an environment variable. */
const PREFIXED = new RegExp(`^(${ALERT_FORMATS.join("|")})\\+(https?://.*)$`, "i");

/** The format a URL's host implies, or null when it names no known service. */
export function formatOfUrl(url: URL): AlertFormat | null {
  const host = url.hostname.toLowerCase();
  if (host === "api.telegram.org") return "telegram";
  if (host === "hooks.slack.com") return "slack";
  if (/(^|\.)discord(app)?\.com$/.test(host) && url.pathname.startsWith("/api/webhooks/")) return "discord";
  if (host === "ntfy.sh" || host.endsWith(".ntfy.sh")) return "ntfy";
  return null;
}

/**
 * Parse and check one webhook. Refused (ConfigRefused, the URL masked) when it is not http(s),
 * when an explicit format contradicts the service its host names, or when a Telegram URL names no
 * chat or an ntfy URL no topic.
 */
export function alertTarget(spec: WebhookSpec | string, index: number): AlertTarget {
  const given = typeof spec === "string" ? { url: spec } : spec;
  let raw = given.url.trim();
  let format = given.format;
  const prefixed = PREFIXED.exec(raw);
  if (prefixed) {
    const named = prefixed[1]!.toLowerCase() as AlertFormat;
    if (format !== undefined && format !== named)
      throw refused(index, raw, `its prefix says ${named} but format says ${format}: keep one`);
    format = named;
    raw = prefixed[2]!;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(index, raw, "is not a URL: expected https://host/path (or format+https://…)");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw refused(index, raw, `is ${url.protocol}, not http(s): webhooks are posted over HTTP`);
  const implied = formatOfUrl(url);
  if (format !== undefined && implied !== null && format !== implied)
    throw refused(
      index,
      raw,
      `is a ${implied} URL, but its format is ${format}: drop the format (the URL decides) or give the ${format} service's URL`,
    );
  const chosen = format ?? implied ?? "json";
  const secrets = secretsOf(url, chosen);
  const masked = maskUrl(url, chosen);
  const headers: Record<string, string> = {};
  // fetch refuses a URL with credentials in it: they travel as a header instead.
  if (url.username !== "" || url.password !== "") {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.Authorization =
      user === "" ? `Bearer ${password}` : `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    url.username = "";
    url.password = "";
  }
  if (chosen === "ntfy") {
    const parts = url.pathname.split("/").filter(Boolean);
    const topic = parts.pop();
    if (topic === undefined)
      throw refused(index, raw, "names no ntfy topic: expected https://ntfy.sh/YOUR_TOPIC");
    url.pathname = `/${parts.map((p) => `${p}/`).join("")}`;
    return {
      index,
      format: chosen,
      postUrl: url.toString(),
      headers,
      topic: decodeURIComponent(topic),
      masked,
      secrets,
    };
  }
  if (chosen === "telegram") {
    if (!/^\/bot[^/]+\/sendMessage\/?$/.test(url.pathname))
      throw refused(
        index,
        raw,
        "is not a Telegram sendMessage URL: expected https://api.telegram.org/botTOKEN/sendMessage?chat_id=ID",
      );
    const chatId = given.chatId ?? url.searchParams.get("chat_id") ?? undefined;
    if (chatId === undefined || chatId === "")
      throw refused(index, raw, "names no chat: add ?chat_id=ID to the URL, or chatId: ID beside it");
    url.searchParams.delete("chat_id");
    return { index, format: chosen, postUrl: url.toString(), headers, chatId, masked, secrets };
  }
  return { index, format: chosen, postUrl: url.toString(), headers, masked, secrets };
}

/** The strings of a URL that are secrets (userinfo, tokens in the path, query values). */
function secretsOf(url: URL, format: AlertFormat): string[] {
  const found = new Set<string>();
  const add = (s: string) => {
    if (s.length >= 4) found.add(s);
  };
  add(url.username);
  add(url.password);
  add(decodeURIComponent(url.password));
  const parts = url.pathname.split("/").filter(Boolean);
  parts.forEach((segment, at) => {
    if (!isSecretSegment(segment, at, parts, format)) return;
    add(segment);
    // A Telegram token (`bot<id>:<secret>`) is quoted on its own too: its secret half alone.
    if (format === "telegram" && segment.startsWith("bot")) add(segment.slice(segment.indexOf(":") + 1));
  });
  for (const [, value] of url.searchParams) add(value);
  for (const value of url.search
    .slice(1)
    .split("&")
    .map((p) => p.split("=")[1] ?? ""))
    add(value);
  return [...found].sort((a, b) => b.length - a.length);
}

/** True when the `at`th path segment is a credential: by the service's URL layout, or by its look. */
function isSecretSegment(
  segment: string,
  at: number,
  parts: readonly string[],
  format: AlertFormat,
): boolean {
  if (format === "telegram" && segment.startsWith("bot") && segment.length > 3) return true;
  if (format === "slack" && parts[0] === "services" && at > 0) return true;
  if (format === "discord" && parts[0] === "api" && at === 3) return true; // api/webhooks/ID/TOKEN
  if (format === "ntfy" && at === parts.length - 1) return true;
  return looksLikeToken(segment);
}

/** A long run of letters and digits (both): a key in a generic webhook's path (IFTTT, Home Assistant). */
function looksLikeToken(segment: string): boolean {
  return segment.length >= 16 && /[0-9]/.test(segment) && /[A-Za-z]/.test(segment);
}

/**
 * The URL with its secrets replaced by `***`: userinfo, a Telegram bot token, a Slack webhook's
 * path, a Discord webhook's token, an ntfy topic, every query value, and path segments that look
 * like keys.
 *
 * @example
 * maskUrl(new URL("https://api.telegram.org/bot123:AbC/sendMessage?chat_id=42"), "telegram")
 * // → "https://api.telegram.org/bot***\/sendMessage?chat_id=***"
 */
export function maskUrl(url: URL, format: AlertFormat): string {
  const named = url.pathname.split("/").filter(Boolean);
  const masked = named.map((segment, at) => {
    if (!isSecretSegment(segment, at, named, format)) return segment;
    return format === "telegram" && segment.startsWith("bot") ? `bot${MASK}` : MASK;
  });
  const path = `/${masked.join("/")}${url.pathname.endsWith("/") && masked.length > 0 ? "/" : ""}`;
  const query = [...url.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=${MASK}`).join("&");
  const userinfo = url.username !== "" || url.password !== "" ? `${MASK}@` : "";
  return `${url.protocol}//${userinfo}${url.host}${path}${query === "" ? "" : `?${query}`}`;
}

/** `text` with every secret of `target` (and its raw URL) replaced by the mask. */
export function scrub(text: string, target: AlertTarget): string {
  let out = text;
  for (const secret of target.secrets) out = out.split(secret).join(MASK);
  return out;
}

function refused(index: number, raw: string, problem: string): ConfigRefused {
  let shown: string;
  try {
    const url = new URL(raw);
    shown = maskUrl(url, formatOfUrl(url) ?? "json");
  } catch {
    shown = "(not a URL)";
  }
  return new ConfigRefused(`alerts: webhook ${index + 1} (${shown}) ${problem}`);
}
