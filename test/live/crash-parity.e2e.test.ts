/**
 * Parity survives crashes: a live session SIGKILLed at a dozen seeded moments and restarted each
 * time replays with every decision equal to live's (0 differ, 0 missing). A crash mid-cycle leaves
 * market events that live never decided on; the restart drops them, and so must the replay.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { journalEvents, liveHarness, eventsOfType as of } from "../support/live-harness.js";

const h = liveHarness("crash-parity-");
afterEach(() => h.cleanup());
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

/** mulberry32: the kill moments are seeded, so a failure names moments that can be rerun. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("parity after crashes", () => {
  it("a session SIGKILLed at 12 seeded moments and restarted each time replays at 100 % (0 differ, 0 missing)", async () => {
    const { sim, journal } = await h.setup();
    const args = ["--journal", journal, "--port", String(sim.port), "--interval", "1", "--paper"];
    const random = seeded(20260204);
    const moments: number[] = [];
    for (let kill = 0; kill < 12; kill++) {
      const run = h.live([...args, "--cycles", "200"]);
      const ms = 700 + Math.floor(random() * 2300);
      moments.push(ms);
      await new Promise((r) => setTimeout(r, ms));
      run.child.kill("SIGKILL");
      await run.done;
    }
    const last = await h.live([...args, "--cycles", "2"]).done;
    expect(last.code, last.stderr).toBe(0);
    const evs = journalEvents(journal);
    // A kill before a run opened its session (a slow start under load) leaves no SessionOpened.
    expect(of(evs, "SessionOpened").length).toBeGreaterThan(6);
    // Some kill must have cut a cycle short after its market data, or the test proves nothing.
    const cut = evs.filter(
      (e, i) => e.type === "SessionOpened" && i > 0 && evs[i - 1]!.type === "QuoteSnapshot",
    ).length;
    expect(cut, `kill moments ${moments.join(", ")} ms`).toBeGreaterThan(0);

    const out = join(h.dir, "replay.db");
    const replay = await h.cli([
      "replay",
      "--journal",
      journal,
      "--session",
      "2026-02-04",
      "--out",
      out,
      "--json",
    ]).done;
    expect(replay.code, replay.stderr).toBe(0);
    const summary = JSON.parse(replay.stdout) as {
      parity: { equal: number; differ: number; missing: number };
      live: { decisions: number };
    };
    expect(summary.parity, `kill moments ${moments.join(", ")} ms`).toEqual({
      equal: summary.live.decisions,
      differ: 0,
      missing: 0,
    });
    expect(summary.live.decisions).toBeGreaterThan(5);
  }, 120_000);
});
