/**
 * Output helpers shared by the commands: aligned tables for people, JSON for machines.
 */
import Table from "cli-table3";
import { newYorkParts } from "../events/index.js";

/** An aligned text table (cli-table3), no colours so it pipes cleanly. */
export function renderTable(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows)
    table.push(row.map((cell) => (cell === null || cell === undefined ? "" : String(cell))));
  return table.toString();
}

/** `2026-02-04 09:35:00` in New York time, the way traders read a session. */
export function newYorkTime(ms: number): string {
  const p = newYorkParts(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.date} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** `6h 25m`, `4m 10s`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
