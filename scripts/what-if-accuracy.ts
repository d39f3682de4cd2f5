/**
 * How far the what-if's baseline lands from live, over many recorded sessions instead of the two
 * bundled ones: records N trading days on virtual time (every third with the alpha's faults), then
 * replays each with `--outcomes simulated` through each fill model and prints, per day and over
 * the days, the baseline's miss of live as a share of the day's traded |P&L| and per live fill.
 *
 *   npm run build && npx tsx scripts/what-if-accuracy.ts [days=12] [first=2026-01-05]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { tradingDaysFrom } from "../src/sim/index.js";
import { ALPHA_FAULTS, recordSession } from "./record-session.js";

const days = Number(process.argv[2] ?? 12);
const sessions = tradingDaysFrom(process.argv[3] ?? "2026-01-05", days);
const MODELS = ["decision-quote", "next-quote"];
const dir = `.tmp/what-if-accuracy-${process.pid}`;
mkdirSync(dir, { recursive: true });
const journal = `${dir}/journal.db`;

for (const [i, session] of sessions.entries()) {
  const faults = i % 3 === 2;
  await recordSession(journal, { session, ...(faults ? { scenario: ALPHA_FAULTS } : {}) });
  process.stderr.write(`recorded ${session}${faults ? " (faults)" : ""}\n`);
}

interface Baseline {
  netPnl: number;
  fillModelErrorShare: number | null;
  liveFills: { fills: number; perFillUsd: number | null };
}
const rows: { session: string; model: string; live: number; baseline: number; share: number; perFill: number; fills: number }[] = [];
for (const session of sessions)
  for (const model of MODELS) {
    const out = `${dir}/replay-${session}-${model}.db`;
    const args = ["replay", "--journal", journal, "--out", out, "--json", "--session", session];
    const r = spawnSync(process.execPath, ["dist/src/cli/journal.js", ...args, "--outcomes", "simulated", "--fill-model", model], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`replay of ${session} failed: ${r.stderr}`);
    const s = JSON.parse(r.stdout) as { live: { netPnl: number }; baseline: Baseline };
    rows.push({
      session,
      model,
      live: s.live.netPnl,
      baseline: s.baseline.netPnl,
      share: s.baseline.fillModelErrorShare ?? 0,
      perFill: s.baseline.liveFills.perFillUsd ?? 0,
      fills: s.baseline.liveFills.fills,
    });
  }

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
console.log("session     model           live      baseline   miss/|P&L|  per fill  fills");
for (const r of rows)
  console.log(
    `${r.session}  ${r.model.padEnd(14)} ${r.live.toFixed(2).padStart(9)} ${r.baseline.toFixed(2).padStart(10)}  ${pct(r.share).padStart(9)}  ${r.perFill.toFixed(2).padStart(8)}  ${String(r.fills).padStart(5)}`,
  );
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
for (const model of MODELS) {
  const mine = rows.filter((r) => r.model === model);
  const shares = mine.map((r) => r.share);
  const perFill = mine.map((r) => Math.abs(r.perFill));
  console.log(
    `${model}: miss/|P&L| median ${pct(quantile(shares, 0.5))}, p90 ${pct(quantile(shares, 0.9))}, max ${pct(Math.max(...shares))}; |per fill| median ${quantile(perFill, 0.5).toFixed(2)}, max ${Math.max(...perFill).toFixed(2)} USD over ${mine.length} sessions`,
  );
}
rmSync(dir, { recursive: true, force: true });
