/**
 * Output helpers shared by the commands: aligned tables for people, JSON for machines. The boxed
 * table is drawn here rather than by cli-table3, whose load alone cost `journal sessions` and
 * `journal sql` a quarter of a bare node start; test/cli/format.test.ts checks the output is
 * cli-table3's, character for character.
 */
import { newYorkParts, printable } from "../events/index.js";

// Cells come from the journal (strings any producer wrote, an import line's ids): control
// characters are escaped so a cell cannot move the cursor or retitle the terminal. A table cell
// keeps its newlines (it spans lines); a column of renderColumns is one line.
const cellText = (cell: unknown) =>
  cell === null || cell === undefined ? "" : printable(String(cell), "\n");
const widthOf = (text: string) => [...text].length;

/**
 * An aligned text table with box borders and a rule between rows (cli-table3's default look), no
 * colours so it pipes cleanly. A cell may hold several lines.
 */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly unknown[])[],
  maxWidth?: number,
): string {
  const columns = Math.max(head.length, ...rows.map((row) => row.length));
  let grid = [...(head.length > 0 ? [head] : []), ...rows].map((row) =>
    Array.from({ length: columns }, (_, i) => cellText(row[i]).split("\n")),
  );
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(0, ...grid.map((row) => Math.max(...row[i]!.map(widthOf)))),
  );
  if (maxWidth !== undefined && fitWidths(widths, maxWidth)) {
    // Cut what no longer fits its column, marked with …
    grid = grid.map((row) =>
      row.map((cell, i) =>
        cell.map((part) =>
          widthOf(part) > widths[i]! ? `${[...part].slice(0, widths[i]! - 1).join("")}…` : part,
        ),
      ),
    );
  }
  const rule = (left: string, mid: string, right: string) =>
    `${left}${widths.map((w) => "─".repeat(w + 2)).join(mid)}${right}`;
  const lines = [rule("┌", "┬", "┐")];
  grid.forEach((row, r) => {
    if (r > 0) lines.push(rule("├", "┼", "┤"));
    const height = Math.max(...row.map((cell) => cell.length));
    for (let l = 0; l < height; l++) {
      const text = row.map((cell, i) => {
        const part = cell[l] ?? "";
        return ` ${part}${" ".repeat(widths[i]! - widthOf(part))} `;
      });
      lines.push(`│${text.join("│")}│`);
    }
  });
  lines.push(rule("└", "┴", "┘"));
  return lines.join("\n");
}

/** The narrowest a column is cut to when a table must fit a width. */
const MIN_COLUMN = 6;

/** The width a boxed table with these column widths takes: │ + (space, cell, space, │) per column. */
export const boxedWidth = (widths: readonly number[]) => 1 + widths.reduce((a, w) => a + w + 3, 0);

/**
 * Narrow the widest columns (in place, never below MIN_COLUMN) until the boxed table fits `max`.
 * Returns whether any column was narrowed. It may still not fit: too many columns for the width.
 */
function fitWidths(widths: number[], max: number): boolean {
  let narrowed = false;
  while (boxedWidth(widths) > max) {
    let widest = -1;
    for (const [i, w] of widths.entries())
      if (w > MIN_COLUMN && (widest < 0 || w > widths[widest]!)) widest = i;
    if (widest < 0) break;
    widths[widest]! -= 1;
    narrowed = true;
  }
  return narrowed;
}

/** The widths a boxed table of these rows would take, uncut (to decide whether it can fit). */
export function tableWidths(head: readonly string[], rows: readonly (readonly unknown[])[]): number[] {
  const columns = Math.max(head.length, ...rows.map((row) => row.length));
  return Array.from({ length: columns }, (_, i) =>
    Math.max(0, ...[head, ...rows].map((row) => Math.max(...cellText(row[i]).split("\n").map(widthOf)))),
  );
}

/** Whether a boxed table of `columns` columns can be cut to fit `max` at all. */
export function tableCanFit(columns: number, max: number): boolean {
  return boxedWidth(Array(columns).fill(MIN_COLUMN)) <= max;
}

/**
 * One row as `column = value` lines, names right-aligned (sqlite3's `.mode line`): for rows too
 * wide for any table. Control characters are escaped as in the table.
 */
export function renderLine(head: readonly string[], row: readonly unknown[]): string {
  const width = Math.max(0, ...head.map(widthOf));
  return head
    .map((name, i) => `${" ".repeat(width - widthOf(name))}${printable(name, "")} = ${cellText(row[i])}`)
    .join("\n");
}

/**
 * An integer with thousands separators, `grouped(10000) → "10,000"`. Not `toLocaleString`: its
 * first call starts ICU's number formatting, ~20 ms that every command paid at start-up because
 * one option's help text held a number.
 */
export function grouped(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
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

/** Options of `renderColumns`. */
export interface ColumnsOptions {
  /** Columns from this index on are right-aligned (numbers). Default: none. */
  rightFrom?: number;
  /** Draw a rule above the last row (a totals row). */
  ruleBeforeLast?: boolean;
  /** Cut the widest columns with `…` so no line is longer than this. */
  maxWidth?: number;
}

/**
 * A borderless table (columns two spaces apart, a rule under the header): narrower than
 * `renderTable`, for summaries that must fit an 80-column terminal.
 */
export function renderColumns(
  head: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: ColumnsOptions = {},
): string {
  const text = (cell: unknown) => (cell === null || cell === undefined ? "" : printable(String(cell), ""));
  const cells = rows.map((row) => head.map((_, i) => text(row[i])));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const last = head.length - 1;
  if (options.maxWidth !== undefined) {
    // Narrow the widest column (never below its header) one character at a time until it fits.
    let total = widths.reduce((sum, w) => sum + w, 0) + 2 * last;
    while (total > options.maxWidth) {
      let widest = -1;
      for (const [i, w] of widths.entries())
        if (w > head[i]!.length && (widest < 0 || w > widths[widest]!)) widest = i;
      if (widest < 0) break;
      widths[widest]! -= 1;
      total -= 1;
    }
  }
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => {
        const width = widths[i]!;
        const fitted = cell.length > width ? `${cell.slice(0, width - 1)}…` : cell;
        if (i === last && (options.rightFrom === undefined || i < options.rightFrom)) return fitted;
        return options.rightFrom !== undefined && i >= options.rightFrom
          ? fitted.padStart(width)
          : fitted.padEnd(width);
      })
      .join("  ");
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  const body = cells.map(line);
  if (options.ruleBeforeLast && body.length > 1) body.splice(body.length - 1, 0, rule);
  return [line(head), rule, ...body].join("\n");
}
