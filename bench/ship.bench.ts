/**
 * `npm run bench:ship`: `journal ship` (batched, chain verified, a transaction per batch) against a
 * raw `COPY … FROM STDIN` of the same rows, read from the same SQLite file, into the same table
 * (the journal's schema, indexes and triggers), in the same run. Each side gets a fresh database
 * per run; runs alternate; medians and spread are printed. Then one day's replay from the fleet
 * journal against the same replay from the SQLite file.
 *
 * Uses TEST_PG_URL when set, else starts a throwaway cluster with scripts/pg-test-cluster.sh.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { type ChainRow, openJournal, openShipTarget, shipJournal } from "../src/events/index.js";
import { runReplay } from "../src/replay/index.js";
import { largeJournal } from "./synthetic-journal.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MIN_EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const TARGET = 0.5;

function cluster(): { url: string; stop(): void } {
  if (process.env.TEST_PG_URL) return { url: process.env.TEST_PG_URL, stop: () => undefined };
  const script = join(import.meta.dirname, "..", "..", "scripts", "pg-test-cluster.sh");
  const out = execFileSync("bash", [script, "start"], { encoding: "utf8" });
  const url = /TEST_PG_URL=(\S+)/.exec(out)?.[1];
  const dir = /TEST_PG_DIR=(\S+)/.exec(out)?.[1];
  if (!url || !dir) throw new Error(`pg-test-cluster.sh printed no URL:\n${out}`);
  return { url, stop: () => execFileSync("bash", [script, "stop", dir]) };
}

async function admin(base: string, statement: string): Promise<void> {
  const url = new URL(base);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(statement);
  await client.end();
}

/** A fresh database with the journal's schema (migrated by opening it as a ship target). */
async function freshJournalDb(base: string, name: string): Promise<string> {
  await admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const target = await openShipTarget(url.toString(), "bench");
  await target.close();
  return url.toString();
}

const copyField = (value: string | number | null) =>
  value === null
    ? "\\N"
    : String(value).replace(/[\\\t\n\r]/g, (c) =>
        c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
      );

const SELECT_PAGE =
  "SELECT seq, id, stream, session, pos, type, version, ts, causation, correlation, payload, hash FROM events WHERE seq > ? ORDER BY seq LIMIT ?";

/** The baseline: the same rows, paged out of the same file, streamed into COPY; no checks at all. */
async function rawCopy(url: string, sourcePath: string): Promise<number> {
  const source = openJournal(sourcePath, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let count = 0;
  async function* lines() {
    let after = 0;
    for (;;) {
      const rows = source.sql.all<ChainRow>(SELECT_PAGE, [after, 5000]);
      if (rows.length === 0) return;
      let chunk = "";
      for (const r of rows)
        chunk += `bench\t${r.seq}\t${copyField(r.id)}\t${copyField(r.stream)}\t${copyField(r.session)}\t${r.pos}\t${copyField(r.type)}\t${r.version}\t${r.ts}\t${copyField(r.causation)}\t${copyField(r.correlation)}\t${copyField(r.payload)}\t${r.hash}\n`;
      count += rows.length;
      after = rows[rows.length - 1]!.seq;
      yield chunk;
    }
  }
  try {
    await pipeline(
      Readable.from(lines()),
      client.query(
        copyFrom(
          "COPY events (bot, seq, id, stream, session, pos, type, version, ts, causation, correlation, payload, hash) FROM STDIN",
        ),
      ),
    );
  } finally {
    await client.end();
    source.close();
  }
  return count;
}

async function ship(url: string, sourcePath: string): Promise<number> {
  const source = openJournal(sourcePath, { readonly: true });
  const target = await openShipTarget(url, "bench");
  try {
    return (await shipJournal(source, target, { batchSize: 5000 })).shipped;
  } finally {
    await target.close();
    source.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const { path, sessions } = largeJournal(`ship-bench-${MIN_EVENTS}`, MIN_EVENTS);
const { url: base, stop } = cluster();
try {
  const ours: number[] = [];
  const copy: number[] = [];
  let events = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const side of run % 2 ? (["copy", "ship"] as const) : (["ship", "copy"] as const)) {
      const url = await freshJournalDb(base, `bench_${side}`);
      const start = performance.now();
      events = side === "ship" ? await ship(url, path) : await rawCopy(url, path);
      const perSecond = (events / (performance.now() - start)) * 1000;
      (side === "ship" ? ours : copy).push(perSecond);
      await admin(base, `DROP DATABASE bench_${side} WITH (FORCE)`);
    }
  }
  const spread = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  const ratio = median(ours) / median(copy);
  console.log(`ship vs raw COPY: ${fmt(events)} events from ${path}, ${RUNS} runs each, alternating`);
  console.log(
    `${"journal ship (batch 5000, chain verified)".padEnd(44)} ${fmt(median(ours)).padStart(10)} events/s median (${spread(ours)})`,
  );
  console.log(
    `${"raw COPY FROM STDIN (no checks)".padEnd(44)} ${fmt(median(copy)).padStart(10)} events/s median (${spread(copy)})`,
  );
  console.log(
    `${"  ratio of medians".padEnd(44)} ${(ratio * 100).toFixed(0)} % (target ≥ ${TARGET * 100} %) ${ratio >= TARGET ? "ok" : "BELOW TARGET"}`,
  );

  // A day's replay from the fleet journal vs from the file (the whole source shipped once).
  const fleet = await freshJournalDb(base, "bench_replay");
  await ship(fleet, path);
  const dir = mkdtempSync(join(tmpdir(), "bench-ship-replay-"));
  const fromFile: number[] = [];
  const fromFleet: number[] = [];
  let dayEvents = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const side of run % 2 ? (["fleet", "file"] as const) : (["file", "fleet"] as const)) {
      const start = performance.now();
      const [result] = await runReplay({
        journal: side === "file" ? path : fleet,
        ...(side === "fleet" ? { bot: "bench" } : {}),
        out: join(dir, `${side}-${run}.db`),
        inPlace: false,
        sessions: [sessions[0]!],
        stream: "live",
        strategy: "trend-vwap",
        paramOverrides: {},
        fillModel: "next-quote",
        codeVersion: "bench",
        force: true,
        workers: 1,
      });
      dayEvents = result!.events;
      (side === "file" ? fromFile : fromFleet).push(performance.now() - start);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  await admin(base, "DROP DATABASE bench_replay WITH (FORCE)");
  const ms = (xs: number[]) =>
    `${median(xs).toFixed(0)} ms median (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  console.log(`\nreplay of one day (${sessions[0]}, ${fmt(dayEvents)} events), ${RUNS} runs each`);
  console.log(`${"from SQLite".padEnd(44)} ${ms(fromFile)}`);
  console.log(`${"from PostgreSQL (--bot)".padEnd(44)} ${ms(fromFleet)}`);
  console.log(
    `${"  PostgreSQL / SQLite time".padEnd(44)} ${(median(fromFleet) / median(fromFile)).toFixed(2)}×`,
  );
} finally {
  stop();
}
