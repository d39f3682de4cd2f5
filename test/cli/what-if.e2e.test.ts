/**
 * A what-if a trader can bet on, on the bundled sessions: live's own strategy through the default
 * fill model (the decision's quote, calibrated on the session's live fills) lands near live, and
 * every what-if is printed beside that baseline, so the effect of a change has the right sign.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, inject, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "what-if-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const journal = join(dir, "journal.db");
copyFileSync(inject("sampleJournal"), journal);
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });

interface Baseline {
  run?: string;
  trades: number;
  netPnl: number;
  effect: number;
  fillModelError: number;
  fillModelErrorShare: number | null;
  liveFills: { fills: number; totalUsd: number; perFillUsd: number | null };
}
interface Summary {
  run: string;
  netPnl: number;
  live: { trades: number; netPnl: number };
  baseline: Baseline | null;
  sessions: { session: string; run: string; netPnl: number; baseline: Baseline | null }[];
}

function replay(out: string, ...args: string[]): Summary {
  const r = cli(["replay", "--journal", journal, "--out", join(dir, out), "--json", ...args]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Summary;
}

describe("the default fill model against live", () => {
  for (const session of ["2026-02-04", "2026-02-05"]) {
    it(`${session}: live's strategy through it ends within 10 % of the day's traded |P&L| of live, at most 1.50 USD per live fill`, () => {
      const s = replay(`baseline-${session}.db`, "--session", session, "--outcomes", "simulated");
      expect(s.baseline, "a simulated run of live's own strategy is its own baseline").not.toBeNull();
      expect(s.baseline!.run).toBe(s.run);
      expect(s.baseline!.fillModelError).toBe(Math.round((s.netPnl - s.live.netPnl) * 100) / 100);
      expect(
        s.baseline!.fillModelErrorShare!,
        `replay ${s.netPnl}, live ${s.live.netPnl}`,
      ).toBeLessThanOrEqual(0.1);
      expect(s.baseline!.liveFills.fills).toBeGreaterThan(10);
      expect(Math.abs(s.baseline!.liveFills.perFillUsd!)).toBeLessThanOrEqual(1.5);
    });
  }

  for (const session of ["2026-02-04", "2026-02-05"]) {
    it(`${session}: next-quote, the old default, stays a named choice and misses live by far more`, () => {
      const run = (model: string) =>
        replay(
          `${model}-${session}.db`,
          "--session",
          session,
          "--outcomes",
          "simulated",
          "--fill-model",
          model,
        ).baseline!;
      const chosen = run("decision-quote");
      const old = run("next-quote");
      // Priced at the next snapshot, five minutes on, live's own fills are missed by dollars each.
      expect(Math.abs(old.liveFills.perFillUsd!)).toBeGreaterThan(2);
      expect(Math.abs(old.liveFills.perFillUsd!)).toBeGreaterThan(3 * Math.abs(chosen.liveFills.perFillUsd!));
      expect(old.fillModelErrorShare!).toBeGreaterThan(2 * chosen.fillModelErrorShare!);
    });
  }
});

describe("every what-if beside its baseline", () => {
  it("prints live, the baseline and the what-if; the effect is what-if − baseline, and both runs are written", () => {
    const out = "stop-loss.db";
    const s = replay(out, "--session", "2026-02-05", "--param", "stopLossPct=0.10");
    const b = s.baseline!;
    expect(b.run).toBeDefined();
    expect(b.run).not.toBe(s.run);
    expect(b.effect).toBe(Math.round((s.netPnl - b.netPnl) * 100) / 100);
    expect(s.sessions[0]!.baseline).toEqual(b);
    // The baseline equals the run of live's own strategy through the same model.
    const own = replay("own.db", "--session", "2026-02-05", "--outcomes", "simulated");
    expect(b.netPnl).toBe(own.netPnl);
    const db = new Database(join(dir, out), { readonly: true });
    try {
      const streams = db.prepare("SELECT DISTINCT stream FROM events ORDER BY stream").all() as {
        stream: string;
      }[];
      expect(streams.map((r) => r.stream).sort()).toEqual([s.run, b.run].sort());
    } finally {
      db.close();
    }
    // The report finds the what-if's baseline run and draws the three equity curves.
    const html = join(dir, "stop-loss.html");
    const report = cli([
      "report",
      "--journal",
      journal,
      "--session",
      "2026-02-05",
      "--run",
      s.run,
      "--replay-journal",
      join(dir, out),
      "--out",
      html,
    ]);
    expect(report.status, report.stderr).toBe(0);
    const text = readFileSync(html, "utf8");
    for (const label of ["live", "baseline", "what-if"]) expect(text).toContain(`>${label}<`);
    const human = cli([
      "replay",
      "--journal",
      journal,
      "--out",
      join(dir, out),
      "--session",
      "2026-02-05",
      "--param",
      "stopLossPct=0.10",
    ]);
    // Live's own figures, from the journal through the same run's JSON (not the sample's numbers).
    expect(human.stdout).toMatch(
      new RegExp(
        `live \\(recorded\\)\\s+${s.live.trades}\\s+${s.live.netPnl.toFixed(2).replace(".", "\\.")}\\s`,
      ),
    );
    expect(human.stdout).toMatch(/baseline \(live's strategy, fill model\)/);
    expect(human.stdout).toMatch(/what-if\s+\d+/);
    expect(human.stdout).toContain("effect of the change (what-if − baseline)");
  });
});

describe("--from/--to", () => {
  it("the day's opening events are fed and only the window's cycles decide; live's decisions outside it are not counted missing", () => {
    const out = "window.db";
    const s = replay(out, "--session", "2026-02-04", "--from", "10:00", "--to", "12:00") as Summary & {
      decisions: number;
      parity: { equal: number; differ: number; missing: number };
    };
    expect(s.decisions).toBeGreaterThan(10);
    expect(s.decisions).toBeLessThan(152);
    expect(s.parity).toEqual({ equal: s.decisions, differ: 0, missing: 0 });
    const db = new Database(join(dir, out), { readonly: true });
    try {
      const [span] = db
        .prepare("SELECT min(ts) AS first, max(ts) AS last FROM events WHERE type = 'DecisionMade'")
        .all() as { first: number; last: number }[];
      // 10:00 and 12:00 New York on 2026-02-04 (EST, UTC−5), plus the cycle's own few seconds.
      expect(span!.first).toBeGreaterThanOrEqual(Date.UTC(2026, 1, 4, 15, 0));
      expect(span!.last).toBeLessThanOrEqual(Date.UTC(2026, 1, 4, 17, 0) + 60_000);
    } finally {
      db.close();
    }
  });

  it("a what-if in a window runs beside its baseline in the same window", () => {
    const s = replay(
      "window-what-if.db",
      "--session",
      "2026-02-04",
      "--from",
      "10:00",
      "--to",
      "12:00",
      "--param",
      "stopLossPct=0.3",
    );
    expect(s.baseline).not.toBeNull();
    expect(s.baseline!.effect).toBe(Math.round((s.netPnl - s.baseline!.netPnl) * 100) / 100);
  });
});
