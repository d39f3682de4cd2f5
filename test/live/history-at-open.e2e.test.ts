/**
 * What live asks for at the open and what it gets: `3600 S` of 1-minute RTH trade bars ending now,
 * which a gateway answers at 09:36 with that morning's six bars (not yesterday's afternoon), so the
 * strategy warms up on today's bars; before the first minute closes HMDS has no data (162), which
 * is not a pacing violation and must not pause the next cycle's request. The simulator's clock is
 * frozen (an injected real-time source), so the answers do not depend on the machine's speed.
 */
import { rmSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { newYorkParts, newYorkTimeToMs } from "../../src/events/index.js";
import { eventsOfType, journalEvents, liveHarness } from "../support/live-harness.js";

const h = liveHarness("history-at-open-");
afterEach(() => h.cleanup());
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

async function liveAt(hour: number, minute: number, cycles: number) {
  const { sim, journal } = await h.setup(
    {},
    { startMs: newYorkTimeToMs("2026-02-04", hour, minute), realNowMs: () => 0 },
  );
  const run = h.live([
    "--journal",
    journal,
    "--port",
    String(sim.port),
    "--symbols",
    "SPY",
    "--interval",
    "1",
    "--cycles",
    String(cycles),
  ]);
  const { code, stderr } = await run.done;
  expect(code, stderr).toBe(0);
  return { sim, evs: journalEvents(journal) };
}

describe("live's history request at the open", () => {
  it("at 09:36 gets that morning's bars, 09:30–09:35, and the strategy warms up on them", async () => {
    const { evs } = await liveAt(9, 36, 1);
    const [batch] = eventsOfType(evs, "BarsReceived");
    expect(batch!.payload).toMatchObject({ barSize: "1 min", whatToShow: "TRADES", useRth: true });
    const bars = batch!.payload.bars;
    const minutes = bars.map((b) => {
      const p = newYorkParts(b.timeMs);
      return `${p.date} ${p.hour}:${String(p.minute).padStart(2, "0")}`;
    });
    expect(minutes).toEqual(["9:30", "9:31", "9:32", "9:33", "9:34", "9:35"].map((m) => `2026-02-04 ${m}`));
    const [decision] = eventsOfType(evs, "DecisionMade");
    expect(decision!.payload.reason).toBe(`warming up: ${bars.length} bars, need 20`);
  });

  it("at 09:30:00 HMDS has no data yet (162): the cycle goes on, and the next cycle asks again", async () => {
    const { sim, evs } = await liveAt(9, 30, 2);
    expect(eventsOfType(evs, "BarsReceived")).toHaveLength(0);
    expect(eventsOfType(evs, "CycleCompleted")).toHaveLength(2);
    // One request per cycle: a "no data" 162 is not pacing, so nothing was paused.
    expect(sim.stats.byKind.historical).toBe(2);
  });
});
