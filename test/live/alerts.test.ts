/**
 * Alerts, the pure parts: a webhook URL parsed and masked per service, the events that raise an
 * alert (each condition told once until it clears), the body each format is sent.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../../src/events/index.js";
import { type AlertRulesState, alertsOf, INITIAL_ALERT_RULES } from "../../src/live/alert-rules.js";
import { alertBody } from "../../src/live/alert-shapes.js";
import { alertTarget, scrub } from "../../src/live/alert-target.js";
import { ConfigRefused, loadLiveConfig } from "../../src/live/index.js";

describe("a webhook URL", () => {
  it("is masked per service: Telegram's token, Slack's path, Discord's token, ntfy's topic, userinfo, query values, key-like segments", () => {
    const masked = (url: string, more: Record<string, string> = {}) =>
      alertTarget({ url, ...more }, 0).masked;
    expect(masked("https://api.telegram.org/bot123:AbC-dEf/sendMessage?chat_id=42")).toBe(
      "https://api.telegram.org/bot***/sendMessage?chat_id=***",
    );
    expect(masked("https://hooks.slack.com/services/T0001/B0002/abcSECRET")).toBe(
      "https://hooks.slack.com/services/***/***/***",
    );
    expect(masked("https://discord.com/api/webhooks/1234/tok-en_SECRET")).toBe(
      "https://discord.com/api/webhooks/1234/***",
    );
    expect(masked("https://ntfy.sh/my-private-topic?auth=QmVhcmVy")).toBe("https://ntfy.sh/***?auth=***");
    expect(masked("https://u:pw@example.com/hook")).toBe("https://***@example.com/hook");
    expect(masked("https://maker.ifttt.com/trigger/ev/with/key/dK3jAq9ZzPq7x2Lm")).toBe(
      "https://maker.ifttt.com/trigger/ev/with/key/***",
    );
  });

  it("never shows a token put where a service keeps its secret (property)", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/);
    const templates = [
      (t: string) => `https://api.telegram.org/bot42:${t}/sendMessage?chat_id=7`,
      (t: string) => `https://hooks.slack.com/services/T1/B2/${t}`,
      (t: string) => `https://discord.com/api/webhooks/99/${t}`,
      (t: string) => `https://ntfy.sh/${t}`,
      (t: string) => `https://user:${t}@example.org/hook`,
      (t: string) => `https://example.org/hook?token=${t}`,
    ];
    fc.assert(
      fc.property(token, fc.constantFrom(...templates), (t, template) => {
        const url = template(t);
        const target = alertTarget(url, 0);
        expect(target.masked).not.toContain(t);
        expect(scrub(`fetch failed for ${url}: ${t}`, target)).not.toContain(t);
      }),
    );
  });

  it("ntfy posts to the server's root with its topic; a token in the userinfo is a Bearer header, user:pass is Basic", () => {
    const bearer = alertTarget("https://:tk_abc123@ntfy.example.org/base/alerts-x", 0);
    expect(bearer.format).toBe("json");
    const ntfy = alertTarget("ntfy+https://:tk_abc123@ntfy.example.org/base/alerts-x", 0);
    expect(ntfy).toMatchObject({
      format: "ntfy",
      postUrl: "https://ntfy.example.org/base/",
      topic: "alerts-x",
      headers: { Authorization: "Bearer tk_abc123" },
    });
    expect(alertTarget("https://bob:s3cret@ntfy.sh/t", 0).headers).toEqual({
      Authorization: `Basic ${Buffer.from("bob:s3cret").toString("base64")}`,
    });
  });

  it("Telegram's chat comes from chat_id or chatId; the body carries it, the URL no longer", () => {
    const t = alertTarget({ url: "https://api.telegram.org/bot1:X/sendMessage", chatId: "-100200" }, 0);
    expect(t).toMatchObject({ chatId: "-100200", postUrl: "https://api.telegram.org/bot1:X/sendMessage" });
    const q = alertTarget("https://api.telegram.org/bot1:X/sendMessage?chat_id=5", 0);
    expect(q).toMatchObject({ chatId: "5", postUrl: "https://api.telegram.org/bot1:X/sendMessage" });
  });

  it("contradictions and non-webhooks are refused, naming the webhook masked", () => {
    const refuse = (spec: Parameters<typeof alertTarget>[0]) => () => alertTarget(spec, 2);
    expect(refuse({ url: "https://hooks.slack.com/services/A/B/SEKRET", format: "discord" })).toThrow(
      /webhook 3 \(https:\/\/hooks\.slack\.com\/services\/\*\*\*\/\*\*\*\/\*\*\*\) is a slack URL, but its format is discord/,
    );
    expect(refuse({ url: "slack+https://example.org/x", format: "ntfy" })).toThrow(
      /prefix says slack but format says ntfy/,
    );
    expect(refuse("ftp://example.org/x")).toThrow(/not http\(s\)/);
    expect(refuse("ntfy+https://ntfy.example.org/")).toThrow(/names no ntfy topic/);
    expect(refuse("https://api.telegram.org/botX:Y/getMe?chat_id=1")).toThrow(
      /not a Telegram sendMessage URL/,
    );
  });

  it("the config adds the file's, ALERT_URLS' and --alert-url's webhooks, each once, and checks them all", () => {
    const config = loadLiveConfig(
      undefined,
      { ALERT_URLS: "https://a.example/x https://b.example/y" },
      { alertUrls: ["https://b.example/y", "https://c.example/z"] },
    );
    expect(config.alerts.webhooks).toEqual([
      "https://a.example/x",
      "https://b.example/y",
      "https://c.example/z",
    ]);
    expect(config.alerts.on).toContain("loss-limit");
    expect(() =>
      loadLiveConfig(undefined, {}, { alertUrls: ["telegram+https://example.org/botS3CR3T/sendMessage"] }),
    ).toThrow(ConfigRefused);
  });
});

let seq = 0;
function stored(type: string, payload: Record<string, unknown>): StoredEvent {
  seq += 1;
  return {
    seq,
    id: `E${seq}`,
    stream: "live",
    session: "2026-02-04",
    pos: seq,
    ts: 1_770_000_000_000 + seq,
    causation: null,
    correlation: null,
    hash: "",
    type,
    version: 1,
    payload,
  } as unknown as StoredEvent;
}

function run(events: StoredEvent[]) {
  let state: AlertRulesState = INITIAL_ALERT_RULES;
  const kinds: string[] = [];
  for (const event of events) {
    const next = alertsOf(state, event, "bot");
    state = next.state;
    kinds.push(...next.alerts.map((a) => a.kind));
  }
  return kinds;
}

const notice = (code: number) =>
  stored("GatewayNotice", { code, message: `notice ${code}`, reqId: -1, severity: "warning" });
const mismatch = () =>
  stored("PositionMismatch", {
    account: "DU1",
    diffs: [{ contractKey: "SPY", ours: 1, broker: 0 }],
    entriesHalted: true,
  });
const lossRefusal = () =>
  stored("OrderRefused", {
    intent: {
      contract: { secType: "STK", symbol: "SPY", exchange: "SMART", currency: "USD" },
      side: "BUY",
      quantity: 1,
      orderType: "MKT",
      tif: "DAY",
      purpose: "entry",
    },
    rule: "daily-loss-limit",
    detail: "session P&L -12.00 USD is at or past the −10 limit",
  });

describe("events that raise alerts", () => {
  it("a mismatch is told once until positions agree, then again", () => {
    expect(
      run([mismatch(), mismatch(), stored("PositionsAgreed", { account: "DU1", contracts: 3 }), mismatch()]),
    ).toEqual(["position-mismatch", "position-mismatch"]);
  });

  it("the loss limit once per run, pacing once until bars come back, 1100 and 1101/1102 each time", () => {
    const bars = stored("BarsReceived", {});
    expect(run([lossRefusal(), lossRefusal()])).toEqual(["loss-limit"]);
    expect(run([notice(162), notice(162), bars, notice(100)])).toEqual(["pacing", "pacing"]);
    expect(run([notice(1100), notice(1102), notice(1100), notice(1101), notice(2104)])).toEqual([
      "connectivity-lost",
      "connectivity-restored",
      "connectivity-lost",
      "connectivity-restored",
    ]);
    const refusal = lossRefusal();
    const [alert] = alertsOf(INITIAL_ALERT_RULES, refusal, "bot").alerts;
    expect(alert).toMatchObject({
      kind: "loss-limit",
      severity: "critical",
      eventId: refusal.id,
      session: "2026-02-04",
    });
  });

  it("a simulated fill (a replay's) raises none; a live one names side, quantity, contract and price", () => {
    const fill = (simulated: boolean) =>
      stored("OrderFilled", {
        orderId: 7,
        execId: "x1",
        contract: { secType: "STK", symbol: "SPY", exchange: "SMART", currency: "USD" },
        side: "SELL",
        quantity: 2,
        priceUsd: 690.5,
        exchange: "SMART",
        simulated,
      });
    expect(run([fill(true)])).toEqual([]);
    expect(alertsOf(INITIAL_ALERT_RULES, fill(false), "pi").alerts[0]!.title).toBe(
      "pi: filled SELL 2 SPY @ 690.5",
    );
  });
});

describe("the body each format is sent", () => {
  const [alert] = alertsOf(INITIAL_ALERT_RULES, notice(1100), "pi").alerts;
  it("json is ours; ntfy, Slack, Discord and Telegram are the services' own", () => {
    expect(alertBody(alert!, alertTarget("https://example.org/h", 0))).toMatchObject({
      source: "ib-trading-journal",
      kind: "connectivity-lost",
      severity: "critical",
      at: new Date(alert!.ts).toISOString(),
      details: { code: 1100 },
    });
    expect(alertBody(alert!, alertTarget("https://ntfy.sh/t1", 0))).toEqual({
      topic: "t1",
      title: alert!.title,
      message: alert!.text,
      priority: 5,
      tags: ["rotating_light", "connectivity-lost"],
    });
    expect(
      alertBody({ ...alert!, text: "a <b> & c" }, alertTarget("https://hooks.slack.com/services/A/B/C", 0)),
    ).toEqual({
      text: `*${alert!.title}*\na &lt;b&gt; &amp; c`,
    });
    const discord = alertBody(
      { ...alert!, text: "@everyone ".repeat(400) },
      alertTarget("https://discord.com/api/webhooks/1/t", 0),
    );
    expect((discord.content as string).length).toBe(2000);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(
      alertBody(alert!, alertTarget("https://api.telegram.org/bot1:X/sendMessage?chat_id=9", 0)),
    ).toEqual({
      chat_id: "9",
      text: `${alert!.title}\n${alert!.text}`,
    });
  });
});
