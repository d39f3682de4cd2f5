/**
 * A recording is the same recording: the bot and the simulator share one VirtualTime, so what is
 * quoted, decided, sent and filled depends on the bot's own requests and sleeps, not on how fast
 * the machine answers. The second run is made slow on purpose (late snapshots, CPU burnt in every
 * request): the journals must still match event for event, times included.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { virtualBotOptions } from "../../bench/virtual-bot.js";
import { newYorkTimeToMs, openJournal, type StoredEvent } from "../../src/events/index.js";
import { LiveBot } from "../../src/live/index.js";
import { startSimulator, VirtualTime } from "../../src/sim/index.js";

const dir = mkdtempSync(join(tmpdir(), "virtual-time-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What differs between two runs by design: random ids, the machine's health, the port in the config. */
const MACHINE_EVENTS = new Set(["HealthSampled", "SessionOpened", "GatewayConnected"]);
const ULID = /"[0-9A-HJKMNP-TV-Z]{26}"/g;
const comparable = (events: readonly StoredEvent[]) =>
  events
    .filter((e) => !MACHINE_EVENTS.has(e.type))
    .map((e) => `${e.ts} ${e.type} ${JSON.stringify(e.payload).replace(ULID, '"id"')}`);

async function record(name: string, slow: boolean): Promise<StoredEvent[]> {
  const burn = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {}
  };
  const localTime = new VirtualTime(7);
  const sim = await startSimulator({
    seed: 42,
    startMs: newYorkTimeToMs("2026-02-04", 9, 35),
    speed: 300,
    virtualTime: localTime,
    scenario: { snapshotDelayMs: slow ? 40 : 1 },
    ...(slow ? { log: () => burn(3) } : {}),
  });
  const journalPath = join(dir, `${name}.db`);
  try {
    await new LiveBot(
      await virtualBotOptions(sim, localTime, {
        journalPath,
        symbols: ["SPY", "QQQ"],
        intervalSeconds: 1,
        cycles: 10,
      }),
    ).run();
  } finally {
    await sim.close();
  }
  const journal = openJournal(journalPath, { readonly: true });
  try {
    return [...journal.read({ stream: "live" })];
  } finally {
    journal.close();
  }
}

describe("recording on virtual time", () => {
  it("gives the same journal, times and fills included, however slowly the simulator answers", async () => {
    const fast = await record("fast", false);
    const slow = await record("slow", true);
    expect(
      fast.filter((e) => e.type === "OrderFilled").length,
      "the run must trade to test fills",
    ).toBeGreaterThan(0);
    expect(fast.filter((e) => e.type === "CycleCompleted")).toHaveLength(10);
    expect(comparable(slow)).toEqual(comparable(fast));
  }, 120_000);
});
