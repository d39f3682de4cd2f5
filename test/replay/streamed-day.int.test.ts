/**
 * A streamed day (src/replay/source-keeper.ts) gives the figures of the whole day: live's book is
 * folded as it is read, and only the order events, decisions and the quotes of ordered contracts
 * are kept to the end. Where a dropped quote would have counted, the engine says so
 * (`WholeDayNeeded`) and the session job replays the day again, whole.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importJsonLines, openJournal, type StoredEvent } from "../../src/events/index.js";
import {
  fillModelByName,
  type ReplayInput,
  replaySession,
  runSessionJob,
  WholeDayNeeded,
} from "../../src/replay/index.js";
import { trendVwap } from "../../src/strategy/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "streamed-day-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAYS = ["2026-02-04", "2026-02-05"];
const SEED = Number(process.env.STREAMED_DAY_SEED ?? 20261204);
const days = new Map<string, StoredEvent[]>();
beforeAll(() => {
  const journal = openJournal(join(dir, "sample.db"));
  for (const day of DAYS) {
    importJsonLines(journal, readFileSync(join(ROOT, "data", "sample", `${day}.jsonl`), "utf8"), day);
    days.set(day, [...journal.read({ session: day, stream: "live" })]);
  }
  journal.close();
});

/** The day with each chosen quote followed by `copies` more of it at the same time (new ids), renumbered. */
function withCopies(day: readonly StoredEvent[], copies: ReadonlyMap<number, number>): StoredEvent[] {
  const out: StoredEvent[] = [];
  day.forEach((event, index) => {
    out.push(event);
    for (let k = 0; k < (copies.get(index) ?? 0); k++) out.push({ ...event, id: `${event.id}-copy${k}` });
  });
  return out.map((event, i) => ({ ...event, seq: i + 1, pos: i }) as StoredEvent);
}

function input(events: StoredEvent[], day: string, overrides: Record<string, unknown>): ReplayInput {
  return {
    session: day,
    sourceJournal: "sample",
    sourceStream: "live",
    events,
    strategy: trendVwap,
    paramOverrides: overrides,
    fillModel: fillModelByName("next-quote")!,
    codeVersion: "test",
    withModelError: true,
  };
}

/** The streamed run, or null where the engine asks for the whole day. */
function streamed(replay: ReplayInput, sessionOpened: boolean) {
  try {
    return replaySession({ ...replay, keepOrderedOnly: true, sessionOpened });
  } catch (error) {
    if (error instanceof WholeDayNeeded) return null;
    throw error;
  }
}

describe("a streamed day", () => {
  it("gives every figure and event of the whole day, or asks for it (fast-check)", () => {
    let same = 0;
    let asked = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...DAYS),
        fc.dictionary(fc.integer({ min: 0, max: 2000 }).map(String), fc.integer({ min: 1, max: 7 }), {
          maxKeys: 40,
        }),
        fc.boolean(),
        fc.constantFrom({}, { stopLossPct: 0.05 }, { profitTargetPct: 0.1, maxHoldMinutes: 20 }),
        (day, picks, dropOpened, overrides) => {
          const whole = days.get(day)!;
          const quotes = whole.flatMap((e, i) => (e.type === "QuoteSnapshot" ? [i] : []));
          const copies = new Map(
            Object.entries(picks).map(([k, n]) => [quotes[Number(k) % quotes.length]!, n]),
          );
          let events = withCopies(whole, copies);
          if (dropOpened) events = events.filter((e) => e.type !== "SessionOpened");
          const replay = input(events, day, overrides);
          const reference = replaySession(replay);
          const result = streamed(replay, !dropOpened);
          if (result === null) {
            asked += 1;
            return;
          }
          same += 1;
          expect(JSON.stringify(result)).toBe(JSON.stringify(reference));
        },
      ),
      // A fixed seed: a day that must be asked for is one run in 20–40 at random (two cases of 40
      // with one seed, none with another), so a random seed made the check below flaky.
      { numRuns: 40, seed: SEED },
    );
    // Both ways were taken: the check is neither vacuous nor always refusing.
    expect(same).toBeGreaterThan(0);
    expect(asked).toBeGreaterThan(0);
  });

  it("asks for the whole day when a SessionOpened it was told is absent shows up", () => {
    const day = days.get("2026-02-04")!;
    expect(day.some((e) => e.type === "SessionOpened")).toBe(true);
    expect(streamed(input(day, "2026-02-04", {}), false)).toBeNull();
    expect(streamed(input(day, "2026-02-04", {}), true)).not.toBeNull();
  });
});

describe("a session job whose streamed day falls short", () => {
  it("replays the day again whole, and gives its figures", async () => {
    // Copies of the quotes live's filled orders saw, right after them: the quote a decision saw is
    // no longer among the latest of its contract when the order names it, and is dropped.
    const whole = days.get("2026-02-05")!;
    const byId = new Map(whole.map((e, i) => [e.id, i]));
    const saw = new Set<number>();
    for (const fill of whole)
      if (fill.type === "OrderFilled" && fill.payload.simulated !== true) {
        const decision = whole.find((e) => e.id === fill.correlation);
        if (decision?.type !== "DecisionMade") continue;
        for (const id of decision.payload.saw) {
          const i = byId.get(id);
          if (i !== undefined) saw.add(i);
        }
      }
    expect(saw.size).toBeGreaterThan(0);
    const events = withCopies(whole, new Map([...saw].map((i) => [i, 6])));
    for (const overrides of [{}, { stopLossPct: 0.05 }]) {
      const replay = input(events, "2026-02-05", overrides);
      expect(streamed(replay, true)).toBeNull();

      const path = join(dir, `short-${Object.keys(overrides).length}.db`);
      const journal = openJournal(path);
      journal.append(
        "live",
        "2026-02-05",
        events.map(({ type, version, ts, payload, id, causation, correlation }) => ({
          type,
          version,
          ts,
          payload,
          id,
          causation,
          correlation,
        })) as never,
      );
      journal.close();
      const job = await runSessionJob({
        sourcePath: path,
        sourceStream: "live",
        session: "2026-02-05",
        verify: true,
        strategy: null,
        paramOverrides: overrides,
        fillModel: "next-quote",
        codeVersion: "test",
      });
      const reference = replaySession({ ...replay, sourceJournal: path });
      expect(job.output).toEqual(reference.output);
      expect(job.replay).toEqual(reference.replay);
      expect(job.live).toEqual(reference.live);
      if (reference.modelError) expect(job.modelError).toEqual(reference.modelError);
    }
  });
});
