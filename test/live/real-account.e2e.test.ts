/**
 * A real account, not a perfect world (issue 22), end to end: the built CLI against the simulator
 * answering as an account without a real-time subscription does, and on the NYSE's early close
 * of 2026-11-27 (13:00) and the Thanksgiving holiday before it.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import { ConfigRefused, loadLiveConfig } from "../../src/live/index.js";
import {
  eventsSoFar,
  journalEvents,
  liveHarness,
  eventsOfType as of,
  until,
} from "../support/live-harness.js";

const h = liveHarness("real-account-e2e-");
afterEach(() => h.cleanup());
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

const PROBE = join(import.meta.dirname, "..", "support", "probe-strategy.ts");
const config = (name: string, text: string) => {
  const file = join(h.dir, name);
  writeFileSync(file, text);
  return file;
};

describe("an account without real-time market data", () => {
  it("falls back to delayed data: quotes priced and marked delayed, the entry refused (delayed-data), nothing sent", async () => {
    const { sim, journal } = await h.setup({ marketData: "delayed" });
    const args = ["--journal", journal, "--port", String(sim.port), "--strategy", PROBE, "--paper"];
    const run = await h.live([...args, "--interval", "1", "--cycles", "2"]).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);
    expect(of(evs, "SessionOpened")[0]!.payload.marketData).toBe("auto");

    // The gateway's 354, then the bot's own notice that it asks for delayed data from now on.
    const notices = of(evs, "GatewayNotice").map((n) => n.payload);
    const refusedRealTime = notices.findIndex((n) => n.code === 354);
    expect(refusedRealTime).toBeGreaterThanOrEqual(0);
    expect(notices[refusedRealTime + 1]).toMatchObject({ code: -1, severity: "warning" });
    expect(notices[refusedRealTime + 1]!.message).toMatch(/asking for delayed data \(reqMarketDataType 3\)/);
    expect(notices.filter((n) => n.code === 10167).length).toBeGreaterThan(0);

    const quotes = of(evs, "QuoteSnapshot");
    // Both cycles quote the underlying and 3 strikes × call and put (the refused one asked again).
    expect(quotes).toHaveLength(14);
    expect(quotes.every((q) => q.payload.marketData === "delayed" && q.payload.complete)).toBe(true);
    expect(quotes.every((q) => q.payload.bidUsd !== null && q.payload.askUsd !== null)).toBe(true);
    expect(quotes.filter((q) => q.payload.contract.secType === "OPT").every((q) => q.payload.greeks)).toBe(
      true,
    );

    const refused = of(evs, "OrderRefused");
    expect(refused.map((r) => [r.payload.rule, r.payload.intent.purpose])).toEqual([
      ["delayed-data", "entry"],
      ["delayed-data", "entry"],
    ]);
    expect(refused[0]!.payload.detail).toMatch(/last quote is delayed data, not real time/);
    expect(of(evs, "OrderIntended")).toEqual([]);
    expect(of(evs, "OrderSubmitted")).toEqual([]);

    const sql = await h.cli([
      "sql",
      "--journal",
      journal,
      "--format",
      "csv",
      "SELECT DISTINCT market_data FROM v_quotes",
    ]).done;
    expect(sql.stdout.trim().split("\n")).toEqual(["market_data", "delayed"]);
  });

  it("a paper account with risk.allowDelayedData: true trades on delayed quotes; a live account may never", async () => {
    const { sim, journal } = await h.setup({ marketData: "delayed" });
    const file = config(
      "delayed.yaml",
      "marketData: delayed\nrisk: { allowDelayedData: true }\nstrategy:\n  params: { callCycle: 1, putCycle: 99, exitCycle: 99 }\n",
    );
    const args = ["--journal", journal, "--config", file, "--port", String(sim.port), "--strategy", PROBE];
    const run = await h.live([...args, "--paper", "--interval", "1", "--cycles", "1"]).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);
    // Delayed from the first request (marketData: delayed): no 354 at all.
    expect(of(evs, "GatewayNotice").some((n) => n.payload.code === 354)).toBe(false);
    expect(of(evs, "OrderRefused")).toEqual([]);
    expect(of(evs, "OrderFilled").map((f) => f.payload.side)).toEqual(["BUY"]);
    expect(of(evs, "SessionOpened")[0]!.payload.risk?.allowDelayedData).toBe(true);

    expect(() => loadLiveConfig(file, {}, { liveAccount: "U1234567" })).toThrow(ConfigRefused);
    expect(() => loadLiveConfig(file, {}, { liveAccount: "U1234567" })).toThrow(
      /risk.allowDelayedData: true is for paper accounts and dry runs only/,
    );
    const refused = await h.live([...args, "--live-account", "U1234567", "--cycles", "1"]).done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/allowDelayedData/);
  });
});

describe("the day's hours from the gateway", () => {
  const DAY = "2026-11-27";
  const at = (hour: number, minute: number) => newYorkTimeToMs(DAY, hour, minute);

  it("on 2026-11-27 (13:00 close): the close journaled, no entry after 12:30, flat before 13:00, no trading cycle after it", async () => {
    // 90 simulated seconds a real second: the bot starts by ~12:25 even on a busy machine.
    const { sim, journal } = await h.setup({}, { startMs: at(12, 20), speed: 90 });
    // Exits only at the end of the day: the target, the stop and the holding time are out of reach.
    const file = config(
      "early-close.yaml",
      "strategy:\n  name: trend-vwap\n  params: { maxHoldMinutes: 300, profitTargetPct: 10, stopLossPct: 0.99 }\n",
    );
    const run = h.live([
      "--journal",
      journal,
      "--config",
      file,
      "--port",
      String(sim.port),
      "--paper",
      "--interval",
      "1",
    ]);
    await until(
      "a cycle after the 13:00 close",
      () => of(eventsSoFar(journal), "CycleStarted").some((c) => c.payload.gatewayTimeMs >= at(13, 2)),
      120_000,
    );
    run.child.kill("SIGTERM");
    const { code, stderr } = await run.done;
    expect(code, stderr).toBe(0);
    const evs = journalEvents(journal);

    const hours = of(evs, "TradingHoursReceived");
    expect(hours.map((e) => [e.payload.symbol, e.payload.timeZoneId])).toEqual([["SPY", "US/Eastern"]]);
    expect(hours[0]!.payload.liquidHours).toMatch(/^20261127:0930-20261127:1300;20261128:CLOSED;/);
    expect(hours[0]!.seq).toBeLessThan(of(evs, "CycleStarted")[0]!.seq);

    const decisions = of(evs, "DecisionMade");
    const entries = decisions.filter((d) => d.payload.action === "enter");
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((d) => d.ts < at(12, 30))).toBe(true);
    const blocked = decisions.filter((d) => d.payload.reason.startsWith("no entries after 12:30"));
    expect(decisions.filter((d) => d.ts >= at(12, 30) && d.payload.action === "enter")).toEqual([]);
    // Either it held a position from before 12:30 or it was told why it may not enter.
    expect(blocked.every((d) => d.ts >= at(12, 30))).toBe(true);

    const fills = of(evs, "OrderFilled");
    expect(fills.map((f) => f.payload.side)).toEqual(["BUY", "SELL"]);
    const exit = decisions.find((d) => d.payload.action === "exit")!;
    expect(exit.payload.reason).toBe("after 12:50 (15:50 moved back 03:00 to today's early close) New York");
    expect(exit.ts).toBeGreaterThanOrEqual(at(12, 50));
    expect(fills[1]!.ts).toBeLessThan(at(13, 0));

    // After the close: every cycle is skipped, and nothing is decided.
    const completed = new Map(of(evs, "CycleCompleted").map((c) => [c.payload.cycle, c.payload]));
    const afterClose = of(evs, "CycleStarted").filter((c) => c.payload.gatewayTimeMs >= at(13, 0));
    expect(afterClose.length).toBeGreaterThan(0);
    for (const started of afterClose) {
      const done = completed.get(started.payload.cycle);
      expect(done?.status).toBe("skipped");
      expect(done?.detail).toBe(
        "after today's close (09:30–13:00 New York, the gateway's liquid hours): no trading until the next session",
      );
    }
    expect(decisions.filter((d) => d.ts >= at(13, 0))).toEqual([]);

    // The replay reads the journaled hours: every decision as live made it, 12:30 and 12:50 included.
    const replay = await h.cli([
      "replay",
      "--journal",
      journal,
      "--session",
      DAY,
      "--out",
      join(h.dir, "replay.db"),
      "--json",
    ]).done;
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout).parity).toEqual({ equal: decisions.length, differ: 0, missing: 0 });
  }, 180_000);

  it("a closed day (Thanksgiving) opens no session: nothing journaled, the next session named", async () => {
    const { sim, journal } = await h.setup({}, { startMs: newYorkTimeToMs("2026-11-26", 10, 0) });
    const run = await h.live(["--journal", journal, "--port", String(sim.port), "--cycles", "1"]).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/SPY does not trade on 2026-11-26 .*no session opened, nothing journaled/);
    expect(run.stdout).toMatch(/the next session is 2026-11-27, 09:30–13:00 New York/);
    expect(journalEvents(journal)).toEqual([]);

    // Left running (no --cycles, as systemd runs it): it waits for that session instead of exiting.
    const service = h.live(["--journal", journal, "--port", String(sim.port)]);
    await until("the waiting message", () => service.output().stderr.includes("waiting"), 30_000);
    expect(service.output().stderr).toMatch(
      /next session is 2026-11-27, 09:30–13:00 New York; waiting \d+ min for it/,
    );
    service.child.kill("SIGTERM");
    const stopped = await service.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(
      /stopped while waiting for the next session \(2026-11-27\); nothing was journaled/,
    );
    expect(journalEvents(journal)).toEqual([]);
  });
});
