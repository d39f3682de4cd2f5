/**
 * Real-money guards that hold when the config, the book or the strategy is wrong: a contradictory
 * mode, an exit of what the broker no longer holds, a strategy that hangs, a peer that speaks no
 * TWS, a gateway gone for good. The built CLI in child processes, the unmodified @stoqey/ib client
 * over TCP to the simulator (or to a hostile server), real SQLite files. Each case fails without
 * its guard.
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { OptionType, SecType } from "@stoqey/ib";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type OptionContract, openJournal } from "../../src/events/index.js";
import { journalEvents, liveHarness, eventsOfType as of, until } from "../support/live-harness.js";
import { tradeOutsideTheBot } from "../support/outside-trade.js";

const h = liveHarness("money-guards-");
const servers: Server[] = [];
afterEach(async () => {
  await h.cleanup();
  for (const s of servers.splice(0)) s.close();
});
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

const PROBE = join(import.meta.dirname, "..", "support", "probe-strategy.ts");
const HANGING = join(import.meta.dirname, "..", "support", "hanging-strategy.ts");

function config(name: string, yaml: string): string {
  const path = join(h.dir, name);
  writeFileSync(path, yaml);
  return path;
}

function eventCount(path: string): number {
  if (!existsSync(path)) return 0;
  const journal = openJournal(path, { readonly: true });
  try {
    return journal.lastSeq();
  } finally {
    journal.close();
  }
}

/** A TCP server on a free loopback port that does `onSocket` with each connection. */
async function hostile(onSocket: (socket: import("node:net").Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

/** Another API client on the same account sells `contract` (the bot's call): the broker is flat. */
const sellOutsideTheBot = (port: number, contract: OptionContract) =>
  tradeOutsideTheBot(
    port,
    {
      symbol: contract.symbol,
      secType: SecType.OPT,
      exchange: "SMART",
      currency: "USD",
      lastTradeDateOrContractMonth: contract.expiry,
      strike: contract.strike,
      right: contract.right === "C" ? OptionType.Call : OptionType.Put,
      multiplier: contract.multiplier,
    },
    "SELL",
    1,
    902,
  );

describe("modes never widen by accident", () => {
  it("--paper with --live-account is a usage error naming both, against a live account: no session, nothing sent", async () => {
    const { sim, journal } = await h.setup({}, { account: "U1234567" });
    const run = await h.live([
      ...["--journal", journal, "--port", String(sim.port), "--interval", "300", "--cycles", "1"],
      ...["--paper", "--live-account", "U1234567"],
    ]).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--paper contradicts liveAccount U1234567 \(from flag --live-account\)/);
    expect(eventCount(journal)).toBe(0);
    expect(sim.stats.connections).toBe(0);
    expect(sim.stats.byKind["place-order"]).toBeUndefined();
  });

  it("--paper with liveAccount in the config (or the environment) is refused at once, even with nothing listening", async () => {
    const { journal } = await h.setup();
    const file = config("live-account.yaml", "liveAccount: U1234567\ndryRun: false\n");
    const started = Date.now();
    const fromFile = await h.live(["--journal", journal, "--config", file, "--port", "1", "--paper"]).done;
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`liveAccount U1234567 (from config ${file})`);
    expect(fromFile.stderr).not.toContain("nothing listens");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(eventCount(journal)).toBe(0);
  });

  it("SessionOpened records the mode and where its settings came from", async () => {
    const { sim, journal } = await h.setup();
    const run = await h.live([
      ...["--journal", journal, "--port", String(sim.port), "--interval", "1", "--cycles", "1", "--paper"],
    ]).done;
    expect(run.code, run.stderr).toBe(0);
    const opened = of(journalEvents(journal), "SessionOpened")[0]!;
    expect(opened.payload.mode).toBe("paper");
    expect(opened.payload.modeSources).toEqual({ dryRun: "flag --paper" });
    expect(opened.payload.strategyDeadlineMs).toBe(3000);
  });
});

describe("orders are checked against the broker", () => {
  it("another client sells the bot's call: the bot's exit is refused (broker-position) and no SELL leaves; the strategy sees the refusal", async () => {
    const { sim, journal } = await h.setup();
    const file = config(
      "probe.yaml",
      "strategy:\n  name: probe\n  params: { callCycle: 1, putCycle: 99, exitCycle: 3 }\n",
    );
    const args = ["--journal", journal, "--config", file, "--strategy", PROBE, "--port", String(sim.port)];
    const first = await h.live([...args, "--interval", "1", "--cycles", "1", "--paper"]).done;
    expect(first.code, first.stderr).toBe(0);
    const bought = of(journalEvents(journal), "OrderFilled");
    expect(bought.map((f) => f.payload.side)).toEqual(["BUY"]);
    const call = bought[0]!.payload.contract as OptionContract;
    expect(call.secType).toBe("OPT");

    await sellOutsideTheBot(sim.port, call);
    const second = await h.live([...args, "--interval", "1", "--cycles", "2", "--paper"]).done;
    expect(second.code, second.stderr).toBe(0);
    const evs = journalEvents(journal);
    const refused = of(evs, "OrderRefused");
    expect(refused.map((r) => [r.payload.rule, r.payload.intent.side, r.payload.intent.purpose])).toEqual([
      ["broker-position", "SELL", "exit"],
    ]);
    expect(refused[0]!.payload.detail).toMatch(/the book holds 1, the broker 0/);
    expect(of(evs, "OrderSubmitted").map((o) => o.payload.intent.side)).toEqual(["BUY"]);
    expect(of(evs, "OrderFilled").map((f) => f.payload.side)).toEqual(["BUY"]);
    // The mismatch was seen before the decision of the same cycle (positions come before decisions).
    const mismatch = of(evs, "PositionMismatch")[0]!;
    expect(mismatch.seq).toBeLessThan(refused[0]!.seq);
  }, 60_000);
});

describe("a strategy has a deadline", () => {
  it("a decide that never returns fails its cycle within the deadline; the bot runs its next cycles", async () => {
    const { sim, journal } = await h.setup();
    const file = config(
      "hang-once.yaml",
      "strategy:\n  name: hanging\n  params: { hangFrom: 2, hangTo: 2 }\n  deadlineMs: 500\n",
    );
    const run = await h.live([
      ...["--journal", journal, "--config", file, "--strategy", HANGING, "--port", String(sim.port)],
      ...["--interval", "1", "--cycles", "4"],
    ]).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);
    const cycles = of(evs, "CycleCompleted");
    expect(cycles.map((c) => [c.payload.cycle, c.payload.status])).toEqual([
      [1, "ok"],
      [2, "failed"],
      [3, "ok"],
      [4, "ok"],
    ]);
    expect(cycles[1]!.payload.detail).toMatch(/hanging 1 hung in decide.*deadline of 500 ms/);
    expect(cycles[1]!.payload.durationMs).toBeLessThan(5000);
    expect(of(evs, "SessionClosed")[0]!.payload.reason).toBe("completed");
  }, 60_000);

  it("after maxFailedCycles failures in a row the session closes cleanly, naming why", async () => {
    const { sim, journal } = await h.setup();
    const file = config(
      "hang-always.yaml",
      "strategy:\n  name: hanging\n  params: { hangFrom: 1, hangTo: 99, hangIn: evolve }\n  deadlineMs: 300\n  maxFailedCycles: 2\n",
    );
    const run = await h.live([
      ...["--journal", journal, "--config", file, "--strategy", HANGING, "--port", String(sim.port)],
      ...["--interval", "1", "--cycles", "10"],
    ]).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);
    expect(of(evs, "CycleCompleted").map((c) => c.payload.status)).toEqual(["failed", "failed"]);
    const closed = of(evs, "SessionClosed")[0]!;
    expect(closed.payload.reason).toBe("error");
    expect(closed.payload.detail).toMatch(/failed in 2 cycles in a row.*hung in evolve/);
  }, 60_000);

  it("SIGTERM while the strategy hangs stops the bot within seconds, with SessionClosed", async () => {
    const { sim, journal } = await h.setup();
    const file = config(
      "hang-long.yaml",
      "strategy:\n  name: hanging\n  params: { hangFrom: 1, hangTo: 99 }\n  deadlineMs: 2000\n  maxFailedCycles: 50\n",
    );
    const run = h.live([
      ...["--journal", journal, "--config", file, "--strategy", HANGING, "--port", String(sim.port)],
      ...["--interval", "1", "--cycles", "50"],
    ]);
    await until("the first cycle to start", () => {
      try {
        return of(journalEvents(journal), "CycleStarted").length > 0;
      } catch {
        return false;
      }
    });
    const signalled = Date.now();
    run.child.kill("SIGTERM");
    const { code } = await run.done;
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(code).toBe(0);
    const evs = journalEvents(journal);
    expect(evs.at(-1)!.type).toBe("SessionClosed");
    expect(of(evs, "SessionClosed")[0]!.payload.reason).toBe("signal");
  }, 60_000);
});

describe("SIGTERM always stops; a peer that speaks no TWS is dropped", () => {
  it("a port that answers random bytes is refused with a clear message, at once and without spinning", async () => {
    const { journal } = await h.setup();
    const port = await hostile((socket) => {
      // A length prefix of -4 sends @stoqey/ib's framing loop round forever on the same bytes.
      const frame = Buffer.alloc(64, 0xab);
      frame.writeInt32BE(-4, 0);
      socket.write(frame);
    });
    const started = Date.now();
    const run = await h.live(["--journal", journal, "--port", String(port), "--cycles", "1"]).done;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`127.0.0.1:${port} does not speak the TWS API`);
    expect(run.stderr).toContain("Check --port");
    expect(eventCount(journal)).toBe(0);
  });

  it("SIGTERM while connecting to a peer that accepts and never answers stops within seconds", async () => {
    const { journal } = await h.setup();
    // The bot's signal handlers are in place before it connects: its connection is the moment to
    // signal, whatever the machine's load (a fixed sleep raced the CLI's start-up).
    let connected!: () => void;
    const reached = new Promise<void>((resolve) => (connected = resolve));
    const port = await hostile(() => connected());
    const run = h.live(["--journal", journal, "--port", String(port), "--cycles", "1"]);
    await reached;
    const signalled = Date.now();
    run.child.kill("SIGTERM");
    const { code, stdout } = await run.done;
    // Within seconds (the settle after a signal is 5 s; the CLI's failsafe 30 s): the probe's 5 s
    // timeout is not what ends it.
    expect(Date.now() - signalled).toBeLessThan(8000);
    expect(code).toBe(0);
    expect(stdout).toContain("nothing was journaled");
  });

  it("a gateway gone for good: SIGTERM closes the session, its last event is SessionClosed, and the cycle that never started shows in v_cycles", async () => {
    const { sim, journal } = await h.setup();
    const run = h.live([
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--interval",
      "1",
      "--cycles",
      "50",
    ]);
    await until("two cycles", () => {
      try {
        return of(journalEvents(journal), "CycleCompleted").length >= 2;
      } catch {
        return false;
      }
    });
    await sim.close();
    await until("the bot to notice", () => run.output().stderr.includes("nothing listens"), 30_000);
    run.child.kill("SIGTERM");
    const { code } = await run.done;
    expect(code).toBe(0);
    const evs = journalEvents(journal);
    expect(evs.at(-1)!.type).toBe("SessionClosed");
    const last = of(evs, "CycleCompleted").at(-1)!;
    expect(last.payload.status).toBe("failed");
    const db = new Database(journal, { readonly: true });
    try {
      const rows = db.prepare("SELECT cycle, start_seq, status FROM v_cycles WHERE start_seq IS NULL").all();
      expect(rows).toEqual([{ cycle: last.payload.cycle, start_seq: null, status: "failed" }]);
    } finally {
      db.close();
    }
  }, 90_000);
});

describe("every quote shows", () => {
  it("an unanswered snapshot is journaled as an incomplete quote without prices, and counted as a timeout", async () => {
    const { sim, journal } = await h.setup({ unanswered: { kind: "snapshot", nth: 2 } });
    const run = await h.live([
      ...["--journal", journal, "--port", String(sim.port), "--interval", "1", "--cycles", "1"],
    ]).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);
    const incomplete = of(evs, "QuoteSnapshot").filter((q) => !q.payload.complete);
    expect(incomplete).toHaveLength(1);
    expect([
      incomplete[0]!.payload.bidUsd,
      incomplete[0]!.payload.askUsd,
      incomplete[0]!.payload.lastUsd,
    ]).toEqual([null, null, null]);
    expect(of(evs, "CycleCompleted")[0]!.payload.timeouts).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
