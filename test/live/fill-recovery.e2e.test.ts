/**
 * Fills are never lost: a bot SIGKILLed between sending an order and its fill, a fill made while
 * the gateway had lost connectivity (1100 … 1102), a session asked to stop right after its order.
 * Real CLI processes, the real @stoqey/ib client, the simulator's process-wide order book.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { LIVE_STREAM, type StoredEvent } from "../../src/events/index.js";
import { foldBook, positionKey } from "../../src/projections/index.js";
import { eventsOfType, journalEvents, liveHarness, until } from "../support/live-harness.js";

const h = liveHarness("fill-recovery-");
afterEach(() => h.cleanup());
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

const PROBE = join(import.meta.dirname, "..", "support", "probe-strategy.ts");
const of = eventsOfType;

/** The probe buys one call on cycle 1 and does nothing else. */
function buyOnceArgs(journal: string, port: number, cycles: number): string[] {
  const config = join(h.dir, "buy-once.yaml");
  writeFileSync(config, "strategy:\n  params:\n    putCycle: 99\n    exitCycle: 99\n");
  return [
    "--config",
    config,
    "--journal",
    journal,
    "--port",
    String(port),
    "--symbols",
    "SPY",
    "--strategy",
    PROBE,
    "--interval",
    "1",
    "--cycles",
    String(cycles),
    "--paper",
  ];
}

/** The book folded from the journal against the gateway's last report: they must agree. */
function expectBookMatchesBroker(
  evs: StoredEvent[],
  contract: Extract<StoredEvent, { type: "OrderFilled" }>,
) {
  const book = foldBook(evs);
  const ours = book.positions.byKey.get(positionKey(LIVE_STREAM, contract.payload.contract))?.quantity ?? 0;
  const reported = of(evs, "PositionsReported").at(-1)!;
  const theirs = reported.payload.positions
    .filter((p) => p.contract.secType === "OPT")
    .reduce((sum, p) => sum + p.quantity, 0);
  expect(ours).toBe(1);
  expect(theirs).toBe(ours);
}

describe("fills are never lost", () => {
  it("SIGKILL right after an order is sent: the restart journals its fill exactly once, linked to the decision, and the book equals the broker", async () => {
    const { sim, journal } = await h.setup({ fillDelayMs: 4000 });
    const first = h.live(buyOnceArgs(journal, sim.port, 10));
    // Killed once the gateway holds the order (journaled first, then sent: a kill between the
    // two is the other case, an order that never reached the gateway, settled as cancelled).
    await until("the order to reach the gateway", () => (sim.stats.byKind["place-order"] ?? 0) > 0);
    first.child.kill("SIGKILL");
    await first.done;
    const killed = journalEvents(journal);
    expect(of(killed, "OrderFilled")).toHaveLength(0);
    const submitted = of(killed, "OrderSubmitted")[0]!;

    // The gateway fills it while the bot is down.
    await new Promise((r) => setTimeout(r, 4500));
    for (let run = 0; run < 2; run++) {
      const again = await h.live(buyOnceArgs(journal, sim.port, 1)).done;
      expect(again.code, again.stderr).toBe(0);
    }
    const evs = journalEvents(journal);
    const fills = of(evs, "OrderFilled");
    expect(fills).toHaveLength(1);
    expect(fills[0]!.payload.recovered).toBe(true);
    expect(fills[0]!.correlation).toBe(submitted.correlation);
    expect(fills[0]!.payload.orderRef).toBe(submitted.correlation);
    expect(of(evs, "CommissionReported").map((e) => e.payload.execId)).toEqual([fills[0]!.payload.execId]);
    expect(of(evs, "PositionMismatch")).toHaveLength(0);
    expectBookMatchesBroker(evs, fills[0]!);
  }, 180_000);

  it("a fill made while connectivity is lost (1100) is recovered after 1102", async () => {
    const { sim, journal } = await h.setup({
      fillDelayMs: 200,
      connectivityLost: { atOrder: 1, restoreAfterMs: 1500, withholdFillReports: true },
    });
    const run = await h.live(buyOnceArgs(journal, sim.port, 5)).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);
    expect(of(evs, "GatewayNotice").map((e) => e.payload.code)).toEqual(expect.arrayContaining([1100, 1102]));
    const fills = of(evs, "OrderFilled");
    expect(fills).toHaveLength(1);
    expect(fills[0]!.payload.recovered).toBe(true);
    expectBookMatchesBroker(evs, fills[0]!);
  });

  it("a session asked for one cycle does not close before its order's fill", async () => {
    const { sim, journal } = await h.setup({ fillDelayMs: 2500 });
    const run = await h.live(buyOnceArgs(journal, sim.port, 1)).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);
    const closed = evs.findIndex((e) => e.type === "SessionClosed");
    const filled = evs.findIndex((e) => e.type === "OrderFilled");
    expect(filled).toBeGreaterThan(-1);
    expect(filled).toBeLessThan(closed);
    expect(run.stdout).toMatch(/fills 1/);
  });

  it("a session whose order still works when the close timeout passes says so in SessionClosed", async () => {
    const { sim, journal } = await h.setup({ fillDelayMs: 60_000 });
    const run = await h.live([...buyOnceArgs(journal, sim.port, 1), "--close-timeout", "2"]).done;
    expect(run.code, run.stderr).toBe(0);
    const closed = of(journalEvents(journal), "SessionClosed")[0]!;
    expect(closed.payload.detail).toMatch(/closed after 2 s with 1 order\(s\) still working/);
    expect(run.stdout).toMatch(/working orders: #\d+ BUY 1 SPY/);
  });

  it("an order the journal says is working but the gateway never held is settled as cancelled on restart, not left working", async () => {
    const { sim, journal } = await h.setup({ fillDelayMs: 60_000 });
    const first = await h.live([...buyOnceArgs(journal, sim.port, 1), "--close-timeout", "1"]).done;
    expect(first.code, first.stderr).toBe(0);
    const submitted = of(journalEvents(journal), "OrderSubmitted")[0]!;
    // Another gateway, with no record of the order: as if the process had died between journaling
    // the order and sending it.
    const { sim: other } = await h.setup();
    const again = await h.live(buyOnceArgs(journal, other.port, 1)).done;
    expect(again.code, again.stderr).toBe(0);
    const evs = journalEvents(journal);
    const cancelled = of(evs, "OrderCancelled").filter((e) => e.correlation === submitted.correlation);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.payload.reason).toMatch(/never reached the gateway/);
    expect(of(evs, "OrderFilled").filter((e) => e.correlation === submitted.correlation)).toHaveLength(0);
  });
});
