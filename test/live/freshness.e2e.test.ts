/**
 * Live journals what it knew: a pacing violation (162) makes live skip its bar requests for a
 * while; each skip is journaled (`RequestSkipped`, until when), the cycles decided on old bars are
 * `degraded` with their reasons (in `CycleCompleted` and `v_cycles`), the strategy is told, and a
 * replay feeds it the same freshness (its decisions, signals included, equal live's).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { PayloadOf } from "../../src/events/index.js";
import { CLI, journalEvents as events, liveHarness } from "../support/live-harness.js";

const h = liveHarness("freshness-e2e-");
afterEach(() => h.cleanup());
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));
const ECHO = join(import.meta.dirname, "..", "support", "freshness-echo.ts");
const REPLAY = join(import.meta.dirname, "..", "..", "dist", "src", "cli", "replay.js");

describe("a pacing backoff in live, and in replay", () => {
  it("journals the skipped requests and the degraded cycles, and replay feeds the strategy the same", async () => {
    // One historical request per 600 s (real time): the second cycle's bars get 162, and a 30 s
    // backoff skips the bars of the cycles after it.
    const { sim, journal } = await h.setup({ pacing: { maxRequests: 1, windowSeconds: 600 } });
    const config = join(h.dir, "pacing.yaml");
    writeFileSync(config, "pacingBackoffSeconds: 30\nmaxBackoffSeconds: 60\n");
    const live = await h.live([
      "--config",
      config,
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--symbols",
      "SPY",
      "--strategy",
      ECHO,
      "--interval",
      "1",
      "--cycles",
      "5",
    ]).done;
    expect(live.code, live.stderr).toBe(0);

    const evs = events(journal);
    expect(evs.some((e) => e.type === "GatewayNotice" && e.payload.code === 162)).toBe(true);
    const skipped = evs.flatMap((e) => (e.type === "RequestSkipped" ? [e] : []));
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    for (const s of skipped) {
      expect(s.payload).toMatchObject({ symbol: "SPY", request: "bars", code: 162 });
      expect(s.payload.untilMs).toBeGreaterThan(s.ts);
    }
    const completions = evs.flatMap((e) => (e.type === "CycleCompleted" ? [e.payload] : []));
    expect(completions).toHaveLength(5);
    const inputs = completions.map((c) => c.inputs);
    // The first cycle's bars are fresh; every cycle after a skip is degraded, saying why.
    expect(inputs[0]).toMatchObject({ degraded: false, reasons: [] });
    const degraded = inputs.filter(
      (i): i is NonNullable<PayloadOf<"CycleCompleted">["inputs"]> => !!i?.degraded,
    );
    expect(degraded.length).toBeGreaterThanOrEqual(skipped.length);
    expect(
      degraded.some((i) =>
        i.reasons.some((r) => /^SPY: skipped bars paused after pacing violation 162/.test(r)),
      ),
    ).toBe(true);
    const skippedCycle = degraded.find((i) => i.symbols[0]!.skipped.length > 0)!;
    expect(skippedCycle.symbols[0]).toMatchObject({ symbol: "SPY", barsFetched: false });

    // v_cycles says the same, in SQL.
    const db = new Database(journal, { readonly: true });
    try {
      const rows = db
        .prepare(
          "SELECT cycle, degraded, degraded_reasons FROM v_cycles WHERE stream = 'live' ORDER BY cycle",
        )
        .all() as { cycle: number; degraded: number | null; degraded_reasons: string | null }[];
      expect(rows.map((r) => r.degraded)).toEqual(
        inputs.map((i) => (i === null ? null : i.degraded ? 1 : 0)),
      );
      const first = rows.find((r) => r.degraded === 1)!;
      expect(first.degraded_reasons).toContain("SPY: ");
    } finally {
      db.close();
    }

    // The strategy was told: its reasons are the cycle's, and replay decides the same (signals too).
    const decisions = evs.flatMap((e) => (e.type === "DecisionMade" ? [e.payload] : []));
    expect(decisions.some((d) => d.reason.includes("skipped bars paused after pacing violation 162"))).toBe(
      true,
    );
    expect(decisions.some((d) => d.reason === "fresh")).toBe(true);
    const replay = spawnSync(
      process.execPath,
      [
        REPLAY,
        "--journal",
        journal,
        "--out",
        join(h.dir, "replay.db"),
        "--session",
        "2026-02-04",
        "--strategy",
        ECHO,
        "--json",
      ],
      { encoding: "utf8" },
    );
    expect(replay.status, replay.stderr).toBe(0);
    const summary = JSON.parse(replay.stdout) as {
      decisions: number;
      parity: { equal: number; differ: number; missing: number };
    };
    expect(summary.decisions).toBe(decisions.length);
    expect(summary.parity).toEqual({ equal: decisions.length, differ: 0, missing: 0 });

    // The report shades the degraded cycles and says what the shading means.
    const html = join(h.dir, "report.html");
    const report = spawnSync(
      process.execPath,
      [CLI, "report", "--journal", journal, "--session", "2026-02-04", "--out", html],
      { encoding: "utf8" },
    );
    expect(report.status, report.stderr).toBe(0);
    expect(readFileSync(html, "utf8")).toContain("grey: cycles decided on stale or missing inputs");
  });
});
