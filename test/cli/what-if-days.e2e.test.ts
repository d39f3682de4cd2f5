/**
 * The what-if's baseline is near live on days nobody picked for it, not only on the two bundled
 * ones: three more days are recorded here as the samples are (the live code path against the
 * simulator, on virtual time; one with the alpha's faults), and on each, live's own strategy
 * through the default fill model must land within 10 % of the day's traded |P&L| of live and
 * within 1.50 USD per live fill, while next-quote prices live's own fills dollars away.
 * scripts/what-if-accuracy.ts measures the same over any number of days.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALPHA_FAULTS, recordSession } from "../../scripts/record-session.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "what-if-days-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const journal = join(dir, "journal.db");

// Of twelve days measured with what-if-accuracy.ts, the three the default model missed by most.
const DAYS = [
  { session: "2026-01-07", scenario: ALPHA_FAULTS },
  { session: "2026-01-08" },
  { session: "2026-01-20" },
];

beforeAll(async () => {
  for (const day of DAYS) await recordSession(journal, day);
}, 240_000);

interface Baseline {
  fillModelErrorShare: number | null;
  liveFills: { fills: number; perFillUsd: number | null };
}
function baseline(session: string, model: string): Baseline {
  const out = join(dir, `${session}-${model}.db`);
  const args = ["replay", "--journal", journal, "--out", out, "--json", "--session", session];
  const r = spawnSync(process.execPath, [BIN, ...args, "--outcomes", "simulated", "--fill-model", model], {
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { baseline: Baseline }).baseline;
}

describe("the default fill model on days recorded for the test", () => {
  for (const { session } of DAYS)
    it(`${session}: within 10 % of the day's traded |P&L| of live and 1.50 USD per live fill; next-quote far off`, () => {
      const chosen = baseline(session, "decision-quote");
      expect(chosen.liveFills.fills).toBeGreaterThan(10);
      expect(chosen.fillModelErrorShare!).toBeLessThanOrEqual(0.1);
      expect(Math.abs(chosen.liveFills.perFillUsd!)).toBeLessThanOrEqual(1.5);
      const old = baseline(session, "next-quote");
      expect(Math.abs(old.liveFills.perFillUsd!)).toBeGreaterThan(Math.abs(chosen.liveFills.perFillUsd!));
    });
});
