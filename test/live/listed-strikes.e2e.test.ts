/**
 * Listed contracts only (issue 22 item 3): the option chain's strikes are the union over every
 * expiry, and a far expiry lists only $5 strikes. The bot quotes the chosen expiry's own strikes
 * (its contract details, once per expiry per session), and a strike the gateway answers 200 for
 * costs no cycle: the notice is journaled and the strike skipped.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { OptionContract } from "../../src/events/index.js";
import { journalEvents, liveHarness, eventsOfType as of } from "../support/live-harness.js";

const h = liveHarness("listed-strikes-e2e-");
afterEach(() => h.cleanup());
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

// 400 days out from 2026-02-04 the first expiry is January 2028's LEAPS: $5 strikes only.
const LEAPS = "20280121";
const farExpiry = () => {
  const file = join(h.dir, "leaps.yaml");
  writeFileSync(file, "minDaysToExpiry: 400\n");
  return file;
};
const optionQuotes = (journal: string) =>
  of(journalEvents(journal), "QuoteSnapshot")
    .map((q) => q.payload.contract)
    .filter((c): c is OptionContract => c.secType === "OPT");

describe("strikes from the chosen expiry", () => {
  it("quotes the strikes the expiry lists ($5 on a LEAPS), asked once per expiry, never the union's $1 ones", async () => {
    const { sim, journal } = await h.setup();
    const args = ["--journal", journal, "--config", farExpiry(), "--port", String(sim.port)];
    const run = await h.live([...args, "--interval", "1", "--cycles", "2"]).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);
    const chain = of(evs, "OptionChainReceived")[0]!.payload;
    expect(chain.expirations).toContain(LEAPS);
    // The union has $1 strikes near the money (the dailies'): the bot must not take those.
    expect(chain.strikes.some((k) => k % 5 !== 0)).toBe(true);

    const listed = of(evs, "OptionStrikesReceived");
    expect(listed.map((e) => [e.payload.symbol, e.payload.expiry])).toEqual([["SPY", LEAPS]]);
    expect(listed[0]!.payload.strikes.every((k) => k % 5 === 0)).toBe(true);

    const quoted = optionQuotes(journal);
    expect(quoted).toHaveLength(2 * 3 * 2);
    expect(quoted.every((c) => c.expiry === LEAPS && c.strike % 5 === 0)).toBe(true);
    expect(new Set(quoted.map((c) => c.strike)).size).toBe(3);
    expect(of(evs, "GatewayNotice").filter((n) => n.payload.code === 200)).toEqual([]);
    expect(of(evs, "CycleCompleted").map((c) => c.payload.status)).toEqual(["ok", "ok"]);
  });

  it("without the expiry's strikes (unanswered), the union's unlisted strikes get 200: journaled, the cycle goes on, and none is asked again", async () => {
    // Contract details: 1 the day's hours, 2 the conId, 3 and 4 the LEAPS' strikes in cycles 1 and 2.
    const asked = new Map<number, { strike: number; right: string }>();
    const log = (line: Record<string, unknown>) => {
      if (line.event === "request" && line.kind === "snapshot" && line.secType === "OPT")
        asked.set(Number(line.reqId), { strike: Number(line.strike), right: String(line.right) });
    };
    const { sim, journal } = await h.setup(
      { unanswered: { kind: "contract-details", nth: 3, count: 2 } },
      { log },
    );
    const args = ["--journal", journal, "--config", farExpiry(), "--port", String(sim.port)];
    const run = await h.live([...args, "--interval", "1", "--cycles", "2"]).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);
    expect(of(evs, "OptionStrikesReceived")).toEqual([]);

    // The union's nearest strikes are $1 apart: those the LEAPS does not list are refused, journaled.
    const secondStart = of(evs, "CycleStarted")[1]!.seq;
    const refused = of(evs, "GatewayNotice").filter((n) => n.payload.code === 200);
    const strikesOf = (notices: typeof refused) =>
      notices.map((n) => asked.get(n.payload.reqId)).map((c) => `${c?.strike}${c?.right}`);
    const first = strikesOf(refused.filter((n) => n.seq < secondStart));
    const second = strikesOf(refused.filter((n) => n.seq > secondStart));
    expect(first.length).toBeGreaterThan(0);
    expect(first.concat(second).every((k) => Number.parseInt(k, 10) % 5 !== 0)).toBe(true);
    // Skipped for the rest of the session: no strike is refused twice.
    expect(second.filter((k) => first.includes(k))).toEqual([]);
    // No cycle is lost to them: both decided, partial (their errors counted), the listed strikes quoted.
    expect(of(evs, "CycleCompleted").map((c) => c.payload.status)).toEqual(["partial", "partial"]);
    expect(of(evs, "DecisionMade").map((d) => d.payload.cycle)).toEqual([1, 2]);
    expect(optionQuotes(journal).every((c) => c.strike % 5 === 0)).toBe(true);
  }, 90_000);
});
