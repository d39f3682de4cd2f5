/**
 * `journal report --sessions A..B`: a calendar of sessions whose daily figures are the session
 * fold's (the same as the projection tables), with the worst day named.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "calendar-"));
const journal = join(dir, "journal.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });

beforeAll(() => {
  copyFileSync(inject("sampleJournal"), journal);
  expect(cli(["rebuild", "--journal", journal]).status).toBe(0);
}, 60_000);

describe("journal report --sessions", () => {
  it("shows each day's P&L and trades as the projection tables hold them, and the worst day", () => {
    const out = join(dir, "calendar.html");
    const r = cli(["report", "--journal", journal, "--sessions", "2026-02-01..2026-02-28", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(out, "utf8");
    const data = JSON.parse(
      /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!,
    );
    const q = spawnSync(
      process.execPath,
      [
        BIN,
        "sql",
        "--journal",
        journal,
        "--format",
        "json",
        "SELECT session, net_pnl_usd, trades FROM proj_session_summary WHERE stream = 'live' ORDER BY session",
      ],
      { encoding: "utf8" },
    );
    const rows: { session: string; net_pnl_usd: number; trades: number }[] = JSON.parse(q.stdout);
    expect(rows.length).toBe(2);
    expect(
      data.days.map((d: { session: string; figures: { netPnlUsd: number; trades: number } }) => ({
        session: d.session,
        net_pnl_usd: d.figures.netPnlUsd,
        trades: d.figures.trades,
      })),
    ).toEqual(rows);
    const worst = rows.reduce((a, b) => (b.net_pnl_usd < a.net_pnl_usd ? b : a));
    expect(data.worst).toEqual({ session: worst.session, netPnlUsd: worst.net_pnl_usd });
    expect(r.stdout).toContain(`worst day ${worst.session}`);
    // One cell per session, in the week it belongs to (2026-02-04 is a Wednesday).
    expect(html.match(/<td class="(win|loss|flat)"/g)).toHaveLength(2);
    expect(html).toMatch(/<tr><th>2026-02-02<\/th><td><\/td><td><\/td><td class=/);
  });

  it("says what is wrong with a bad range, exiting 2", () => {
    const r = cli(["report", "--journal", journal, "--sessions", "2026-02-28..2026-02-01"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("A not after B");
    const none = cli(["report", "--journal", journal, "--sessions", "2025-01-01..2025-01-31"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("sessions there: 2026-02-04, 2026-02-05");
  });
});
