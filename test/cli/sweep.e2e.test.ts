/**
 * `replay --sweep` as a user runs it: the grid and the seeded sample, ranked, the baseline on top,
 * one summary event per set and full runs for the kept sets only; walk-forward over six recorded
 * days; and every bad grid a usage error (exit 2) that lists the strategy's parameters.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadCatalogue } from "../../src/events/index.js";
import { severalDays } from "../support/shifted-sessions.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "sweep-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sample = inject("sampleJournal");
const six = join(dir, "six.db");
let days: string[] = [];
beforeAll(async () => {
  await loadCatalogue();
  days = severalDays(six);
});

const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });

interface Figures {
  netPnl: number;
  trades: number;
  maxDrawdown: number;
  winRate: number | null;
  sharpe: number | null;
}
interface SweepJson {
  stream: string;
  drawn: string;
  baseline: (Figures & { runs: string[]; sessions: { session: string; netPnl: number }[] }) | null;
  live: Figures;
  sets: (Figures & {
    rank: number;
    index: number;
    params: Record<string, unknown>;
    effect: number;
    runs: string[];
    sessions: { session: string; netPnl: number }[];
  })[];
  folds?: {
    fold: number;
    train: string[];
    test: string[];
    chosen: { index: number };
    inSample: Figures;
    outOfSample: Figures;
    baselineTest: Figures;
    gapPerSession: number;
    effectOutOfSample: number;
  }[];
}

function sweep(journal: string, out: string, ...args: string[]): SweepJson {
  const r = cli(["replay", "--journal", journal, "--out", join(dir, out), "--json", ...args]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as SweepJson;
}
const both = ["--sessions", "2026-02-04..2026-02-05"];
function outEvents(out: string) {
  const db = new Database(join(dir, out), { readonly: true });
  try {
    return db.prepare("SELECT stream, session, type, payload FROM events ORDER BY seq").all() as {
      stream: string;
      session: string;
      type: string;
      payload: string;
    }[];
  } finally {
    db.close();
  }
}
const cents = (x: number) => Math.round(x * 100);

describe("replay --sweep", () => {
  it("runs the grid, ranks it, puts the baseline on top, and writes one summary per set and full runs for --keep", () => {
    const s = sweep(
      sample,
      "grid.db",
      ...both,
      "--sweep",
      "stopLossPct=0.1,0.2",
      "--sweep",
      "profitTargetPct=0.2:0.3:0.1",
      "--keep",
      "2",
    );
    expect(
      s.sets.map((x) => x.params).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual([
      { stopLossPct: 0.1, profitTargetPct: 0.2 },
      { stopLossPct: 0.1, profitTargetPct: 0.3 },
      { stopLossPct: 0.2, profitTargetPct: 0.2 },
      { stopLossPct: 0.2, profitTargetPct: 0.3 },
    ]);
    expect(s.sets.map((x) => x.rank)).toEqual([1, 2, 3, 4]);
    const pnl = s.sets.map((x) => x.netPnl);
    expect([...pnl].sort((a, b) => b - a)).toEqual(pnl);
    for (const set of s.sets) {
      expect(cents(set.netPnl)).toBe(set.sessions.reduce((n, x) => n + cents(x.netPnl), 0));
      expect(cents(set.effect)).toBe(cents(set.netPnl) - cents(s.baseline!.netPnl));
    }
    expect(s.sets.map((x) => x.runs.length)).toEqual([2, 2, 0, 0]);

    const events = outEvents("grid.db");
    const summaries = events.filter((e) => e.type === "SweepSetSummarized");
    expect(summaries).toHaveLength(s.sets.length + 1);
    expect(new Set(summaries.map((e) => e.stream))).toEqual(new Set([s.stream]));
    const first = JSON.parse(summaries[0]!.payload) as { baseline: boolean; rank: number };
    expect(first).toMatchObject({ baseline: true, rank: 0 });
    // Full runs: the two kept sets and the baseline, on both sessions; nothing of the others.
    const runs = new Set(events.filter((e) => e.type === "ReplayStarted").map((e) => e.stream));
    expect(runs).toEqual(new Set([...s.sets[0]!.runs, ...s.sets[1]!.runs, ...s.baseline!.runs]));
    expect(runs.size).toBe(6);

    const human = cli([
      "replay",
      "--journal",
      sample,
      "--out",
      join(dir, "grid-human.db"),
      ...both,
      "--sweep",
      "stopLossPct=0.1,0.2",
    ]);
    expect(human.status, human.stderr).toBe(0);
    const lines = human.stdout.split("\n");
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(at("live ")).toBeGreaterThan(0);
    expect(at("base ")).toBe(at("live ") + 1);
    expect(at("1 ")).toBe(at("base ") + 1);
    // Progress counted sets × sessions (stderr is not a terminal here: a line per tenth).
    expect(human.stderr).toContain("4/4 set × session runs done");
  });

  it("--rank orders by the metric asked for (drawdown: smallest first)", () => {
    const s = sweep(
      sample,
      "rank.db",
      ...both,
      "--sweep",
      "stopLossPct=0.08,0.12,0.2,0.3",
      "--rank",
      "maxDrawdown",
    );
    const dd = s.sets.map((x) => x.maxDrawdown);
    expect([...dd].sort((a, b) => a - b)).toEqual(dd);
  });

  it("--sample N --seed S draws N distinct grid points, the same ones for the same seed", () => {
    const args = [
      "--session",
      "2026-02-04",
      "--sweep",
      "fastEma=3:8:1",
      "--sweep",
      "stopLossPct=0.1:0.3:0.05",
    ];
    const a = sweep(sample, "sample-a.db", ...args, "--sample", "3", "--seed", "7");
    const again = sweep(sample, "sample-b.db", ...args, "--sample", "3", "--seed", "7");
    const other = sweep(sample, "sample-c.db", ...args, "--sample", "3", "--seed", "8");
    const params = (s: SweepJson) => s.sets.map((x) => JSON.stringify(x.params)).sort();
    expect(a.sets).toHaveLength(3);
    expect(new Set(params(a)).size).toBe(3);
    expect(params(again)).toEqual(params(a));
    expect(params(other)).not.toEqual(params(a));
    for (const set of [...a.sets, ...other.sets]) {
      expect([3, 4, 5, 6, 7, 8]).toContain(set.params.fastEma);
      expect([0.1, 0.15, 0.2, 0.25, 0.3]).toContain(set.params.stopLossPct);
    }
    expect(a.drawn).toContain("3 drawn from 30 (--seed 7)");
  });
});

describe("walk-forward over six recorded days", () => {
  it("--folds 2 chooses the best set on each fold's training days and reports it on its test days beside the baseline", () => {
    expect(days).toHaveLength(6);
    const s = sweep(
      six,
      "folds.db",
      "--sessions",
      `${days[0]}..${days[5]}`,
      "--sweep",
      "stopLossPct=0.1,0.2,0.3",
      "--folds",
      "2",
    );
    expect(s.folds).toHaveLength(2);
    const onDays = (sessions: { session: string; netPnl: number }[], chosen: string[]) =>
      sessions.filter((x) => chosen.includes(x.session)).reduce((n, x) => n + cents(x.netPnl), 0);
    for (const fold of s.folds!) {
      expect(fold.train.every((d) => d < fold.test[0]!)).toBe(true);
      const trained = s.sets.map((set) => ({ index: set.index, pnl: onDays(set.sessions, fold.train) }));
      const best = Math.max(...trained.map((t) => t.pnl));
      const chosen = s.sets.find((x) => x.index === fold.chosen.index)!;
      expect(onDays(chosen.sessions, fold.train)).toBe(best);
      expect(cents(fold.inSample.netPnl)).toBe(best);
      expect(cents(fold.outOfSample.netPnl)).toBe(onDays(chosen.sessions, fold.test));
      expect(cents(fold.baselineTest.netPnl)).toBe(onDays(s.baseline!.sessions, fold.test));
      expect(fold.effectOutOfSample).toBeCloseTo(fold.outOfSample.netPnl - fold.baselineTest.netPnl, 2);
      expect(fold.gapPerSession).toBeCloseTo(
        fold.outOfSample.netPnl / fold.test.length - fold.inSample.netPnl / fold.train.length,
        2,
      );
    }
    const summaries = outEvents("folds.db").filter((e) => e.type === "SweepSetSummarized");
    const folds = summaries.map(
      (e) => JSON.parse(e.payload) as { baseline: boolean; folds?: { chosen: boolean }[] },
    );
    expect(folds.filter((f) => !f.baseline).every((f) => f.folds?.length === 2)).toBe(true);
  });

  it("--train/--test is one fold; sessions the two share are refused", () => {
    const s = sweep(
      six,
      "tt.db",
      "--train",
      `${days[0]}..${days[2]}`,
      "--test",
      `${days[3]}..${days[5]}`,
      "--sweep",
      "stopLossPct=0.1,0.2",
    );
    expect(s.folds).toHaveLength(1);
    expect(s.folds![0]!.train).toEqual(days.slice(0, 3));
    expect(s.folds![0]!.test).toEqual(days.slice(3));
    const overlap = cli([
      "replay",
      "--journal",
      six,
      "--out",
      join(dir, "x.db"),
      "--train",
      `${days[0]}..${days[3]}`,
      "--test",
      `${days[3]}..${days[5]}`,
      "--sweep",
      "stopLossPct=0.1",
    ]);
    expect(overlap.status).toBe(2);
    expect(overlap.stderr).toContain("share");
  });
});

describe("bad grids are usage errors that list the strategy's parameters", () => {
  const cases: [string, string[]][] = [
    ["an unknown key", ["--sweep", "stopLoss=0.1,0.2"]],
    ["a value of the wrong type", ["--sweep", "stopLossPct=tight,loose"]],
    ["an empty grid", ["--sweep", "stopLossPct="]],
    ["over 10,000 sets without --yes", ["--sweep", "fastEma=2:200:1", "--sweep", "slowEma=3:102:1"]],
  ];
  for (const [what, args] of cases)
    it(what, () => {
      const r = cli([
        "replay",
        "--journal",
        sample,
        "--out",
        join(dir, "bad.db"),
        "--session",
        "2026-02-04",
        ...args,
      ]);
      expect(r.status, r.stderr).toBe(2);
      for (const name of ["stopLossPct", "profitTargetPct", "fastEma", "maxHoldMinutes"])
        expect(r.stderr).toContain(name);
    });
});
