/**
 * The CLI's rough edges, each through the built CLI as a user runs it: sessions the journal does
 * not hold, outputs that fit 80 columns, sql cut to the terminal and `--format line`, `--version`,
 * examples in the help, and replay's decision counts that agree with each other.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "edges-"));
const journal = join(dir, "journal.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: dir,
    env: { ...process.env, COLUMNS: "", ...env },
  });
const cli = (args: string[], env: Record<string, string> = {}) => {
  const r = run(args, env);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const widest = (text: string) =>
  Math.max(
    ...text
      .trimEnd()
      .split("\n")
      .map((l) => [...l].length),
  );
const THERE = "sessions there: 2026-02-04, 2026-02-05";
let replayText = "";

beforeAll(() => {
  copyFileSync(inject("sampleJournal"), journal);
  // A what-if with live's own strategy through the fill model: decisions differ from live.
  replayText = cli([
    "replay",
    "--journal",
    journal,
    "--session",
    "2026-02-05",
    "--in-place",
    "--outcomes",
    "simulated",
  ]);
  cli(["rebuild", "--journal", journal]);
}, 240_000);

describe("a session the journal does not hold", () => {
  it.each([
    ["orders", "2026-02-31"],
    ["orders", "2026-03-01"],
    ["positions", "2026-02-30"],
    ["trades", "2026-03-01"],
    ["export", "2026-02-31"],
  ])("%s --session %s is exit 1 naming the sessions there are", (command, session) => {
    const r = run([command, "--journal", journal, "--session", session]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`no session ${session}`);
    expect(r.stderr).toContain(THERE);
  });
});

describe("80 columns", () => {
  it("sessions shows each session's trades and net P&L, long run ids whole, within 80 columns", () => {
    const out = cli(["sessions", "--journal", journal]);
    expect(widest(out)).toBeLessThanOrEqual(80);
    const rows = JSON.parse(cli(["sessions", "--journal", journal, "--json"])) as {
      stream: string;
      session: string;
      trades: number;
      netPnlUsd: number;
    }[];
    const summary = JSON.parse(
      cli([
        "sql",
        "--journal",
        journal,
        "--format",
        "json",
        "SELECT stream, session, trades, net_pnl_usd FROM proj_session_summary",
      ]),
    ) as { stream: string; session: string; trades: number; net_pnl_usd: number }[];
    expect(rows.some((r) => r.stream.startsWith("replay-"))).toBe(true);
    for (const r of rows) {
      const s = summary.find((x) => x.stream === r.stream && x.session === r.session)!;
      expect([r.trades, r.netPnlUsd]).toEqual([s.trades, s.net_pnl_usd]);
      expect(out).toMatch(
        new RegExp(`^${r.stream} +${r.session} .* ${r.trades} +${r.netPnlUsd.toFixed(2)}$`, "m"),
      );
    }
  });

  it("orders fits 80 columns, one block per session", () => {
    const out = cli(["orders", "--journal", journal]);
    expect(widest(out)).toBeLessThanOrEqual(80);
    expect(out).toMatch(/^2026-02-04$/m);
    expect(out).toMatch(/^2026-02-05$/m);
    const n = JSON.parse(cli(["orders", "--journal", journal, "--json"])).length;
    expect(out.split("\n").filter((l) => /^\d\d:\d\d {2}/.test(l))).toHaveLength(n);
  });
});

describe("journal sql and the terminal", () => {
  const query = "SELECT * FROM v_trades WHERE stream = 'live' LIMIT 3";
  it("cuts a table to the terminal's width, and a table too wide for any cut is shown row by row", () => {
    const wide = cli(["sql", "--journal", journal, query]);
    expect(widest(wide)).toBeGreaterThan(120);
    const cut = cli(
      [
        "sql",
        "--journal",
        journal,
        "SELECT session, contract_key, exit_reason, pnl_usd, entry_utc, exit_utc FROM v_trades LIMIT 3",
      ],
      { COLUMNS: "60" },
    );
    expect(widest(cut)).toBeLessThanOrEqual(60);
    expect(cut).toContain("…");
    const rows = cli(["sql", "--journal", journal, query], { COLUMNS: "80" });
    expect(widest(rows)).toBeLessThanOrEqual(80);
    expect(rows).toMatch(/^ +contract_key = \S+/m);
  });

  it("--format line writes every column of every row as 'name = value', rows apart", () => {
    const out = cli(["sql", "--journal", journal, "--format", "line", query]);
    const json = JSON.parse(cli(["sql", "--journal", journal, "--format", "json", query])) as Record<
      string,
      unknown
    >[];
    const blocks = out.trimEnd().split("\n\n");
    expect(blocks).toHaveLength(json.length);
    for (const [i, block] of blocks.entries())
      for (const [name, value] of Object.entries(json[i]!))
        expect(block).toMatch(
          new RegExp(
            `^ *${name} = ${value === null ? "" : String(value).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`,
            "m",
          ),
        );
  });
});

describe("--version and examples", () => {
  it("--version prints the package version and exits 0", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(cli(["--version"]).trim()).toMatch(new RegExp(`^${version.replaceAll(".", "\\.")}(\\+\\w+)?$`));
  });

  it.each([[[]], [["day"]], [["trades"]], [["sql"]], [["sessions"]]])(
    "%j --help shows examples",
    (command) => {
      const out = cli([...command, "--help"]);
      expect(out).toMatch(/\nExamples:\n {2}\$ journal /);
    },
  );
});

describe("replay's decision counts", () => {
  it("the heading, the why and the table count the decisions that differ alike", () => {
    const heading =
      /: (\d+) decision\(s\) differ from live byte for byte;\n {2}(\d+) of them acted differently/.exec(
        replayText,
      );
    const why = /- (\d+) decisions? differ from live's byte for byte/.exec(replayText);
    const table = /(\d+)\/(\d+)\/(\d+)/.exec(replayText);
    expect(heading, replayText).not.toBeNull();
    expect(why, replayText).not.toBeNull();
    expect(Number(heading![1])).toBe(Number(why![1]));
    expect(Number(heading![1])).toBe(Number(table![2]) + Number(table![3]));
    expect(Number(heading![2])).toBeLessThanOrEqual(Number(heading![1]));
  });
});
