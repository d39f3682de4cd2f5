/**
 * `npm run bench:read`: what a verified replay's read costs, step by step, and what the engine
 * costs on top of it, each as a multiple of the raw ordered scan + JSON.parse measured in the same
 * interleaved rounds (the baseline of `bench:replay`'s per-core target). The steps add up to the
 * read a replay cannot skip: every row of each session through the session index, SHA-256 of each
 * row against its predecessor (the hash chain), JSON.parse of each payload, and the events built.
 * The engine is timed on the sessions already in memory: no read, no write.
 */
import Database from "better-sqlite3";
// The read's own payload step (trusted below the verified point), not on the events door: a bench-only import.
import { trustedPayload } from "../src/events/catalogue/index.js";
import { columnsHash, type EventColumns, openJournal, type StoredEvent } from "../src/events/index.js";
import { nextQuoteFillModel, replaySession } from "../src/replay/index.js";
import { trendVwap } from "../src/strategy/index.js";
import { largeJournal } from "./synthetic-journal.js";

const size = Number(process.env.BENCH_READ_EVENTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const { path, sessions } = largeJournal(size === 1_000_000 ? "bench-1m" : `bench-${size}`, size);
{
  // As `journal verify` leaves it: rows under the verified point skip their schema check.
  const journal = openJournal(path);
  if (!journal.verifySince().ok) throw new Error(`${path} fails verify: delete .tmp/ to rebuild it`);
  journal.close();
}

const db = new Database(path, { readonly: true });
const total = (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
const scan = db.prepare("SELECT seq, payload FROM events ORDER BY seq").raw(true);
const bySession = db
  .prepare("SELECT * FROM events INDEXED BY events_session_stream WHERE session = ? ORDER BY seq")
  .raw(true);
type Row = EventColumns;
let sink = 0;
const rows = (each: (c: Row) => void) => {
  for (const session of sessions) for (const c of bySession.iterate(session) as Iterable<Row>) each(c);
};

const VERIFIED = "the verified read as replay does it";
const steps: [string, () => void][] = [
  [
    "raw ordered scan + JSON.parse (the baseline)",
    () => {
      for (const r of scan.iterate() as Iterable<[number, string]>)
        sink += r[0] + (JSON.parse(r[1]) === null ? 1 : 0);
    },
  ],
  [
    "raw ordered scan, no parse",
    () => {
      for (const r of scan.iterate() as Iterable<[number, string]>) sink += r[0];
    },
  ],
  ["each session's rows, all columns, by the session index", () => rows((c) => (sink += c[0]))],
  ["  … and SHA-256 of each row", () => rows((c) => (sink += columnsHash(c[11], c).length))],
  [
    "  … and JSON.parse of each payload",
    () => rows((c) => (sink += columnsHash(c[11], c).length + (JSON.parse(c[10]) === null ? 1 : 0))),
  ],
  [
    "  … and each event built as the read builds it",
    () =>
      rows((c) => {
        sink += columnsHash(c[11], c).length;
        const body = trustedPayload(c[5], c[6], JSON.parse(c[10]), "bench");
        const event = {
          seq: c[0],
          id: c[1],
          stream: c[2],
          session: c[3],
          pos: c[4],
          type: c[5],
          version: body.version,
          ts: c[7],
          causation: c[8],
          correlation: c[9],
          payload: body.payload,
          hash: c[11],
        };
        sink += event.pos;
      }),
  ],
  [
    VERIFIED,
    () => {
      const journal = openJournal(path, { readonly: true });
      for (const session of sessions) {
        const stream = journal.streamVerifiedSession(session, { stream: "live" });
        for (const _ of stream.events) sink += 1;
        if (!stream.report().ok) throw new Error(`${path} fails verify in ${session}`);
      }
      journal.close();
    },
  ],
];

// The engine alone: every session read once, then replayed from memory (recorded outcomes, as
// `bench:replay`'s runs are), its output built but not written.
const days: StoredEvent[][] = (() => {
  const journal = openJournal(path, { readonly: true });
  const out = sessions.map((session) => [...journal.read({ session, stream: "live" })]);
  journal.close();
  return out;
})();
const fillModel = nextQuoteFillModel();
steps.push([
  "the engine alone, sessions in memory (no read, no write)",
  () => {
    sessions.forEach((session, i) => {
      const run = replaySession({
        session,
        sourceJournal: path,
        sourceStream: "live",
        events: days[i]!,
        strategy: trendVwap,
        paramOverrides: {},
        fillModel,
        codeVersion: "bench",
      });
      sink += run.output.length;
    });
  },
]);

const times = steps.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round++)
  steps.forEach(([, run], i) => {
    const start = performance.now();
    run();
    times[i]!.push(performance.now() - start);
  });
db.close();

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(times[0]!);
console.log(
  `read cost: ${total.toLocaleString("en-US")} events in ${sessions.length} sessions, ${ROUNDS} interleaved rounds; median ms, × the baseline's median\n`,
);
const line = (label: string, ms: number, note = "") =>
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms  ${(ms / base).toFixed(2)}×${note}`);
steps.forEach(([label], i) => {
  line(label, median(times[i]!));
  // What the steps leave out of the real read: its position and index cross-checks, the stream
  // filter, its generators. Printed, not hidden, so the steps add up to the read.
  if (label === VERIFIED)
    line(
      "  (less the step above: positions, indexes, generators)",
      median(times[i]!) - median(times[i - 1]!),
    );
});
const verified = median(times[steps.findIndex(([label]) => label === VERIFIED)]!);
console.log(
  `\nbench:replay's per-core target (#25: one worker at ≥ 50 % of the verified read) allows the engine and the run's write ${(verified / base).toFixed(2)}× together: the verified read's own time again.`,
);
if (sink === -1) console.log("");
