/**
 * A bot left running over midnight: the day's session closes at the first cycle of the next New
 * York date and the next day's opens by itself, with its own hours and a strategy that starts
 * afresh. Before this, day two was journaled (and traded) under day one's session, and its
 * decisions saw yesterday's bars. The bot and the simulator share one VirtualTime, so 19 hours of
 * 300 s cycles take seconds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { virtualBotOptions } from "../../bench/virtual-bot.js";
import {
  acquireWriterLock,
  JournalLocked,
  newYorkTimeToMs,
  openJournal,
  type StoredEvent,
  tradingSessionOf,
} from "../../src/events/index.js";
import { LiveService, type LiveSummary } from "../../src/live/index.js";
import { startSimulator, VirtualTime } from "../../src/sim/index.js";
import {
  eventsSoFar,
  journalEvents,
  liveHarness,
  eventsOfType as of,
  until,
} from "../support/live-harness.js";
import { startWebhookServer } from "../support/webhook-server.js";

const h = liveHarness("day-rollover-");
afterEach(() => h.cleanup());
const dir = mkdtempSync(join(tmpdir(), "day-rollover-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(h.dir, { recursive: true, force: true });
});

/** From 15:20 on 2026-02-04 to 10:30 on 2026-02-05 in 300 s cycles. */
const CYCLES = 230;

async function runOverMidnight(
  journalPath: string,
): Promise<{ days: LiveSummary[]; lockFreeBetweenDays: boolean[]; events: StoredEvent[] }> {
  const localTime = new VirtualTime(11);
  const sim = await startSimulator({
    seed: 42,
    startMs: newYorkTimeToMs("2026-02-04", 15, 20),
    // The gateway's clock runs as the bot's: the bot's own clock sees midnight first.
    speed: 1,
    virtualTime: localTime,
    scenario: { snapshotDelayMs: 1 },
  });
  const days: LiveSummary[] = [];
  /** Whether another writer could take the journal between one day's bot and the next's. */
  const lockFreeBetweenDays: boolean[] = [];
  try {
    const run = { journalPath, symbols: ["SPY"], intervalSeconds: 300, cycles: CYCLES };
    await new LiveService(await virtualBotOptions(sim, localTime, run)).run((summary) => {
      days.push(summary);
      try {
        acquireWriterLock(journalPath, "a second writer", "now").release();
        lockFreeBetweenDays.push(true);
      } catch (error) {
        if (!(error instanceof JournalLocked)) throw error;
        lockFreeBetweenDays.push(false);
      }
    });
  } finally {
    await sim.close();
  }
  const journal = openJournal(journalPath, { readonly: true });
  try {
    return { days, lockFreeBetweenDays, events: [...journal.read({ stream: "live" })] };
  } finally {
    journal.close();
  }
}

describe("a bot left running over midnight", () => {
  it("closes the day's session at the new date and opens the next day's, which replays as live decided", async () => {
    const journalPath = join(dir, "two-days.db");
    const { days, lockFreeBetweenDays, events } = await runOverMidnight(journalPath);
    const midnight = newYorkTimeToMs("2026-02-05", 0, 0);

    expect(days.map((d) => [d.session, d.dayEnded])).toEqual([
      ["2026-02-04", true],
      ["2026-02-05", false],
    ]);
    expect(days[0]!.cycles + days[1]!.cycles).toBe(CYCLES);
    // The service held the writer lock through the hand-over at midnight.
    expect(lockFreeBetweenDays).toEqual([false, false]);

    const sessions = [...new Set(events.map((e) => e.session))];
    expect(sessions).toEqual(["2026-02-04", "2026-02-05"]);
    const inSession = (session: string, type: string) =>
      events.filter((e) => e.session === session && e.type === type);
    for (const session of sessions) {
      expect(inSession(session, "SessionOpened"), session).toHaveLength(1);
      expect(inSession(session, "SessionClosed"), session).toHaveLength(1);
      expect(inSession(session, "TradingHoursReceived").length, session).toBeGreaterThan(0);
      // Everything but the close happened on the session's own date; cycles count from 1 each day.
      const cycles = inSession(session, "CycleStarted");
      expect(cycles[0]!.payload).toMatchObject({ cycle: 1 });
      for (const e of events.filter((x) => x.session === session && x.type !== "SessionClosed"))
        expect(tradingSessionOf(e.ts), `${e.type} #${e.seq}`).toBe(session);
    }
    const [close] = inSession("2026-02-04", "SessionClosed");
    expect(close!.payload).toMatchObject({ reason: "completed" });
    expect((close!.payload as { detail: string }).detail).toMatch(
      /^the trading day 2026-02-04 ended at New York midnight; 2026-02-05 opens its own session$/,
    );
    // At the first cycle past midnight, not hours later.
    expect(close!.ts).toBeGreaterThanOrEqual(midnight);
    expect(close!.ts).toBeLessThan(midnight + 310_000);

    // Day two traded: a fresh strategy decided from 09:30 on.
    const decisions = inSession("2026-02-05", "DecisionMade");
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.every((d) => d.ts >= newYorkTimeToMs("2026-02-05", 9, 30))).toBe(true);

    // Each day replays alone as live decided it: day two's strategy saw none of day one.
    for (const session of sessions) {
      const summary = await h.replayJson(journalPath, session, join(dir, `replay-${session}.db`));
      expect(summary.parity, session).toEqual({ equal: summary.live.decisions, differ: 0, missing: 0 });
    }
  }, 180_000);
});

describe("journal live left running over midnight", () => {
  it("prints each day's summary, refuses a second bot while it runs, and stops on SIGTERM", async () => {
    // The simulator's clock runs 300× the bot's: only the gateway's clock sees midnight come.
    const { sim, journal } = await h.setup({}, { startMs: newYorkTimeToMs("2026-02-04", 23, 45) });
    const hooks = await startWebhookServer();
    const args = ["--journal", journal, "--port", String(sim.port), "--paper", "--interval", "1"];
    const run = h.live([...args, "--alert-url", `${hooks.base}/json/hook`]);
    await until(
      "a cycle of 2026-02-05",
      () => of(eventsSoFar(journal), "CycleStarted").some((c) => c.session === "2026-02-05"),
      60_000,
    );
    // The service holds the writer lock over the days it runs: a second bot is refused.
    const second = await h.live(["--journal", journal, "--port", String(sim.port), "--cycles", "1"]).done;
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/journal live \(paper\)/);
    run.child.kill("SIGTERM");
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/live session 2026-02-04 done: \d+ cycles[\s\S]*live session 2026-02-05 done/);
    const evs = journalEvents(journal);
    const closes = of(evs, "SessionClosed");
    expect(closes.map((c) => [c.session, c.payload.reason])).toEqual([
      ["2026-02-04", "completed"],
      ["2026-02-05", "signal"],
    ]);
    // Day one's cycles all ran before midnight by the gateway's clock.
    for (const c of of(evs, "CycleStarted"))
      expect(tradingSessionOf(c.payload.gatewayTimeMs), `cycle ${c.payload.cycle}`).toBe(c.session);

    // The phone hears of the new day as news, not as a stop; the SIGTERM is a stop.
    const alerts = hooks.at("/json/").map((r) => r.body as { kind: string; session: string; title: string });
    await hooks.close();
    expect(alerts.map((a) => [a.kind, a.session])).toEqual([
      ["start", "2026-02-04"],
      ["stop", "2026-02-04"],
      ["start", "2026-02-05"],
      ["stop", "2026-02-05"],
    ]);
    expect(alerts[1]!.title).toMatch(
      /: the day 2026-02-04 closed after \d+ cycle\(s\); the bot goes on with the next day's session$/,
    );
    expect(alerts[3]!.title).toMatch(/: stopped \(signal\) after \d+ cycle\(s\)$/);
  }, 120_000);
});
