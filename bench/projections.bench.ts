/**
 * `npm run bench:projections`: rebuilding every projection over ≥ 1,000,000 events, next to a
 * raw scan (SELECT + JSON.parse) of the same events in the same run.
 */
import Database from "better-sqlite3";
import { openJournal } from "../src/events/index.js";
import { rebuildProjections } from "../src/projections/index.js";
import { report } from "./harness.js";
import { largeJournal } from "./synthetic-journal.js";

const { path, sessions } = largeJournal("bench-1m", 1_000_000);
const raw = new Database(path, { readonly: true });
const total = (raw.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
console.log(
  `projections benchmark: ${total.toLocaleString("en-US")} events in ${sessions.length} sessions (${path})\n`,
);

let sink = 0;
let start = performance.now();
for (const row of raw.prepare("SELECT seq, payload FROM events ORDER BY seq").iterate() as Iterable<{
  seq: number;
  payload: string;
}>) {
  sink += row.seq + (JSON.parse(row.payload) === null ? 1 : 0);
}
const rawMs = performance.now() - start;
raw.close();

const journal = openJournal(path);
start = performance.now();
const { events } = rebuildProjections(journal);
const rebuildMs = performance.now() - start;
journal.close();

// The rate is over the whole journal (what a user waits for); the book reads the ${events} events that can change it.
const rebuild = {
  label: "journal rebuild (validated read + fold + tables)",
  count: total,
  ms: rebuildMs,
  perSecond: (total / rebuildMs) * 1000,
};
console.log(
  `rebuild folded ${events.toLocaleString("en-US")} book events (bars, chains and health cannot change the book and are skipped)`,
);
const scan = {
  label: "raw SELECT + JSON.parse of the same events",
  count: total,
  ms: rawMs,
  perSecond: (total / rawMs) * 1000,
};
report(rebuild, scan, 0);
console.log(
  `rebuild rate ${Math.round(rebuild.perSecond).toLocaleString("en-US")} events/s (target ≥ 100,000 events/s): ${rebuild.perSecond >= 100_000 ? "ok" : "BELOW TARGET"}`,
);
if (sink === -1) console.log("");
