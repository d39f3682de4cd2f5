/**
 * What `replay` prints for several sessions: a table within 80 columns (short run ids; `--wide`
 * for every column and the full ids), progress counted as sessions finish with the right session,
 * and `--json` with one row per session plus totals that add up.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "replay-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const journal = join(dir, "journal.db");
copyFileSync(inject("sampleJournal"), journal);
const cli = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: dir,
    env: { ...process.env, COLUMNS: "80" },
  });
const both = (out: string, ...more: string[]) => [
  "replay",
  "--journal",
  journal,
  "--sessions",
  "2026-02-04..2026-02-05",
  "--out",
  join(dir, out),
  ...more,
];

interface Row {
  session: string;
  run: string;
  events: number;
  decisions: number;
  trades: number;
  netPnl: number;
  parity: { equal: number; differ: number; missing: number } | null;
}
let json: Row & { sessions: Row[] };
beforeAll(() => {
  const r = cli(both("json.db", "--json"));
  expect(r.status, r.stderr).toBe(0);
  json = JSON.parse(r.stdout);
}, 60_000);

describe("replay of several sessions", () => {
  it("--json has one row per session, and totals that are their sums", () => {
    expect(json.sessions.map((s) => s.session)).toEqual(["2026-02-04", "2026-02-05"]);
    for (const row of json.sessions) {
      expect(row.run).toMatch(/^replay-\w{26}$/);
      expect(row.parity).toEqual({ equal: row.decisions, differ: 0, missing: 0 });
    }
    const sum = (pick: (r: Row) => number) => json.sessions.reduce((n, r) => n + pick(r), 0);
    expect(json.events).toBe(sum((r) => r.events));
    expect(json.decisions).toBe(sum((r) => r.decisions));
    expect(json.trades).toBe(sum((r) => r.trades));
    expect(json.netPnl).toBeCloseTo(
      sum((r) => r.netPnl),
      2,
    );
  });

  it("prints a table within 80 columns with short run ids and a total row; progress names each session as it finishes", () => {
    const r = cli(both("table.db", "--workers", "2"));
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    // Every line but those naming the output file (whose path is the user's) fits 80 columns.
    for (const line of lines.filter((l) => !l.includes(dir)))
      expect(line.length, line).toBeLessThanOrEqual(80);
    const rows = lines.filter((l) => /^2026-02-0[45] /.test(l));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const [session, shortRun] = row.split(/\s+/);
      const full = json.sessions.find((s) => s.session === session)!.run;
      expect(full).toContain(shortRun);
      expect(shortRun!.length).toBeLessThan(10);
    }
    expect(lines.some((l) => /^total\s/.test(l))).toBe(true);
    // Not a terminal: one line per finished session, counted 1/2 then 2/2, each naming a session once.
    const progress = r.stderr.split("\n").filter((l) => l.startsWith("replayed "));
    expect(progress.map((l) => /\((\d)\/2 sessions done\)/.exec(l)?.[1])).toEqual(["1", "2"]);
    expect(progress.map((l) => l.split(" ")[1]).sort()).toEqual(["2026-02-04", "2026-02-05"]);
  });

  it("on a terminal, the bar counts sessions as they finish and names the last one, within 80 columns", () => {
    // `script` gives the command a terminal (util-linux, on every Debian).
    const command = [process.execPath, BIN, ...both("tty.db", "--workers", "1")]
      .map((a) => `'${a}'`)
      .join(" ");
    const r = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8", cwd: dir });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
    const frames = r.stdout.split(/\r|\x1b\[1G/).map((f) => f.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\d/g, ""));
    const bars = frames.filter((f) => f.startsWith("replay ["));
    expect(bars.map((b) => /\] (\d\/2) sessions done(?:, last finished: (\S+))?/.exec(b)?.slice(1))).toEqual([
      ["0/2", undefined],
      ["1/2", "2026-02-04"],
      ["2/2", "2026-02-05"],
    ]);
    for (const bar of bars) expect(bar.trimEnd().length, bar).toBeLessThanOrEqual(80);
  });

  it("--wide shows every column and the full run ids", () => {
    const r = cli(both("wide.db", "--wide"));
    expect(r.status, r.stderr).toBe(0);
    for (const row of json.sessions) expect(r.stdout).toContain(row.run);
    expect(r.stdout).toMatch(/live P&L/);
    expect(r.stdout).toMatch(/fees/);
  });
});
