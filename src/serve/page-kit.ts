/**
 * The pages' shared frame: the document around a page's body, its navigation, and tables that
 * become one card per row on a phone (each cell labelled with its column).
 */
import { esc } from "../report/index.js";

/** A table's column: its heading and how a row shows in it (already-escaped HTML). */
export interface Column<Row> {
  name: string;
  cell: (row: Row) => string;
  /** Right-aligned figures. */
  numeric?: boolean;
}

/** Rows as a table on a wide screen, as cards on a phone; `empty` when there are none. */
export function cardTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  empty = "None.",
): string {
  if (rows.length === 0) return `<p class="muted">${esc(empty)}</p>`;
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ""}>${esc(c.name)}</th>`).join("");
  const body = rows
    .map(
      (row) =>
        `<tr>${columns.map((c) => `<td data-label="${esc(c.name)}"${c.numeric ? ' class="num"' : ""}>${c.cell(row)}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<table class="cards"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Dollars with cents and a sign class (green up, red down). */
export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const tone = value > 0 ? "up" : value < 0 ? "down" : "flat";
  return `<span class="${tone}">${esc(value.toFixed(2))}</span>`;
}

const NAV = [
  ["/", "now"],
  ["/sessions", "sessions"],
  ["/trades", "trades"],
  ["/sql", "SQL"],
] as const;

/** A whole page: the head (viewport, the stylesheet), the navigation, then `body`. */
export function page(title: string, active: string, body: string, scripts: readonly string[] = []): string {
  const nav = NAV.map(
    ([href, name]) => `<a href="${href}"${name === active ? ' aria-current="page"' : ""}>${esc(name)}</a>`,
  ).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="stylesheet" href="/app.css"></head>
<body><nav>${nav}</nav><main>${body}</main>${scripts.map((s) => `<script src="${esc(s)}" defer></script>`).join("")}</body></html>
`;
}

/** The stylesheet (served as /app.css): phone first, a readable column on a desktop. */
export const APP_CSS = `*{box-sizing:border-box}
body{font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d1d1f;background:#fafafa;overflow-wrap:anywhere}
nav{display:flex;gap:4px;padding:8px 12px;background:#1d1d1f;position:sticky;top:0;z-index:1}
nav a{color:#ddd;text-decoration:none;padding:6px 10px;border-radius:6px}nav a[aria-current]{background:#444;color:#fff}
main{padding:8px 12px 32px;max-width:1100px;margin:0 auto}
h1{font-size:20px;margin:12px 0 4px}h2{font-size:17px;margin:20px 0 6px;border-bottom:1px solid #ddd}
.muted{color:#666}.up{color:#137333}.down{color:#b3261e}.flat{color:#555}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px}
.tile{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:8px 10px}
.tile b{display:block;font-size:20px;font-variant-numeric:tabular-nums}.tile small{color:#666}
.stale{background:#fff4e5;border-color:#f5a623}.closed{background:#eef}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:4px 8px;border-bottom:1px solid #eee;text-align:left;font-variant-numeric:tabular-nums;vertical-align:top}
.num{text-align:right}
textarea{width:100%;min-height:6em;font:14px ui-monospace,monospace}
button{font:inherit;padding:6px 14px}
pre{white-space:pre-wrap}
.notice{border-left:3px solid #999;padding:2px 8px;margin:4px 0;background:#fff}
.notice.error{border-color:#b3261e}.notice.warning{border-color:#f5a623}
@media (max-width:720px){
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards thead{display:none}
table.cards tr{border:1px solid #e3e3e3;border-radius:8px;margin:8px 0;padding:4px 10px;background:#fff}
table.cards td{display:flex;justify-content:space-between;gap:12px;border-bottom:1px solid #f3f3f3;padding:3px 0;text-align:right}
table.cards td::before{content:attr(data-label);color:#666;text-align:left}
}`;
