/**
 * A user's mistakes through the built CLI: each gets one message that says what to do (the valid
 * parameters, choices or sessions), the right exit code, and never a stack trace.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { TrendVwapParams } from "../../src/strategy/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const REPLAY_BIN = join(ROOT, "dist", "src", "cli", "replay.js");
const dir = mkdtempSync(join(tmpdir(), "user-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const journal = join(dir, "journal.db");
copyFileSync(inject("sampleJournal"), journal);
const { JOURNAL_PATH: _ignored, ...env } = process.env;

function cli(args: string[], cwd = dir, bin = BIN) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd, env });
}
/** `cli`, without blocking: for running several processes at once. */
function cliAsync(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("close", (status) => done({ status, stderr }));
  });
}
/** A line of a JavaScript stack trace. */
const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(node:)/m;
const PARAMS = Object.keys(TrendVwapParams.shape);

describe("a strategy of the user's that throws", () => {
  it("is named with its session, its call and its own line (exit 1), never as our crash", () => {
    const failing = join(ROOT, "test", "support", "failing-strategy.ts");
    for (const workers of ["1", "2"]) {
      const r = cli([
        "replay",
        "--journal",
        journal,
        "--sessions",
        "2026-02-04,2026-02-05",
        "--strategy",
        failing,
        "--workers",
        workers,
        "--out",
        join(dir, `throws-${workers}.db`),
      ]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      expect(r.stderr).not.toMatch(/this is a bug/);
      expect(r.stderr).toMatch(
        /session 2026-02-05: strategy fails-on-day-two 1 threw in decide \(cycle 5, \w+\): .*\(at .*failing-strategy\.ts:\d+:\d+\)\) — fix the strategy/,
      );
      expect(existsSync(join(dir, `throws-${workers}.db`))).toBe(false);
    }
  });
});

describe("a strategy of the user's that hangs", () => {
  it("is stopped at the deadline live ran under, named with its session and cycle (exit 1), serially and in workers", () => {
    const hangingFile = join(ROOT, "test", "support", "hanging-strategy.ts");
    for (const workers of ["1", "2"]) {
      const started = Date.now();
      const r = cli([
        "replay",
        "--journal",
        journal,
        "--sessions",
        "2026-02-04,2026-02-05",
        "--strategy",
        hangingFile,
        "--workers",
        workers,
        "--out",
        join(dir, `hangs-${workers}.db`),
      ]);
      expect(r.status, r.stderr).toBe(1);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      expect(r.stderr).toMatch(/strategy hanging 1 hung in cycle 2 of 2026-02-0[45]: .*deadline of 3000 ms/);
      expect(existsSync(join(dir, `hangs-${workers}.db`))).toBe(false);
    }
  }, 90_000);
});

describe("a session recorded by a strategy this checkout does not have", () => {
  it("names it and asks for --strategy (exit 2), serially and in workers, and writes nothing", () => {
    // Two days whose SessionOpened names a strategy that is not here: replay reads ahead to learn it.
    const foreign = join(dir, "foreign.db");
    for (const day of ["2026-02-04", "2026-02-05"]) {
      const lines = readFileSync(join(ROOT, "data", "sample", `${day}.jsonl`), "utf8").split("\n");
      lines[0] = lines[0]!.replace('"name":"trend-vwap"', '"name":"mystery"');
      const file = join(dir, `foreign-${day}.jsonl`);
      writeFileSync(file, lines.join("\n"));
      expect(cli(["import", file, "--journal", foreign]).status).toBe(0);
    }
    for (const workers of ["1", "2"]) {
      const out = join(dir, `foreign-out-${workers}.db`);
      const r = cli([
        "replay",
        "--journal",
        foreign,
        "--sessions",
        "2026-02-04,2026-02-05",
        "--workers",
        workers,
        "--out",
        out,
      ]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      expect(r.stderr).toMatch(/strategy "mystery" is neither a shipped strategy \(trend-vwap\) nor a file/);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe("replay --param", () => {
  it("an unknown parameter names it and lists every parameter with its type and default (exit 2)", () => {
    const r = cli(["replay", "--journal", journal, "--session", "2026-02-04", "--param", "stopLoss=0.3"]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr).toMatch(/--param stopLoss: strategy trend-vwap has no such parameter/);
    for (const name of PARAMS) expect(r.stderr).toMatch(new RegExp(`\\n  ${name} +\\S.* default `));
    expect(r.stderr).toMatch(/stopLossPct +number > 0 +default 0\.15/);
    expect(r.stderr).toMatch(/noEntryAfter +string HH:MM +default "15:30"/);
  });

  it("a value of the wrong type says what was expected (exit 2), through the replay bin too", () => {
    const r = cli(
      ["--journal", journal, "--session", "2026-02-04", "--param", "stopLossPct=wide"],
      dir,
      REPLAY_BIN,
    );
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr).toMatch(/--param stopLossPct="wide": .*expected number/);
  });
});

describe("journal strategies", () => {
  it("lists each shipped strategy with every parameter, its type and default", () => {
    const r = cli(["strategies"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^trend-vwap \S+: /);
    for (const name of PARAMS) expect(r.stdout).toMatch(new RegExp(`\\n  ${name} +\\S.* default `));
    const json = JSON.parse(cli(["strategies", "--json"]).stdout) as {
      name: string;
      params: { name: string; type: string; default: unknown }[];
    }[];
    const trend = json.find((s) => s.name === "trend-vwap")!;
    expect(trend.params.map((p) => p.name)).toEqual(PARAMS);
    expect(trend.params.find((p) => p.name === "quantity")).toEqual({
      name: "quantity",
      type: "integer > 0 ≤ 10",
      default: 1,
    });
  });
});

describe("bad choices and missing things", () => {
  it("a bad --fill-model lists the choices (exit 2)", () => {
    const r = cli(["replay", "--journal", journal, "--session", "2026-02-04", "--fill-model", "best"]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr).toMatch(/Allowed choices are decision-quote, next-quote, mid/);
  });

  it("an unknown command suggests the nearest one (exit 2)", () => {
    const r = cli(["sesions"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'sesions'[\s\S]*Did you mean sessions\?/);
  });

  it("export of a missing session exits 1 naming the sessions there are", () => {
    const r = cli(["export", "--session", "2026-03-02", "--journal", journal]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr).toMatch(/no session 2026-03-02 .*sessions there: 2026-02-04, 2026-02-05/);
  });

  it("replay run from a folder without data/ creates its default output there", () => {
    const bare = join(dir, "bare");
    mkdirSync(bare);
    const r = cli(["replay", "--journal", journal, "--session", "2026-02-04", "--json"], bare);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(bare, "data", "replay.db"))).toBe(true);
  });

  it("replay into an --out whose folder does not exist names --out, not --journal (exit 2)", () => {
    const r = cli(["replay", "--journal", journal, "--session", "2026-02-04", "--out", "nowhere/x.db"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^--out nowhere\/x\.db: folder nowhere does not exist; create it/);
  });

  it("sql with a bad flag exits 2 at once: the child started early for the query does not hold the process", () => {
    for (const args of [
      ["sql", "select 1", "--bogus", "--journal", journal],
      ["sql", "--format", "x", "select 1", "--journal", journal],
      ["sql", "--journal", journal],
    ]) {
      const r = spawnSync(process.execPath, [BIN, ...args], {
        cwd: dir,
        env,
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(r.signal, `${args.join(" ")} was still running after 20 s`).toBeNull();
      expect(r.status, args.join(" ")).toBe(2);
    }
  });

  it("no mistake in this list prints a stack trace", async () => {
    // Each fails before any real work; they run side by side, as separate processes.
    const mistakes: string[][] = [
      ["replay", "--journal", journal],
      ["replay", "--journal", journal, "--session", "2026-02-04", "--strategy", "nope", "--param", "x=1"],
      ["replay", "--journal", journal, "--session", "2026-02-04", "--workers", "0"],
      ["replay", "--journal", journal, "--session", "2026-02-04", "--param", "=1"],
      ["replay", "--journal", join(dir, "missing.db"), "--session", "2026-02-04"],
      ["sessions", "--journal", join(dir, "no-such-folder", "j.db")],
      ["import", join(dir, "missing.jsonl"), "--journal", journal],
      ["verify", "--journal", dir],
      ["sql", "SELEC 1", "--journal", journal],
      ["--bogus"],
    ];
    const results = await Promise.all(mistakes.map((args) => cliAsync(args)));
    results.forEach((r, i) => {
      const args = mistakes[i]!.join(" ");
      expect(r.status, args).not.toBe(0);
      expect(r.stderr, args).not.toMatch(STACK_FRAME);
      expect(r.stderr.trim().length, args).toBeGreaterThan(10);
    });
  });
});
