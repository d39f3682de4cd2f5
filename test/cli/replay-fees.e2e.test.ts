/**
 * The fee table is configuration: config/ibkr-fees.yaml is the built-in IBKR Pro table, and
 * `replay --fees FILE` charges a what-if's fills by another one.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { loadFeeTable } from "../../src/cli/fee-table.js";
import { IBKR_PRO_TIERED, optionOrderFees } from "../../src/projections/index.js";
import { cli, ROOT } from "./support/run-cli.js";

const TABLE = join(ROOT, "config", "ibkr-fees.yaml");
const dir = mkdtempSync(join(tmpdir(), "replay-fees-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the fee table in the config", () => {
  it("config/ibkr-fees.yaml is the built-in IBKR Pro tiered table", () => {
    expect(loadFeeTable(TABLE)).toEqual(IBKR_PRO_TIERED);
  });

  it("replay --fees charges a simulated run's fills by the table given", () => {
    const journal = join(dir, "journal.db");
    copyFileSync(inject("sampleJournal"), journal);
    const custom = join(dir, "fees.yaml");
    writeFileSync(
      custom,
      readFileSync(TABLE, "utf8")
        .replace("name: ibkr-pro-tiered", "name: doubled-minimum")
        .replace("  minimumPerOrderUsd: 1.00\n  # Options", "  minimumPerOrderUsd: 2.00\n  # Options"),
    );
    const table = loadFeeTable(custom);
    expect(table.options.minimumPerOrderUsd).toBe(2);
    const out = join(dir, "runs.db");
    const args = ["replay", "--journal", journal, "--session", "2026-02-05", "--outcomes", "simulated"];
    const r = cli([...args, "--fees", custom, "--out", out, "--workers", "1"], dir);
    expect(r.status, r.stderr).toBe(0);
    const db = new Database(out, { readonly: true });
    try {
      const fills = db
        .prepare(
          "SELECT f.payload AS fill, c.payload AS commission FROM events f JOIN events c ON c.type = 'CommissionReported' AND c.stream = f.stream AND json_extract(c.payload, '$.execId') = json_extract(f.payload, '$.execId') WHERE f.type = 'OrderFilled' AND f.stream LIKE 'replay-%' AND f.stream IN (SELECT stream FROM events WHERE type = 'ReplayStarted' AND json_extract(payload, '$.fillModel.params.fees') = 'doubled-minimum')",
        )
        .all() as { fill: string; commission: string }[];
      expect(fills.length).toBeGreaterThan(0);
      for (const row of fills) {
        const f = JSON.parse(row.fill);
        const charged = JSON.parse(row.commission).commissionUsd as number;
        const want = optionOrderFees(table, {
          contracts: f.quantity,
          premiumUsd: f.priceUsd,
          side: f.side,
          multiplier: f.contract.multiplier,
        }).totalUsd;
        expect(charged).toBe(want);
        expect(charged).toBeGreaterThanOrEqual(2);
      }
    } finally {
      db.close();
    }
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "name: x\nsource: y\noptions: {}\n");
    const b = cli([...args, "--fees", bad, "--out", join(dir, "never.db")], dir);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--fees .*bad\.yaml: options\.tiers/);
    expect(existsSync(join(dir, "never.db")), "a bad table opens nothing").toBe(false);
  });
});
