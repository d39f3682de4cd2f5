/**
 * One P&L truth: for every session of the sample and every replay run of it, the replay summary
 * (`--json`), the HTML report's data block, the projection tables and the SQL views report the
 * same figures. Expectations come from the runs themselves, never from fixed sample numbers.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionFigures } from "../../src/projections/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "truth-"));
const journal = join(dir, "journal.db");
const replayDb = join(dir, "replay.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const sql = <T>(db: string, query: string): T[] =>
  JSON.parse(cli(["sql", "--journal", db, "--format", "json", query]));

interface Row {
  session: string;
  run: string;
  figures: { live: SessionFigures; replay: SessionFigures };
}
interface ReportRun {
  stream: string;
  figures: SessionFigures;
  trades: { pnlUsd: number; contract: string }[];
}
const SESSIONS = ["2026-02-04", "2026-02-05"];
let rows: Row[] = [];
const reports = new Map<string, ReportRun[]>();

beforeAll(() => {
  copyFileSync(inject("sampleJournal"), journal);
  const out = JSON.parse(
    cli([
      "replay",
      "--journal",
      journal,
      "--sessions",
      `${SESSIONS[0]}..${SESSIONS[1]}`,
      "--out",
      replayDb,
      "--json",
    ]),
  );
  rows = out.sessions;
  for (const row of rows) {
    const html = join(dir, `${row.session}.html`);
    cli([
      "report",
      "--journal",
      journal,
      "--session",
      row.session,
      "--run",
      row.run,
      "--replay-journal",
      replayDb,
      "--out",
      html,
    ]);
    const block = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(
      readFileSync(html, "utf8"),
    );
    reports.set(row.session, JSON.parse(block![1]!).runs);
  }
  // The projection tables of both journals, folded from zero over every stream and session.
  cli(["rebuild", "--journal", journal]);
  cli(["rebuild", "--journal", replayDb]);
}, 240_000);

describe("one P&L truth", () => {
  it("covers both sample sessions, live and replay", () => {
    expect(rows.map((r) => r.session)).toEqual(SESSIONS);
    for (const row of rows) expect(row.figures.live.decisions).toBeGreaterThan(0);
  });

  it("the report's data block holds the figures the replay summary prints, for live and the run", () => {
    for (const row of rows) {
      const [live, replay] = reports.get(row.session)!;
      expect(live!.figures).toEqual(row.figures.live);
      expect(replay!.stream).toBe(row.run);
      expect(replay!.figures).toEqual(row.figures.replay);
      expect(replay!.trades).toHaveLength(row.figures.replay.trades);
    }
  });

  it("the SQL tables and v_trades agree, each session counting only its own P&L", () => {
    for (const row of rows) {
      for (const [db, stream, f] of [
        [journal, "live", row.figures.live],
        [replayDb, row.run, row.figures.replay],
      ] as const) {
        const [s] = sql<Record<string, number>>(
          db,
          `SELECT trades, wins, fees_usd, gross_pnl_usd, net_pnl_usd, max_drawdown_usd, orders_refused, fills
           FROM proj_session_summary WHERE stream = '${stream}' AND session = '${row.session}'`,
        );
        expect(s, `${stream} ${row.session}`).toBeDefined();
        expect([s!.trades, s!.wins, s!.fills, s!.orders_refused]).toEqual([
          f.trades,
          f.wins,
          f.fills,
          f.refusals,
        ]);
        expect(s!.fees_usd).toBe(f.feesUsd);
        const [t] = sql<{ n: number; pnl: number | null }>(
          db,
          `SELECT count(*) AS n, round(sum(pnl_usd), 2) AS pnl FROM v_trades WHERE stream = '${stream}' AND session = '${row.session}'`,
        );
        expect(t!.n).toBe(f.trades);
        expect(t!.pnl ?? 0).toBe(f.closedPnlUsd);
        // A replay run journals the live quotes it is marked at, so its table folds what the
        // summary and the report fold: open positions and intra-trade dips included.
        expect([s!.net_pnl_usd, s!.gross_pnl_usd, s!.max_drawdown_usd], `${stream} ${row.session}`).toEqual([
          f.netPnlUsd,
          f.grossPnlUsd,
          f.maxDrawdownUsd,
        ]);
      }
    }
  });

  it("the fill model's error on live's fills is docs/sql.md query 12's, per session", () => {
    const docs = readFileSync(join(ROOT, "docs", "sql.md"), "utf8");
    const query = /### 12\. [^\n]+\n\n```sql\n([\s\S]*?)```/.exec(docs)![1]!;
    const inSqlRows = sql<{ session: string; session_error_usd: number }>(journal, query);
    for (const row of rows) {
      const inSql = inSqlRows.find((r) => r.session === row.session)?.session_error_usd ?? null;
      expect(row.figures.live.fillModelErrorUsd, row.session).toBe(inSql);
    }
    // The sample's live fills are real: the model has something to be wrong about.
    expect(inSqlRows.length).toBeGreaterThan(0);
  });

  it("net P&L is the closed trades plus what is open at the end, and drawdown is at least the worst fall", () => {
    for (const row of rows) {
      for (const f of [row.figures.live, row.figures.replay]) {
        expect(Math.round((f.closedPnlUsd + f.openPnlUsd) * 100) / 100).toBe(f.netPnlUsd);
        if (f.openPositions === 0) expect(f.openPnlUsd).toBe(0);
        expect(f.maxDrawdownUsd).toBeGreaterThanOrEqual(Math.max(0, -f.netPnlUsd));
      }
    }
  });
});
