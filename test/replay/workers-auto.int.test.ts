/**
 * `--workers auto`: a replay below the measured break-even runs in its own thread (a worker
 * thread's start would cost more than it saves), above it on every core; the size is the
 * sessions' events, read from the pos index. `--workers N` still forces N (the option as given).
 */
import { availableParallelism } from "node:os";
import Database from "better-sqlite3";
import { describe, expect, inject, it } from "vitest";
import { runReplay, WORKER_BREAK_EVEN_EVENTS } from "../../src/replay/index.js";
import { autoWorkers, sessionEvents } from "../../src/replay/replay.js";
import { replayOptions } from "../support/replay-options.js";

const journal = inject("sampleJournal");
const sessions = ["2026-02-04", "2026-02-05"];

describe("--workers auto", () => {
  it("weighs a replay by its sessions' events, as the journal counts them", async () => {
    const db = new Database(journal, { readonly: true });
    const counted = (
      db
        .prepare(
          `SELECT count(*) AS n FROM events WHERE stream = 'live' AND session IN (${sessions.map(() => "?").join(",")})`,
        )
        .get(...sessions) as { n: number }
    ).n;
    db.close();
    expect(await sessionEvents({ journal, stream: "live" }, sessions)).toBe(counted);
    expect(await sessionEvents({ journal, stream: "nope" }, sessions)).toBe(0);
  });

  it("one lane below the break-even, every core from it on, every core when the size is unknown", () => {
    expect(autoWorkers(WORKER_BREAK_EVEN_EVENTS - 1)).toBe(1);
    expect(autoWorkers(0)).toBe(1);
    expect(autoWorkers(WORKER_BREAK_EVEN_EVENTS)).toBe(availableParallelism());
    expect(autoWorkers(null)).toBe(availableParallelism());
  });

  it("a replay with auto gives what one lane and two give", async () => {
    const auto = await runReplay(replayOptions({ journal, sessions, workers: "auto" }));
    const one = await runReplay(replayOptions({ journal, sessions, workers: 1 }));
    const two = await runReplay(replayOptions({ journal, sessions, workers: 2 }));
    const figures = (r: typeof auto) => r.map((s) => [s.run, s.replay.netPnlUsd, s.replay.trades]);
    expect(figures(auto)).toEqual(figures(one));
    expect(figures(two)).toEqual(figures(one));
  }, 120_000);
});
