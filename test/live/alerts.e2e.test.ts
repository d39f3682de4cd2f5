/**
 * Alerts as a user gets them: the built CLI in a child process against the simulator, webhooks
 * played by a local HTTP server, real SQLite journals. Each test fails without its feature: the
 * shapes per format, the journaled outcomes before SessionClosed, a failing and a hanging webhook
 * that leave the cycles alone, the loss-limit alert, secrets masked in output, log and journal.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs, type StoredEvent } from "../../src/events/index.js";
import { startSimulator } from "../../src/sim/index.js";
import { journalEvents, liveHarness, eventsOfType as of, until } from "../support/live-harness.js";
import { startWebhookServer } from "../support/webhook-server.js";

const h = liveHarness("alerts-");
const servers: Awaited<ReturnType<typeof startWebhookServer>>[] = [];
afterEach(async () => {
  await h.cleanup();
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

const PROBE = join(import.meta.dirname, "..", "support", "probe-strategy.ts");

function config(name: string, yaml: string): string {
  const path = join(h.dir, name);
  writeFileSync(path, yaml);
  return path;
}

async function webhooks() {
  const server = await startWebhookServer();
  servers.push(server);
  return server;
}

/** The journal so far, or [] while the bot has not created it (read while the bot writes). */
function eventsSoFar(path: string): StoredEvent[] {
  try {
    return journalEvents(path);
  } catch {
    return [];
  }
}

const SECRETS = [
  "pa55word",
  "mytopic-secret",
  "XXXXSECRET",
  "DISCORDTOKEN",
  "TGSECRET",
  "hookabcdefghijklmnop1234",
];

describe("alerts reach each webhook in its service's shape", () => {
  it("start, fill and stop go to json, ntfy, Slack, Discord and Telegram; each delivery is journaled before SessionClosed; no secret is printed, logged or journaled", async () => {
    const { sim, journal } = await h.setup();
    const hooks = await webhooks();
    const file = config(
      "alerts.yaml",
      `strategy:
  name: probe
  params: { callCycle: 1, putCycle: 99, exitCycle: 99 }
alerts:
  webhooks:
    - ${hooks.base}/json/hookabcdefghijklmnop1234
    - ntfy+http://user:pa55word@127.0.0.1:${hooks.port}/ntfy/mytopic-secret
    - { url: "${hooks.base}/services/T000/B000/XXXXSECRET", format: slack }
    - { url: "${hooks.base}/api/webhooks/123/DISCORDTOKEN", format: discord }
`,
    );
    const telegram = `telegram+http://127.0.0.1:${hooks.port}/bot123456:TGSECRET/sendMessage?chat_id=42`;
    const run = await h.live([
      ...["--journal", journal, "--config", file, "--strategy", PROBE, "--port", String(sim.port)],
      ...["--interval", "1", "--cycles", "2", "--paper", "--alert-url", telegram],
    ]).done;
    expect(run.code, run.stderr).toBe(0);

    const evs = journalEvents(journal);
    const fills = of(evs, "OrderFilled");
    expect(fills.length).toBeGreaterThan(0);
    const kinds = ["start", ...fills.map(() => "fill"), "stop"];
    const bodies = (prefix: string) => hooks.at(prefix).map((r) => r.body);

    const json = bodies("/json/");
    expect(json.map((b) => b.kind)).toEqual(kinds);
    expect(json[0]).toMatchObject({
      source: "ib-trading-journal",
      severity: "info",
      session: evs[0]!.session,
    });
    expect(json[1]).toMatchObject({ eventId: fills[0]!.id, details: { orderId: fills[0]!.payload.orderId } });
    expect(json[1]!.title).toContain(`filled ${fills[0]!.payload.side} ${fills[0]!.payload.quantity}`);
    expect(json.at(-1)).toMatchObject({ details: { reason: "completed", cycles: 2 } });

    // ntfy: JSON publishing goes to the server's root with the topic in the body, the password as Basic auth.
    const ntfy = hooks.at("/ntfy");
    expect(ntfy.map((r) => r.path)).toEqual(kinds.map(() => "/ntfy/"));
    expect(ntfy[0]!.headers.authorization).toBe(`Basic ${Buffer.from("user:pa55word").toString("base64")}`);
    expect(ntfy.map((r) => r.body.topic)).toEqual(kinds.map(() => "mytopic-secret"));
    expect(ntfy[0]!.body).toMatchObject({ priority: 3, tags: ["information_source", "start"] });
    expect(typeof ntfy[0]!.body.message).toBe("string");

    const slack = bodies("/services/");
    expect(slack).toHaveLength(kinds.length);
    expect(Object.keys(slack[0]!)).toEqual(["text"]);
    expect(slack[1]!.text).toMatch(/^\*.*filled/);

    const discord = bodies("/api/webhooks/");
    expect(discord).toHaveLength(kinds.length);
    expect(discord[0]).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(discord[0]!.content).toMatch(/^\*\*.*started \(paper\)/);

    const tg = hooks.at("/bot");
    expect(tg.map((r) => r.path)).toEqual(kinds.map(() => "/bot123456:TGSECRET/sendMessage"));
    expect(tg.map((r) => r.body.chat_id)).toEqual(kinds.map(() => "42"));
    expect(tg[2]!.body.text).toMatch(/stopped \(completed\) after 2 cycle/);

    // Each delivery is journaled, caused by its event, and all before SessionClosed, which is last.
    const delivered = of(evs, "AlertDelivered");
    expect(delivered).toHaveLength(5 * kinds.length);
    expect(of(evs, "AlertFailed")).toHaveLength(0);
    expect(new Set(delivered.map((d) => d.payload.format))).toEqual(
      new Set(["json", "ntfy", "slack", "discord", "telegram"]),
    );
    const fillDeliveries = delivered.filter((d) => d.payload.kind === "fill");
    expect(fillDeliveries.map((d) => d.causation)).toEqual(fills.flatMap((f) => Array(5).fill(f.id)));
    expect(evs.at(-1)!.type).toBe("SessionClosed");
    expect(Math.max(...delivered.map((d) => d.seq))).toBeLessThan(evs.at(-1)!.seq);

    // The targets are journaled masked; no secret is anywhere a person or a file sees.
    expect(delivered.filter((d) => d.payload.format === "telegram")[0]!.payload.target).toBe(
      `http://127.0.0.1:${hooks.port}/bot***/sendMessage?chat_id=***`,
    );
    expect(delivered.filter((d) => d.payload.format === "ntfy")[0]!.payload.target).toBe(
      `http://***@127.0.0.1:${hooks.port}/ntfy/***`,
    );
    const journalText = JSON.stringify(evs);
    // pino-roll numbers its files (bot.1.log, …); every test's log is read, this one's among them.
    const log = readdirSync(h.dir)
      .filter((name) => /^bot\.(\d+\.)?log$/.test(name))
      .map((name) => readFileSync(join(h.dir, name), "utf8"))
      .join("");
    expect(log).toContain("alerts go to these webhooks");
    for (const secret of SECRETS) {
      expect(journalText, secret).not.toContain(secret);
      expect(log, secret).not.toContain(secret);
      expect(run.stdout + run.stderr, secret).not.toContain(secret);
    }
  }, 90_000);
});

describe("a webhook never slows a cycle", () => {
  it("one answering 500 and one that hangs: the cycles keep their cadence while deliveries are unresolved, and the queue journals each failure before SessionClosed", async () => {
    const { sim, journal } = await h.setup({}, { speed: 1 });
    const hooks = await webhooks();
    const timeoutSeconds = 60;
    const intervalSeconds = 1;
    const file = config(
      "slow-hooks.yaml",
      `alerts:
  webhooks:
    - ${hooks.base}/fail
    - ${hooks.base}/hang
    - ${hooks.base}/ok
  timeoutSeconds: ${timeoutSeconds}
  retries: 2
  retryBackoffSeconds: 0.1
  closeFlushSeconds: 2
`,
    );
    const bot = h.live([
      ...["--journal", journal, "--config", file, "--port", String(sim.port)],
      ...["--interval", String(intervalSeconds)],
    ]);
    const failedFinally = (evs: StoredEvent[]) =>
      of(evs, "AlertFailed").some((f) => f.payload.webhook === 0 && !f.payload.willRetry);
    await until(
      "the failing webhook given up and 4 cycles completed",
      () => {
        const evs = eventsSoFar(journal);
        return failedFinally(evs) && of(evs, "CycleCompleted").length >= 4;
      },
      60_000,
    );
    bot.child.kill("SIGTERM");
    const run = await bot.done;
    expect(run.code, run.stderr).toBe(0);

    const evs = journalEvents(journal);
    const failed = of(evs, "AlertFailed");
    // The 500: each attempt journaled, retried twice, then given up.
    const startFails = failed.filter((f) => f.payload.webhook === 0 && f.payload.kind === "start");
    expect(startFails.map((f) => [f.payload.attempt, f.payload.status, f.payload.willRetry])).toEqual([
      [1, 500, true],
      [2, 500, true],
      [3, 500, false],
    ]);
    expect(startFails[0]!.payload.error).toContain("HTTP 500: internal error, try later");

    // The hang: its request arrived, never answered, and the cycles went on meanwhile; it is
    // journaled as not delivered at the close, after every cycle and before SessionClosed.
    expect(hooks.at("/hang").length).toBeGreaterThan(0);
    const hung = failed.filter((f) => f.payload.webhook === 1);
    expect(hung.map((f) => f.payload.kind)).toContain("start");
    expect(hung.every((f) => /session closed/.test(f.payload.error))).toBe(true);
    const cycles = of(evs, "CycleCompleted");
    expect(cycles.length).toBeGreaterThanOrEqual(4);
    expect(Math.min(...hung.map((f) => f.seq))).toBeGreaterThan(cycles.at(-1)!.seq);
    const closed = evs.at(-1)!;
    expect(closed.type).toBe("SessionClosed");
    expect(Math.max(...failed.map((f) => f.seq))).toBeLessThan(closed.seq);
    expect(
      of(evs, "AlertDelivered")
        .filter((d) => d.payload.webhook === 2)
        .map((d) => d.payload.kind),
    ).toEqual(["start", "stop"]);

    // Cadence, as the journal shows it (the simulator at real speed, so its clock is the wall's):
    // each cycle starts an interval after the one before, or when that one ended if it ran longer
    // — give or take the gateway clock's whole seconds the bot anchors on and the pre-steps of the
    // cycle itself. A cycle that waited for the hanging webhook would be a timeout late.
    const started = of(evs, "CycleStarted");
    const duration = (cycle: number) => cycles.find((c) => c.payload.cycle === cycle)!.payload.durationMs;
    for (const c of cycles) expect(c.payload.durationMs).toBeLessThan(timeoutSeconds * 1000);
    for (let i = 1; i < started.length; i++) {
      const gap = started[i]!.ts - started[i - 1]!.ts;
      const previous = duration(started[i - 1]!.payload.cycle);
      const own = duration(started[i]!.payload.cycle);
      expect(gap).toBeLessThanOrEqual(Math.max(intervalSeconds * 1000, previous) + own + 1000);
    }
  }, 120_000);
});

describe("the loss limit", () => {
  it("an entry refused by the daily loss limit is alerted once, caused by the refusal", async () => {
    // At real speed the call bought at the ask is marked a second later at nearly the same quote:
    // its spread and the $1 commission put the session under the 1-cent limit before the put's entry.
    const { sim, journal } = await h.setup({}, { speed: 1 });
    const hooks = await webhooks();
    const file = config(
      "loss.yaml",
      `strategy:
  name: probe
  params: { callCycle: 1, putCycle: 2, exitCycle: 99 }
risk:
  dailyLossLimitUsd: 0.01
alerts:
  webhooks: [${hooks.base}/json]
  on: [loss-limit]
`,
    );
    const run = await h.live([
      ...["--journal", journal, "--config", file, "--strategy", PROBE, "--port", String(sim.port)],
      ...["--interval", "1", "--cycles", "2", "--paper"],
    ]).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);
    const refused = of(evs, "OrderRefused").filter((r) => r.payload.rule === "daily-loss-limit");
    expect(refused.length).toBeGreaterThan(0);
    const got = hooks.at("/json").map((r) => r.body);
    expect(got.map((b) => b.kind)).toEqual(["loss-limit"]);
    expect(got[0]).toMatchObject({ severity: "critical", eventId: refused[0]!.id });
    expect(got[0]!.text).toContain(refused[0]!.payload.detail);
    const delivered = of(evs, "AlertDelivered");
    expect(delivered.map((d) => [d.payload.kind, d.causation])).toEqual([["loss-limit", refused[0]!.id]]);
  }, 90_000);
});

describe("the gateway's troubles", () => {
  it("connectivity lost and restored (1100/1102), a pacing violation (162), the gateway gone past gatewayUnreachableSeconds and back: each alerted once, in order", async () => {
    const { sim, journal } = await h.setup({
      connectivityLost: { afterRequests: 12, restoreAfterMs: 200 },
      pacing: { maxRequests: 1, windowSeconds: 600 },
    });
    const hooks = await webhooks();
    const file = config(
      "troubles.yaml",
      `alerts:\n  webhooks: [${hooks.base}/json]\n  on: [connectivity-lost, connectivity-restored, pacing, gateway-unreachable, gateway-reachable]\n  gatewayUnreachableSeconds: 1\n`,
    );
    const bot = h.live([
      ...["--journal", journal, "--config", file, "--port", String(sim.port), "--interval", "1"],
    ]);
    const kinds = () => hooks.at("/json").map((r) => r.body.kind as string);
    await until(
      "1100, 1102 and pacing alerted",
      () => ["connectivity-lost", "connectivity-restored", "pacing"].every((k) => kinds().includes(k)),
      60_000,
    );
    await sim.close();
    await until("the gateway's absence alerted", () => kinds().includes("gateway-unreachable"), 60_000);
    const again = await startSimulator({
      port: sim.port,
      seed: 42,
      startMs: newYorkTimeToMs("2026-02-04", 10, 30),
      speed: 300,
      scenario: { snapshotDelayMs: 5 },
    });
    try {
      await until("the gateway's return alerted", () => kinds().includes("gateway-reachable"), 60_000);
      bot.child.kill("SIGTERM");
      expect((await bot.done).code).toBe(0);
    } finally {
      await again.close();
    }
    expect(kinds()).toEqual([
      "connectivity-lost",
      "connectivity-restored",
      "pacing",
      "gateway-unreachable",
      "gateway-reachable",
    ]);
    const evs = journalEvents(journal);
    const byKind = (kind: string) => hooks.at("/json").find((r) => r.body.kind === kind)!.body;
    const lost = of(evs, "GatewayNotice").find((n) => n.payload.code === 1100)!;
    expect(byKind("connectivity-lost").eventId).toBe(lost.id);
    const pacing = of(evs, "GatewayNotice").find((n) => n.payload.code === 162)!;
    expect(byKind("pacing").eventId).toBe(pacing.id);
    const gone = of(evs, "GatewayDisconnected")[0]!;
    expect(byKind("gateway-unreachable")).toMatchObject({ eventId: gone.id, details: { seconds: 1 } });
    const back = of(evs, "GatewayConnected").find((c) => c.seq > gone.seq)!;
    expect(byKind("gateway-reachable").eventId).toBe(back.id);
    expect(of(evs, "AlertDelivered").map((d) => d.payload.kind)).toEqual(kinds());
  }, 180_000);
});

describe("a wrong webhook is refused at start, its secrets masked", () => {
  it("a Telegram URL without a chat, and a Slack URL given format telegram: exit 2 before connecting, the token never printed", async () => {
    const { journal } = await h.setup();
    const noChat = await h.live([
      ...["--journal", journal, "--port", "1", "--cycles", "1"],
      ...["--alert-url", "https://api.telegram.org/bot999:TGSECRET/sendMessage"],
    ]).done;
    expect(noChat.code).toBe(2);
    expect(noChat.stderr).toContain("webhook 1 (https://api.telegram.org/bot***/sendMessage) names no chat");
    expect(noChat.stderr).not.toContain("TGSECRET");
    expect(noChat.stderr).not.toContain("nothing listens");

    const file = config(
      "contradiction.yaml",
      'alerts:\n  webhooks:\n    - { url: "https://hooks.slack.com/services/T1/B2/XXXXSECRET", format: telegram }\n',
    );
    const contradiction = await h.live(["--journal", journal, "--config", file, "--port", "1"]).done;
    expect(contradiction.code).toBe(2);
    expect(contradiction.stderr).toContain(
      "webhook 1 (https://hooks.slack.com/services/***/***/***) is a slack URL, but its format is telegram",
    );
    expect(contradiction.stderr).not.toContain("XXXXSECRET");
  }, 30_000);
});
