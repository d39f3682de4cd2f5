/**
 * One webhook's queue against a real local HTTP server: bounded (the oldest waiting alert is
 * dropped and reported), in order, and a close that aborts a hanging request and reports what was
 * left. Waits on the reports, not on time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ALERT_DEFAULTS, type AlertsConfig } from "../../src/live/alert-config.js";
import { type DeliveryReport, WebhookQueue } from "../../src/live/alert-queue.js";
import type { Alert } from "../../src/live/alert-rules.js";
import { alertTarget } from "../../src/live/alert-target.js";
import { until } from "../support/live-harness.js";
import { startWebhookServer } from "../support/webhook-server.js";

const servers: Awaited<ReturnType<typeof startWebhookServer>>[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const alert = (n: number): Alert => ({
  kind: "fill",
  severity: "info",
  title: `fill ${n}`,
  text: "",
  session: "2026-02-04",
  ts: 1_770_000_000_000 + n,
  details: { n },
});

function recorder() {
  const lines: string[] = [];
  const report: DeliveryReport = {
    delivered: (_t, a, o) => lines.push(`${a.title} delivered after ${o.attempts}`),
    failed: (_t, a, o) => lines.push(`${a.title} failed ${o.attempt}: ${o.error}`),
  };
  return { lines, report };
}

describe("a webhook's queue", () => {
  it("holds queueSize alerts at most: past it the oldest waiting one is dropped and reported; a close aborts the hang and reports the rest", async () => {
    const server = await startWebhookServer();
    servers.push(server);
    const config: AlertsConfig = {
      ...ALERT_DEFAULTS,
      webhooks: [],
      on: [],
      queueSize: 2,
      timeoutSeconds: 60,
    };
    const { lines, report } = recorder();
    const queue = new WebhookQueue(alertTarget(`${server.base}/hang`, 0), config, report);
    for (let n = 1; n <= 4; n++) queue.push(alert(n));
    await until("fill 1 sent and fill 2 dropped", () => server.received.length === 1 && lines.length === 1);
    // fill 1 is under way (not waiting): 2, 3, 4 wait, and the first of them went.
    expect(lines).toEqual(["fill 2 failed 0: queue full (2 waiting): dropped, the oldest first"]);
    await queue.close("closing for the test");
    expect(lines.slice(1)).toEqual([
      "fill 1 failed 1: aborted; closing for the test",
      "fill 3 failed 0: closing for the test",
      "fill 4 failed 0: closing for the test",
    ]);
    expect(server.received.map((r) => r.body.kind)).toEqual(["fill"]);
  });

  it("delivers in order, one at a time", async () => {
    const server = await startWebhookServer();
    servers.push(server);
    const config: AlertsConfig = { ...ALERT_DEFAULTS, webhooks: [], on: [] };
    const { lines, report } = recorder();
    const queue = new WebhookQueue(alertTarget(`${server.base}/ok`, 0), config, report);
    for (let n = 1; n <= 5; n++) queue.push(alert(n));
    await queue.idle();
    expect(lines).toEqual([1, 2, 3, 4, 5].map((n) => `fill ${n} delivered after 1`));
    expect(server.received.map((r) => (r.body.details as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
  });
});
