/**
 * Rows into the events table with `COPY … FROM STDIN`: the bulk path `ship` takes (kysely has no
 * COPY; the statement runs on the same pooled connection inside the shipping transaction).
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { ChainRow } from "./pg-chain.js";

const COPY_EVENTS =
  "COPY events (bot, seq, id, stream, session, pos, type, version, ts, causation, correlation, payload, hash) FROM STDIN";

/** COPY's text format: backslash, tab, newline and carriage return escaped; NULL as \N. */
function field(value: string | null): string {
  if (value === null) return "\\N";
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) =>
        c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
      )
    : value;
}

/** Append `rows` of `bot` with one COPY on `client` (inside the caller's transaction). */
export async function copyRows(client: pg.PoolClient, bot: string, rows: readonly ChainRow[]): Promise<void> {
  if (rows.length === 0) return;
  const b = field(bot);
  const lines: string[] = [];
  for (const r of rows)
    lines.push(
      `${b}\t${r.seq}\t${field(r.id)}\t${field(r.stream)}\t${field(r.session)}\t${r.pos}\t${field(r.type)}\t${r.version}\t${r.ts}\t${field(r.causation)}\t${field(r.correlation)}\t${field(r.payload)}\t${field(r.hash)}\n`,
    );
  await pipeline(Readable.from([lines.join("")]), client.query(copyFrom(COPY_EVENTS)));
}
