/**
 * What a live session did, printed when `journal live` stops: cycles, orders, fills, what is still
 * open at the broker's side of the book, and the session's P&L — all from the book fold, the same
 * numbers `journal positions` and the SQL views show.
 */
import { LIVE_STREAM } from "../events/index.js";
import { type BookState, toUsd } from "../projections/index.js";

export interface LiveSummary {
  session: string;
  cycles: number;
  ordersSent: number;
  refused: number;
  fills: number;
  openPositions: { contractKey: string; quantity: number }[];
  workingOrders: { orderId: number | null; contractKey: string; side: string; quantity: number }[];
  netPnlUsd: number;
  /** The session closed because its New York day ended, not on a stop, an error or `cycles`. */
  dayEnded: boolean;
}

/** The summary of the live stream's `session` from the book. */
export function summarize(book: BookState, session: string, cycles: number): LiveSummary {
  const orders = [...(book.orders.get(`${LIVE_STREAM}|${session}`)?.byKey.values() ?? [])];
  const summary = book.summaries.get(`${LIVE_STREAM}|${session}`);
  return {
    session,
    cycles,
    ordersSent: orders.filter((o) => o.orderId !== null).length,
    refused: orders.filter((o) => o.phase === "refused").length,
    fills: summary?.fills ?? 0,
    openPositions: [...book.positions.byKey.values()]
      .filter((p) => p.stream === LIVE_STREAM && p.quantity !== 0)
      .map((p) => ({ contractKey: p.key.slice(LIVE_STREAM.length + 1), quantity: p.quantity })),
    workingOrders: orders
      .filter((o) => o.phase === "submitted" || o.phase === "partially-filled")
      .map((o) => ({
        orderId: o.orderId,
        contractKey: o.contractKey,
        side: o.intent.side,
        quantity: o.intent.quantity,
      })),
    netPnlUsd: summary ? toUsd(summary.netPnlMicros) : 0,
    dayEnded: false,
  };
}

/** The summary as a few lines for a person. */
export function formatSummary(s: LiveSummary, journalPath: string): string {
  const list = <T>(items: T[], show: (item: T) => string) =>
    items.length ? items.map(show).join(", ") : "none";
  return [
    `live session ${s.session} done: ${s.cycles} cycles journaled to ${journalPath}`,
    `  orders sent ${s.ordersSent}, refused ${s.refused}, fills ${s.fills}, session P&L ${s.netPnlUsd.toFixed(2)} USD`,
    `  open positions: ${list(s.openPositions, (p) => `${p.contractKey} ${p.quantity > 0 ? "+" : ""}${p.quantity}`)}`,
    `  working orders: ${list(s.workingOrders, (o) => `#${o.orderId} ${o.side} ${o.quantity} ${o.contractKey}`)}`,
    "",
  ].join("\n");
}
