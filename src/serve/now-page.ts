/**
 * The now page's live part: the bot's session as it stands (last cycle and its freshness,
 * positions at their marks, working orders, P&L, health, the latest notices), rendered on the
 * server and pushed to the page whenever the journal grows (server-sent events, events-stream.ts).
 */
import { averageCostMicros, unrealizedMicros } from "../projections/index.js";
import { esc, nyStamp, nyTime } from "../report/index.js";
import type { LiveSessionState } from "./journal-view.js";
import { cardTable, usd } from "./page-kit.js";

/**
 * A bot that journaled nothing for this long is shown stale: two 300 s cycles and a margin
 * (alpha: cycles are never shorter than 300 s against a real gateway).
 */
export const STALE_AFTER_MS = 11 * 60_000;

const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;

/**
 * The fragment inside `#now`. `lastWriteMs` is when the journal file last changed (wall clock):
 * event times are the gateway's clock, which the simulator runs fast.
 */
export function renderNow(state: LiveSessionState | undefined, lastWriteMs: number, nowMs: number): string {
  if (!state)
    return `<p class="muted">No live session in this journal yet; this page fills in when the bot starts.</p>`;
  const age = nowMs - lastWriteMs;
  const stale = !state.closed && age > STALE_AFTER_MS;
  const opened = state.opened?.payload;
  const cycle = state.lastCycle;
  const f = state.figures;
  const header = `<h1>Session ${esc(state.session)}</h1>
<p class="muted">${opened ? `${esc(opened.mode)} · ${esc(opened.strategy.name)} ${esc(opened.strategy.version)} · ${esc(opened.symbols.join(", "))}` : "not opened yet"}</p>`;
  const tiles = [
    tile(
      "state",
      state.closed ? `closed (${esc(state.closed.payload.reason)})` : stale ? "stale" : "running",
      `last write <span data-age-ms="${Math.max(0, age)}">${esc(ago(age))}</span> ago`,
      state.closed ? "closed" : stale ? "stale" : "",
    ),
    tile(
      "last cycle",
      cycle ? `#${cycle.payload.cycle} ${esc(cycle.payload.status)}` : "—",
      cycle
        ? `${esc(nyTime(cycle.ts))} NY · ${Math.round(cycle.payload.durationMs)} ms · ${cycle.payload.requests} requests${cycle.payload.errors ? ` · ${cycle.payload.errors} errors` : ""}`
        : "no cycle completed yet",
    ),
    tile(
      "net P&L",
      usd(f.netPnlUsd),
      `closed ${usd(f.closedPnlUsd)} · open ${usd(f.openPnlUsd)} · fees ${esc(f.feesUsd.toFixed(2))}`,
    ),
    tile("trades", String(f.trades), `${f.wins} won · ${f.orders} orders · ${f.refusals} refused`),
    health(state),
  ].join("");
  const positions = cardTable(
    state.fold.openPositions,
    [
      { name: "contract", cell: (p) => esc(p.key.slice(p.stream.length + 1)) },
      { name: "qty", cell: (p) => esc(p.quantity), numeric: true },
      { name: "avg cost", cell: (p) => esc((averageCostMicros(p) / 1_000_000).toFixed(2)), numeric: true },
      {
        name: "mark",
        cell: (p) => (p.markMicros === null ? "—" : esc((p.markMicros / 1_000_000).toFixed(2))),
        numeric: true,
      },
      // Net of the fees its round trip paid so far, as the net P&L tile counts it.
      {
        name: "open P&L",
        cell: (p) => usd((unrealizedMicros(p) + p.realizedMicros - p.tradeStartRealizedMicros) / 1_000_000),
        numeric: true,
      },
    ],
    "Flat.",
  );
  const orders = cardTable(
    state.fold.workingOrders,
    [
      { name: "order", cell: (o) => esc(`${o.intent.side} ${o.intent.quantity} ${o.contractKey}`) },
      { name: "purpose", cell: (o) => esc(o.intent.purpose) },
      { name: "state", cell: (o) => esc(o.gatewayState ?? o.phase) },
      { name: "filled", cell: (o) => esc(o.filledQuantity), numeric: true },
    ],
    "No working orders.",
  );
  const notices = state.notices.length
    ? state.notices.map(notice).join("")
    : `<p class="muted">No notices this session.</p>`;
  return `${header}<div class="tiles" data-cycle="${cycle?.payload.cycle ?? ""}" data-seq="${state.lastSeq}">${tiles}</div>
<h2>Positions</h2>${positions}<h2>Working orders</h2>${orders}<h2>Latest notices</h2>${notices}`;
}

function tile(label: string, value: string, detail: string, tone = ""): string {
  return `<div class="tile ${tone}"><small>${esc(label)}</small><b>${value}</b><small>${detail}</small></div>`;
}

function health(state: LiveSessionState): string {
  const h = state.health?.payload;
  if (!h) return tile("health", "—", "no sample yet");
  return tile(
    "health",
    h.gatewayPortOpen ? "gateway port open" : "gateway port closed",
    `RSS ${mb(h.rssBytes)} · free ${mb(h.freeMemBytes)} · loop lag ${Math.round(h.loopLagMs)} ms`,
    h.gatewayPortOpen ? "" : "stale",
  );
}

function notice(e: LiveSessionState["notices"][number]): string {
  const at = esc(nyStamp(e.ts).slice(11));
  switch (e.type) {
    case "GatewayNotice":
      return `<div class="notice ${esc(e.payload.severity)}">${at} · ${esc(e.payload.code)} ${esc(e.payload.message)}</div>`;
    case "HealthWarning":
      return `<div class="notice warning">${at} · ${esc(e.payload.kind)}: ${esc(e.payload.detail)}</div>`;
    case "OrderRefused":
      return `<div class="notice warning">${at} · refused (${esc(e.payload.rule)}): ${esc(e.payload.detail)}</div>`;
    case "GatewayDisconnected":
      return `<div class="notice error">${at} · disconnected: ${esc(e.payload.reason)}</div>`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** "4 s", "3 min", "2 h": how long ago, for a person. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** The script of the now page (served as /now.js; the page loads no other). */
export const NOW_SCRIPT = `"use strict";
(() => {
  const box = document.getElementById("now");
  const status = document.getElementById("stream-state");
  const ago = (ms) => { const s = Math.max(0, Math.round(ms / 1000)); return s < 120 ? s + " s" : s < 7200 ? Math.round(s / 60) + " min" : Math.round(s / 3600) + " h"; };
  // The age the server measured at its push, plus the seconds this page has counted since.
  let counted = 0;
  const tick = () => { for (const el of box.querySelectorAll("[data-age-ms]")) el.textContent = ago(Number(el.dataset.ageMs) + counted * 1000); };
  const events = new EventSource("/events");
  events.addEventListener("now", (e) => { box.innerHTML = JSON.parse(e.data).html; counted = 0; tick(); status.textContent = "live"; });
  events.addEventListener("open", () => { status.textContent = "live"; });
  events.addEventListener("error", () => { status.textContent = "reconnecting…"; });
  setInterval(() => { counted++; tick(); }, 1000);
})();
`;
