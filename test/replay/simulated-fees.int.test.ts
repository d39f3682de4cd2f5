/**
 * Simulated outcomes are charged what IBKR would charge: every fill of a what-if run carries the
 * fee model's figure for its order (commission by premium band, minimum, ORF, OCC, and on sales
 * SEC and FINRA TAF), and the session's modelled fees reconcile against live's reported ones.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importJsonLines, openJournal, type StoredEvent } from "../../src/events/index.js";
import { feeReconciliation, IBKR_PRO_TIERED, optionOrderFees } from "../../src/projections/index.js";
import { runReplay } from "../../src/replay/index.js";
import { replayOptions } from "../support/replay-options.js";

const ROOT = join(import.meta.dirname, "..", "..");
const SESSION = "2026-02-05";
const dir = mkdtempSync(join(tmpdir(), "sim-fees-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const source = join(dir, "source.db");
const out = join(dir, "runs.db");
let run: StoredEvent[] = [];
let live: StoredEvent[] = [];

beforeAll(async () => {
  const j = openJournal(source);
  importJsonLines(j, readFileSync(join(ROOT, "data", "sample", `${SESSION}.jsonl`), "utf8"), "sample");
  live = [...j.read({ stream: "live", session: SESSION })];
  j.close();
  const [result] = await runReplay(
    replayOptions({
      journal: source,
      out,
      sessions: [SESSION],
      outcomes: "simulated",
      fillModel: "decision-quote",
    }),
  );
  const runs = openJournal(out, { readonly: true });
  run = [...runs.read({ stream: result!.run, session: SESSION })];
  runs.close();
}, 120_000);

describe("simulated outcomes charge the IBKR fee model", () => {
  it("charges each simulated fill the model's fees for its order", () => {
    const fills = run.filter((e) => e.type === "OrderFilled");
    expect(fills.length).toBeGreaterThan(0);
    const charged = new Map(
      run.flatMap((e) =>
        e.type === "CommissionReported" ? [[e.payload.execId, e.payload.commissionUsd] as const] : [],
      ),
    );
    for (const f of fills) {
      if (f.type !== "OrderFilled" || f.payload.contract.secType !== "OPT") continue;
      const expected = optionOrderFees(IBKR_PRO_TIERED, {
        contracts: f.payload.quantity,
        premiumUsd: f.payload.priceUsd,
        side: f.payload.side,
        multiplier: f.payload.contract.multiplier,
      });
      expect(charged.get(f.payload.execId)).toBe(expected.totalUsd);
      // A one-lot is under the minimum: the minimum plus the pass-through fees, more on a sale.
      expect(expected.totalUsd).toBeGreaterThan(IBKR_PRO_TIERED.options.minimumPerOrderUsd);
    }
  });

  it("reconciles the run to zero difference, and live's charges against the same model", () => {
    const sim = feeReconciliation(run, IBKR_PRO_TIERED);
    expect(sim.totals.orders).toBe(run.filter((e) => e.type === "OrderFilled").length);
    expect(sim.totals.unreported).toBe(0);
    expect(sim.totals.differenceUsd).toBe(0);
    const real = feeReconciliation(live, IBKR_PRO_TIERED);
    const reported = live.reduce(
      (s, e) => s + (e.type === "CommissionReported" ? e.payload.commissionUsd : 0),
      0,
    );
    expect(real.totals.chargedUsd).toBeCloseTo(reported, 6);
    expect(real.totals.differenceUsd).toBeCloseTo(real.totals.chargedUsd - real.totals.modelledUsd, 6);
    for (const row of real.orders)
      if (row.chargedUsd !== null) expect(row.differenceUsd).toBeCloseTo(row.chargedUsd - row.modelledUsd, 6);
  });
});
