/**
 * A strategy that throws in live: live marks the cycle failed and goes on. Recorded by the real
 * LiveBot over TCP against the simulator, the session must then replay at parity (the failed
 * cycle mirrored where the journal shows live saw it), a restart of live must warm up through it,
 * and a throw where live's cycle did not fail must still refuse the session.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newYorkTimeToMs, openJournal, type StoredEvent } from "../../src/events/index.js";
import { createLogger, LiveBot, loadLiveConfig } from "../../src/live/index.js";
import { nextQuoteFillModel, replaySession, runReplay } from "../../src/replay/index.js";
import { startSimulator } from "../../src/sim/index.js";
import type { AnyStrategy } from "../../src/strategy/index.js";
import { throwsInWindow } from "../support/throwing-strategy.js";

const SESSION = "2026-02-04";
const STRATEGY_FILE = join(import.meta.dirname, "..", "support", "throwing-strategy.ts");
const dir = mkdtempSync(join(tmpdir(), "strategy-failure-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const journal = join(dir, "live.db");
// Cycles start every 300 simulated seconds from 10:00: the third one's quotes fall in this window.
const WINDOW = { throwFromMs: newYorkTimeToMs(SESSION, 10, 9), throwToMs: newYorkTimeToMs(SESSION, 10, 14) };

async function runLive(cycles: number, fromMinute: number): Promise<void> {
  const sim = await startSimulator({
    seed: 7,
    startMs: newYorkTimeToMs(SESSION, 10, fromMinute),
    speed: 300,
  });
  try {
    const config = loadLiveConfig(
      undefined,
      {},
      { port: sim.port, symbols: ["SPY", "QQQ"], intervalSeconds: 1, paper: true },
    );
    await new LiveBot({
      config: { ...config, symbolPauseMs: 20 },
      journalPath: journal,
      strategy: throwsInWindow as AnyStrategy,
      params: throwsInWindow.params.parse(WINDOW),
      cycles,
      codeVersion: "test",
      logger: await createLogger(null, true),
    }).run();
  } finally {
    await sim.close();
  }
}

function liveEvents(): StoredEvent[] {
  const j = openJournal(journal, { readonly: true });
  try {
    return [...j.read({ stream: "live", session: SESSION })];
  } finally {
    j.close();
  }
}

describe("a strategy that throws in live", () => {
  beforeAll(async () => {
    await runLive(4, 0);
  }, 60_000);

  it("fails that cycle in live, which goes on deciding in the next ones", () => {
    const cycles = liveEvents().flatMap((e) => (e.type === "CycleCompleted" ? [e.payload] : []));
    const failed = cycles.filter((c) => c.status === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toMatch(
      /strategy throws-in-window 1 threw in evolve .*broken on purpose at 2026-02-04T15:(09|1[0-3])/,
    );
    const after = liveEvents().filter((e) => e.type === "DecisionMade" && e.payload.cycle > failed[0]!.cycle);
    expect(after.length).toBeGreaterThan(0);
  });

  it("replays at parity with the recorded outcomes: the failed cycle is mirrored, not refused", async () => {
    const [result] = await runReplay({
      journal,
      out: join(dir, "replay.db"),
      inPlace: false,
      sessions: [SESSION],
      stream: "live",
      strategy: STRATEGY_FILE,
      paramOverrides: {},
      fillModel: "next-quote",
      codeVersion: "test",
      force: false,
      workers: 1,
    });
    expect(result!.outcomes).toBe("recorded");
    expect(result!.parity!.diffs).toEqual([]);
    expect(result!.parity!.equal).toBe(liveEvents().filter((e) => e.type === "DecisionMade").length);
  });

  it("a restart of live warms up through the failed cycle and runs its next cycle", async () => {
    const before = liveEvents().filter((e) => e.type === "CycleCompleted").length;
    await runLive(1, 30);
    const cycles = liveEvents().flatMap((e) => (e.type === "CycleCompleted" ? [e.payload] : []));
    expect(cycles.length).toBe(before + 1);
    expect(cycles.slice(before).every((c) => c.status !== "failed")).toBe(true);
  }, 60_000);

  it("a throw where live's cycle did not fail still refuses the session (the strategy is not what live ran)", () => {
    // The same name, version and parameters, but its bug fires in the next cycle, where live's did not.
    const later: AnyStrategy = {
      ...(throwsInWindow as AnyStrategy),
      evolve: (state, event) =>
        throwsInWindow.evolve(state as never, event, {
          throwFromMs: WINDOW.throwFromMs + 300_000,
          throwToMs: WINDOW.throwToMs + 300_000,
        }),
    };
    expect(() =>
      replaySession({
        session: SESSION,
        sourceJournal: journal,
        sourceStream: "live",
        events: liveEvents(),
        strategy: later,
        paramOverrides: {},
        fillModel: nextQuoteFillModel(),
        codeVersion: "test",
        outcomes: "recorded",
      }),
    ).toThrow(/strategy throws-in-window 1 threw in evolve .*broken on purpose at 2026-02-04T15:1[4-9]/);
  });
});
