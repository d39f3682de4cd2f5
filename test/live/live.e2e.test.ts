/**
 * Live mode end to end: the real CLI (`journal live`) in a child process, the real @stoqey/ib
 * client over TCP, the simulator on an ephemeral port, a real SQLite journal.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { StoredEvent } from "../../src/events/index.js";
import { ConfigRefused, loadLiveConfig } from "../../src/live/index.js";
import type { ScenarioInput } from "../../src/sim/index.js";
import { journalEvents as events, liveHarness } from "../support/live-harness.js";

const h = liveHarness("live-e2e-");
const dir = h.dir;
afterEach(() => h.cleanup());
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const setup = (scenario: ScenarioInput = {}) => h.setup(scenario);

const runLive = (args: string[]) => h.live(args);

const types = (evs: StoredEvent[]) => evs.map((e) => e.type);

describe("journal live against the simulator", () => {
  it("journals several cycles in order: session, connection, health, cycle, bars, chain, quotes, decision", async () => {
    const { sim, journal } = await setup();
    const { code, stderr } = await runLive([
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--symbols",
      "SPY,QQQ",
      "--interval",
      "1",
      "--cycles",
      "3",
    ]).done;
    expect(code, stderr).toBe(0);
    const evs = events(journal);
    expect(evs.every((e) => e.session === "2026-02-04" && e.stream === "live")).toBe(true);
    expect(types(evs).slice(0, 5)).toEqual([
      "SessionOpened",
      "GatewayConnected",
      "GatewayNotice",
      "GatewayNotice",
      "GatewayNotice",
    ]);
    const firstCycle = types(evs.slice(evs.findIndex((e) => e.type === "HealthSampled")));
    // The broker's positions come before the market data: decisions are checked against them.
    expect(firstCycle.slice(0, 6)).toEqual([
      "HealthSampled",
      "CycleStarted",
      "PositionsReported",
      "BarsReceived",
      "OptionChainReceived",
      "QuoteSnapshot",
    ]);
    const cycles = evs.filter((e) => e.type === "CycleCompleted");
    expect(cycles.map((e) => e.type === "CycleCompleted" && e.payload.status)).toEqual(["ok", "ok", "ok"]);
    const decisions = evs.filter((e) => e.type === "DecisionMade");
    expect(decisions).toHaveLength(6);
    // Options: 3 strikes × call and put per symbol, plus the underlying.
    const quotes = evs.filter((e) => e.type === "QuoteSnapshot" && e.payload.contract.secType === "OPT");
    expect(quotes).toHaveLength(3 * 2 * 2 * 3);
    const intents = evs.filter((e) => e.type === "OrderIntended");
    expect(intents.every((e) => e.type === "OrderIntended" && e.payload.dryRun)).toBe(true);
    expect(types(evs).at(-1)).toBe("SessionClosed");
  });

  it("--paper journals a filled order life cycle with correlation to its decision", async () => {
    const { sim, journal } = await setup();
    const { code, stderr } = await runLive([
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--symbols",
      "SPY",
      "--interval",
      "1",
      "--cycles",
      "4",
      "--paper",
    ]).done;
    expect(code, stderr).toBe(0);
    const evs = events(journal);
    const submitted = evs.find((e) => e.type === "OrderSubmitted");
    expect(submitted, "the strategy should enter within 4 cycles on this seed").toBeDefined();
    const chain = evs.filter((e) => e.correlation === submitted!.correlation).map((e) => e.type);
    expect(chain).toEqual(
      expect.arrayContaining([
        "DecisionMade",
        "OrderIntended",
        "OrderSubmitted",
        "OrderStatusChanged",
        "OrderFilled",
        "CommissionReported",
      ]),
    );
    expect(chain.indexOf("OrderIntended")).toBeLessThan(chain.indexOf("OrderSubmitted"));
  });

  it("survives a pacing violation (162): notice journaled, bars paused, the next cycles complete", async () => {
    const { sim, journal } = await setup({ pacing: { maxRequests: 1, windowSeconds: 600 } });
    writeFileSync(join(dir, "pacing.yaml"), "pacingBackoffSeconds: 0.5\nmaxBackoffSeconds: 1\n");
    const { code, stderr } = await runLive([
      "--config",
      join(dir, "pacing.yaml"),
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--symbols",
      "SPY",
      "--interval",
      "1",
      "--cycles",
      "4",
    ]).done;
    expect(code, stderr).toBe(0);
    const evs = events(journal);
    expect(evs.some((e) => e.type === "GatewayNotice" && e.payload.code === 162)).toBe(true);
    const statuses = evs.flatMap((e) => (e.type === "CycleCompleted" ? [e.payload.status] : []));
    expect(statuses).toHaveLength(4);
    expect(statuses.at(-1)).not.toBe("failed");
  });

  it("survives 'client id in use' (326) by reconnecting with a fresh id", async () => {
    const { sim, journal } = await setup({ clientIdInUse: [555] });
    const { code, stderr } = await runLive([
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--client-id",
      "555",
      "--symbols",
      "SPY",
      "--interval",
      "1",
      "--cycles",
      "1",
    ]).done;
    expect(code, stderr).toBe(0);
    const evs = events(journal);
    expect(evs.some((e) => e.type === "GatewayNotice" && e.payload.code === 326)).toBe(true);
    const connected = evs.find((e) => e.type === "GatewayConnected");
    expect(connected?.type === "GatewayConnected" && connected.payload.clientId).not.toBe(555);
    expect(evs.filter((e) => e.type === "CycleCompleted")).toHaveLength(1);
  });

  it("survives a dropped connection: disconnect journaled, reconnect with a new id, next cycle succeeds", async () => {
    const { sim, journal } = await setup({ dropAfterRequests: 12 });
    const { code, stderr } = await runLive([
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--symbols",
      "SPY",
      "--interval",
      "1",
      "--cycles",
      "3",
    ]).done;
    expect(code, stderr).toBe(0);
    const evs = events(journal);
    expect(types(evs)).toContain("GatewayDisconnected");
    const ids = evs.flatMap((e) => (e.type === "GatewayConnected" ? [e.payload.clientId] : []));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
    const last = evs.filter((e) => e.type === "CycleCompleted").at(-1);
    expect(last?.type === "CycleCompleted" && last.payload.status).toBe("ok");
  });

  it("survives an unanswered request: the 5 s timeout fires, the cycle is partial, the next is ok", async () => {
    const { sim, journal } = await setup({ unanswered: { kind: "historical", nth: 1 } });
    writeFileSync(join(dir, "timeout.yaml"), "requestTimeoutSeconds: 5\n");
    const { code, stderr } = await runLive([
      "--config",
      join(dir, "timeout.yaml"),
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--symbols",
      "SPY",
      "--interval",
      "1",
      "--cycles",
      "2",
    ]).done;
    expect(code, stderr).toBe(0);
    const cycles = events(journal).flatMap((e) => (e.type === "CycleCompleted" ? [e.payload] : []));
    expect(cycles[0]).toMatchObject({ status: "partial", timeouts: 1 });
    expect(cycles[1]).toMatchObject({ status: "ok", timeouts: 0 });
  }, 60_000);

  it("survives connectivity lost and restored (1100/1102)", async () => {
    const { sim, journal } = await setup({ connectivityLost: { afterRequests: 3, restoreAfterMs: 200 } });
    const { code, stderr } = await runLive([
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--symbols",
      "SPY",
      "--interval",
      "1",
      "--cycles",
      "3",
    ]).done;
    expect(code, stderr).toBe(0);
    const evs = events(journal);
    const codes = evs.flatMap((e) => (e.type === "GatewayNotice" ? [e.payload.code] : []));
    expect(codes).toEqual(expect.arrayContaining([1100, 1102]));
    const last = evs.filter((e) => e.type === "CycleCompleted").at(-1);
    expect(last?.type === "CycleCompleted" && last.payload.status).toBe("ok");
  });

  it("killed with SIGKILL mid-cycle leaves a journal that verifies; a restart continues the session with a new client id", async () => {
    const { sim, journal } = await setup();
    const first = runLive([
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--symbols",
      "SPY,QQQ",
      "--interval",
      "1",
      "--cycles",
      "50",
    ]);
    // Wait until the bot is inside its second cycle, then kill it without warning.
    for (let i = 0; i < 1200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        const evs = events(journal);
        if (evs.filter((e) => e.type === "CycleStarted").length >= 2 && evs.at(-1)?.type !== "CycleCompleted")
          break;
      } catch {}
    }
    first.child.kill("SIGKILL");
    await first.done;
    const before = events(journal);
    expect(types(before)).not.toContain("SessionClosed");
    const { code, stderr } = await runLive([
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--symbols",
      "SPY,QQQ",
      "--interval",
      "1",
      "--cycles",
      "1",
    ]).done;
    expect(code, stderr).toBe(0);
    const after = events(journal);
    expect(after.slice(0, before.length).map((e) => e.id)).toEqual(before.map((e) => e.id));
    const connects = after.flatMap((e) => (e.type === "GatewayConnected" ? [e.payload.clientId] : []));
    expect(new Set(connects).size).toBe(connects.length);
    const cycles = after.flatMap((e) => (e.type === "CycleStarted" ? [e.payload.cycle] : []));
    expect(cycles.at(-1)).toBe(Math.max(...cycles.slice(0, -1)) + 1);
    expect(after.every((e) => e.session === "2026-02-04")).toBe(true);
  }, 180_000);
});

describe("gateway etiquette as hard limits", () => {
  it("refuses more than 5 strikes, naming the limit and the alpha's reason", () => {
    writeFileSync(join(dir, "strikes.yaml"), "strikes: 8\n");
    expect(() => loadLiveConfig(join(dir, "strikes.yaml"), {}, {})).toThrow(ConfigRefused);
    expect(() => loadLiveConfig(join(dir, "strikes.yaml"), {}, {})).toThrow(
      /strikes 8 is over the hard limit of 5: alpha-learnings .*buffer/,
    );
  });

  it("refuses timeouts under 5 s and history over an hour", () => {
    writeFileSync(join(dir, "t.yaml"), "requestTimeoutSeconds: 3\n");
    expect(() => loadLiveConfig(join(dir, "t.yaml"), {}, {})).toThrow(/under the hard limit of 5/);
    writeFileSync(join(dir, "h.yaml"), "historySeconds: 7200\n");
    expect(() => loadLiveConfig(join(dir, "h.yaml"), {}, {})).toThrow(/over the hard limit of 3600.*1 hour/);
  });

  it("refuses a cycle interval under 300 s against a real gateway (not the simulator), journaling nothing", async () => {
    // The simulator reporting a paper account (DU…) looks like a real IB Gateway to the bot.
    const { sim, journal } = await h.setup({}, { account: "DU1234567", speed: 1 });
    const { code, stderr } = await runLive([
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--interval",
      "120",
      "--cycles",
      "1",
    ]).done;
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /intervalSeconds 120 is under the hard limit of 300 against a real gateway: alpha-learnings §2: at 180 s/,
    );
    expect(events(journal)).toEqual([]);
  });

  it("exits 2 with the reason when the CLI is given a config past a limit", async () => {
    writeFileSync(join(dir, "bad.yaml"), "strikes: 9\n");
    const { code, stderr } = await runLive([
      "--config",
      join(dir, "bad.yaml"),
      "--journal",
      join(dir, "never.db"),
      "--port",
      "1",
    ]).done;
    expect(code).toBe(2);
    expect(stderr).toMatch(/strikes 9 is over the hard limit of 5/);
  });

  it("takes IBKR_HOST, IBKR_PORT, IBKR_CLIENT_ID and DRY_RUN from the environment", () => {
    const config = loadLiveConfig(
      undefined,
      { IBKR_HOST: "10.0.0.5", IBKR_PORT: "4001", IBKR_CLIENT_ID: "42", DRY_RUN: "false" },
      {},
    );
    expect(config.gateway).toMatchObject({ host: "10.0.0.5", port: 4001, clientId: 42 });
    expect(config.dryRun).toBe(false);
  });
});
