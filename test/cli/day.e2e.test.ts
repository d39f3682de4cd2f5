/**
 * `journal day`, `journal trades --by` and the P&L by greek, through the built CLI on the bundled
 * sample with two replay runs written into it. Expected values come from the journal's own tables
 * and views, never from fixed sample figures.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "day-"));
const journal = join(dir, "journal.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });
const cli = (args: string[]) => {
  const r = run(args);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const sql = <T>(query: string): T[] =>
  JSON.parse(cli(["sql", "--journal", journal, "--format", "json", query]));
const cents = (usd: number) => Math.round(usd * 100);
const SESSION = "2026-02-05";

beforeAll(() => {
  copyFileSync(inject("sampleJournal"), journal);
  cli(["replay", "--journal", journal, "--session", SESSION, "--in-place"]);
  cli(["replay", "--journal", journal, "--session", SESSION, "--in-place", "--param", "stopLossPct=0.3"]);
  // The fixture journal was written without the projection tables v_trades reads: fold them.
  cli(["rebuild", "--journal", journal]);
}, 240_000);

interface TradeRow {
  stream: string;
  session: string;
  pnl_usd: number;
  fees_usd: number;
  delta_pnl_usd: number;
  gamma_pnl_usd: number;
  theta_pnl_usd: number;
  vega_pnl_usd: number;
  residual_pnl_usd: number;
}

describe("P&L by greek on the bundled sessions", () => {
  it("the five add up to the P&L before fees, to the cent, for every trade of every stream", () => {
    const rows = sql<TradeRow>("SELECT * FROM v_trades");
    expect(new Set(rows.map((r) => r.stream)).size).toBeGreaterThanOrEqual(3);
    for (const r of rows) {
      const parts = [r.delta_pnl_usd, r.gamma_pnl_usd, r.theta_pnl_usd, r.vega_pnl_usd, r.residual_pnl_usd];
      expect(
        parts.reduce((a, p) => a + cents(p), 0),
        JSON.stringify(r),
      ).toBe(cents(r.pnl_usd) + cents(r.fees_usd));
    }
    // The greeks explain something: the sample's options were quoted with their computations.
    expect(rows.some((r) => r.delta_pnl_usd !== 0 && r.theta_pnl_usd !== 0)).toBe(true);
  });

  it("journal trades --json splits each trade as v_trades does", () => {
    const fromCli = JSON.parse(cli(["trades", "--journal", journal, "--session", SESSION, "--json"])) as {
      pnlUsd: number;
      deltaPnlUsd: number;
      residualPnlUsd: number;
    }[];
    const fromSql = sql<TradeRow>(
      `SELECT * FROM v_trades WHERE stream = 'live' AND session = '${SESSION}' ORDER BY closed_seq`,
    );
    expect(fromCli.map((t) => [t.pnlUsd, t.deltaPnlUsd, t.residualPnlUsd])).toEqual(
      fromSql.map((r) => [r.pnl_usd, r.delta_pnl_usd, r.residual_pnl_usd]),
    );
  });
});

describe("the report", () => {
  it("shows the closed trades' P&L by greek, the totals of v_trades", () => {
    const out = join(dir, "report.html");
    cli(["report", "--journal", journal, "--session", SESSION, "--out", out]);
    const html = readFileSync(out, "utf8");
    const [g] = sql<Record<string, number>>(
      `SELECT round(sum(delta_pnl_usd), 2) AS d, round(sum(gamma_pnl_usd), 2) AS g, round(sum(residual_pnl_usd), 2) AS r FROM v_trades WHERE stream = 'live' AND session = '${SESSION}'`,
    );
    const row = /<th>closed trades before fees, by greek<\/th><td>([^<]*)<\/td>/.exec(html);
    expect(row).not.toBeNull();
    expect(row![1]).toContain(`delta ${g!.d!.toFixed(2)} USD, gamma ${g!.g!.toFixed(2)} USD`);
    expect(row![1]).toContain(`residual ${g!.r!.toFixed(2)} USD`);
  });
});

describe("journal day", () => {
  it("shows the day in 80 columns with the journal's own figures", () => {
    const out = cli(["day", "--journal", journal, "--session", SESSION]);
    const lines = out.trimEnd().split("\n");
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(80);
    const [s] = sql<{
      net_pnl_usd: number;
      gross_pnl_usd: number;
      fees_usd: number;
      trades: number;
      wins: number;
      max_drawdown_usd: number;
    }>(`SELECT * FROM proj_session_summary WHERE stream = 'live' AND session = '${SESSION}'`);
    const usd = (v: number) => v.toFixed(2);
    expect(out).toContain(
      `net ${usd(s!.net_pnl_usd)} USD = gross ${usd(s!.gross_pnl_usd)} - fees ${usd(s!.fees_usd)}`,
    );
    expect(out).toContain(`max drawdown ${usd(s!.max_drawdown_usd)}`);
    expect(out).toContain(`trades ${s!.trades}, won ${s!.wins}`);
    const [c] = sql<{ fees: number }>(
      `SELECT round(sum(commission_usd), 2) AS fees FROM v_fills WHERE stream = 'live' AND session = '${SESSION}'`,
    );
    expect(out).toMatch(
      new RegExp(`fees: ${usd(c!.fees).replace(".", "\\.")} USD charged, \\d+\\.\\d\\d modelled`),
    );
    const [g] = sql<Record<string, number>>(
      `SELECT round(sum(delta_pnl_usd), 2) AS d, round(sum(theta_pnl_usd), 2) AS t, round(sum(residual_pnl_usd), 2) AS r FROM v_trades WHERE stream = 'live' AND session = '${SESSION}'`,
    );
    expect(out).toContain(`delta ${usd(g!.d!)}`);
    expect(out).toContain(`theta ${usd(g!.t!)}`);
    expect(out).toContain(`residual ${usd(g!.r!)}`);
    for (const row of sql<{ symbol: string; n: number; net: number }>(
      `SELECT symbol, count(*) AS n, round(sum(pnl_usd), 2) AS net FROM v_trades WHERE stream = 'live' AND session = '${SESSION}' GROUP BY symbol`,
    ))
      expect(out).toMatch(new RegExp(`^${row.symbol} +${row.n} +\\d+ +${usd(row.net)}`, "m"));
    const stops = sql<{ n: number }>(
      `SELECT count(*) AS n FROM v_trades WHERE stream = 'live' AND session = '${SESSION}' AND exit_reason = 'stop-loss'`,
    )[0]!.n;
    expect(out).toContain(`stops: ${stops} hit, planned -15 %`);
    const [worst] = sql<{ contract_key: string; pnl_usd: number }>(
      `SELECT contract_key, pnl_usd FROM v_trades WHERE stream = 'live' AND session = '${SESSION}' ORDER BY pnl_usd LIMIT 1`,
    );
    expect(out).toMatch(new RegExp(`^worst: ${worst!.contract_key} .* ${usd(worst!.pnl_usd)}$`, "m"));
    // The day had a 1100 disconnect: the notice is named, and so is the cycle it skipped.
    expect(out).toMatch(/^ +1100 ×1 connectivity between IB and the gateway lost$/m);
    expect(out).toMatch(/skipped 1/);
    // The two runs, named by what they changed.
    expect(out).toMatch(/live's parameters, recorded \(parity\)/);
    expect(out).toMatch(/stopLossPct 0\.15→0\.3, simulated/);
  });

  it("--json carries the same figures, and the unwatched gaps a cycle's skip left", () => {
    const view = JSON.parse(cli(["day", "--journal", journal, "--session", SESSION, "--json"]));
    const [s] = sql<{ net_pnl_usd: number; trades: number }>(
      `SELECT net_pnl_usd, trades FROM proj_session_summary WHERE stream = 'live' AND session = '${SESSION}'`,
    );
    expect([view.netPnlUsd, view.trades]).toEqual([s!.net_pnl_usd, s!.trades]);
    // The IBKR model's figure for the same orders: at least its 1.00 minimum per filled order.
    const [o] = sql<{ orders: number }>(
      `SELECT count(DISTINCT json_extract(payload, '$.orderId')) AS orders FROM events WHERE type = 'OrderFilled' AND stream = 'live' AND session = '${SESSION}'`,
    );
    expect(o!.orders).toBeGreaterThan(0);
    expect(view.fees.modelledUsd).toBeGreaterThanOrEqual(o!.orders * 1.0);
    expect(view.fees.modelledUsd).toBeLessThan(o!.orders * 1.5);
    expect(view.cycleMs).toBeGreaterThanOrEqual(300_000);
    for (const u of view.unwatched) expect(u.toTs - u.fromTs).toBeGreaterThan(1.5 * view.cycleMs);
    expect(
      view.runs.map((r: { stream: string }) => r.stream).every((x: string) => x.startsWith("replay-")),
    ).toBe(true);
  });

  it("an impossible date or a session not in the journal is exit 1 naming the sessions there are", () => {
    for (const session of ["2026-02-31", "2026-03-02"]) {
      const r = run(["day", "--journal", journal, "--session", session]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(new RegExp(`no session ${session}.*sessions there: 2026-02-04, 2026-02-05`));
    }
    expect(run(["day", "--journal", journal, "--session", "2026-02-31"]).stderr).toMatch(
      /not a calendar date/,
    );
  });
});

describe("journal trades --by", () => {
  interface SliceRow {
    slice: string;
    trades: number;
    wins: number;
    expectancy_usd: number;
    net_pnl_usd: number;
    too_few: number;
  }
  it.each(["hour", "weekday", "symbol", "exit", "tag"])(
    "--by %s agrees with v_trade_slices, slice by slice",
    (by) => {
      const out = JSON.parse(cli(["trades", "--journal", journal, "--by", by, "--json"]));
      const rows = sql<SliceRow>(
        `SELECT * FROM v_trade_slices WHERE stream = 'live' AND dimension = '${by}' ORDER BY slice`,
      );
      const slices = [...out.slices].sort((a, b) => (a.slice < b.slice ? -1 : 1));
      expect(slices.map((s) => [s.slice, s.trades, s.wins, s.netPnlUsd, s.tooFew])).toEqual(
        rows.map((r) => [r.slice, r.trades, r.wins, r.net_pnl_usd, r.too_few === 1]),
      );
      for (const [i, s] of slices.entries())
        expect(Math.abs(s.expectancyUsd - rows[i]!.expectancy_usd)).toBeLessThan(0.011);
      const all = sql<{ n: number }>("SELECT count(*) AS n FROM v_trades WHERE stream = 'live'")[0]!.n;
      if (by !== "tag") expect(slices.reduce((a, s) => a + s.trades, 0)).toBe(all);
      else expect(slices).toEqual([expect.objectContaining({ slice: "(untagged)", trades: all })]);
    },
  );

  it("marks slices under 20 trades too few to judge, in 80 columns", () => {
    const out = cli(["trades", "--journal", journal, "--by", "symbol"]);
    for (const line of out.trimEnd().split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
    for (const r of sql<SliceRow>(
      "SELECT * FROM v_trade_slices WHERE stream = 'live' AND dimension = 'symbol'",
    )) {
      const line = out.split("\n").find((l) => l.startsWith(`${r.slice} `))!;
      expect(line.endsWith("too few to judge")).toBe(r.trades < 20);
    }
  });

  it("refuses a dimension it does not know, naming those it does", () => {
    const r = run(["trades", "--journal", journal, "--by", "moon"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--by moon: expected one of hour, weekday, symbol, exit, tag/);
  });
});
