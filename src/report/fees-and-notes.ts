/**
 * Two sections of the session report: the fees each run was charged against what the IBKR fee
 * model says they cost (projections/fee-reconciliation.ts), and the notes written about the
 * session, its trades and its orders (`journal note`, the `notes` stream).
 */
import { type Journal, NOTES_STREAM, type StoredEvent } from "../events/index.js";
import { type FeeSchedule, feeReconciliation, IBKR_PRO_TIERED } from "../projections/index.js";
import { esc, nyTime } from "./render-kit.js";

const usd = (v: number | null) => (v === null ? "—" : v.toFixed(2));

/** The fees section: per run its totals, then live's orders one by one. */
export function feesSection(
  runs: readonly { label: string; events: readonly StoredEvent[] }[],
  schedule: FeeSchedule = IBKR_PRO_TIERED,
): string {
  const rec = runs.map((r) => ({ label: r.label, fees: feeReconciliation(r.events, schedule) }));
  const totals = rec
    .map(
      ({ label, fees: { totals: t } }) =>
        `<tr><th>${esc(label)}</th><td>${t.orders}</td><td>${usd(t.chargedUsd)}</td><td>${usd(t.modelledUsd)}</td><td>${usd(t.differenceUsd)}</td><td>${t.unreported}</td></tr>`,
    )
    .join("");
  const first = rec[0]?.fees.orders ?? [];
  const orders = first.length
    ? `<table id="fee-orders"><tr><th>order</th><th>contract</th><th>side</th><th>qty</th><th>avg $</th><th>charged</th><th>modelled</th><th>of which IBKR</th><th>difference</th></tr>${first
        .map(
          (o) =>
            `<tr><td>${o.orderId}</td><td>${esc(o.contract)}</td><td>${o.side}</td><td>${o.contracts}</td><td>${o.avgPriceUsd}</td><td>${usd(o.chargedUsd)}</td><td>${usd(o.modelledUsd)}</td><td>${usd(o.modelledCommissionUsd)}</td><td>${usd(o.differenceUsd)}</td></tr>`,
        )
        .join("")}</table>`
    : "";
  return `<h2>Fees: charged against the ${esc(schedule.name)} model</h2>
<p class="muted">Modelled: IBKR's commission by premium band with its per-order minimum, plus ORF and OCC clearing on every contract and SEC and FINRA TAF on sales (${esc(schedule.source)}). Exchange fees vary by venue and are not modelled. Charged: the commissions the broker (or the fill model) reported.</p>
<table id="fees"><tr><th></th><th>filled orders</th><th>charged USD</th><th>modelled USD</th><th>charged − modelled</th><th>no commission reported</th></tr>${totals}</table>
${orders}`;
}

/** The notes section: every note about the session, oldest first, with what it is about and its tags. */
export function notesSection(journal: Journal, session: string): string {
  const notes = [...journal.read({ stream: NOTES_STREAM, session })].flatMap((e) =>
    e.type === "NoteAdded" ? [e] : [],
  );
  if (notes.length === 0)
    return `<h2>Notes</h2><p class="muted">None. Add one with <code>journal note --session ${esc(session)} [--trade N | --order ID] [--tag T] TEXT</code>.</p>`;
  const rows = notes
    .map((n) => {
      const p = n.payload;
      const about = p.trade
        ? `trade ${p.trade.number} (${p.trade.contractKey})`
        : p.order
          ? `order ${p.order.orderId ?? p.order.orderKey}`
          : "the session";
      return `<tr><td>${esc(nyTime(n.ts))}</td><td>${esc(p.stream)}</td><td>${esc(about)}</td><td>${esc(p.tags.join(", "))}</td><td>${esc(p.text)}</td></tr>`;
    })
    .join("");
  return `<h2>Notes</h2><table id="notes"><tr><th>written (New York)</th><th>run</th><th>about</th><th>tags</th><th>note</th></tr>${rows}</table>`;
}
