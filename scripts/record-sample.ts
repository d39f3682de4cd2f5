/**
 * Records the bundled sample sessions (see record-session.ts), exported as JSON lines into
 * data/sample/ (or the folder given).
 *
 *   npx tsx scripts/record-sample.ts [folder]
 *
 * The bot and the simulator share one VirtualTime, so time passes only when the bot sleeps: the
 * same code records the same sessions (decisions, orders, fills) however loaded the machine is.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { openJournal, toJsonLine } from "../src/events/index.js";
import { ALPHA_FAULTS, recordSession } from "./record-session.js";

const SESSIONS = ["2026-02-04", "2026-02-05"];
const folder = process.argv[2] ?? "data/sample";
const journalPath = `.tmp/sample-recording-${process.pid}.db`;
const removeJournal = () => {
  for (const suffix of ["", "-wal", "-shm", "-seq", ".clientid"]) rmSync(`${journalPath}${suffix}`, { force: true });
};
mkdirSync(".tmp", { recursive: true });
removeJournal();

for (const session of SESSIONS) {
  // 2026-02-05 also meets the faults the alpha saw.
  const cycles = await recordSession(journalPath, { session, ...(session === "2026-02-05" ? { scenario: ALPHA_FAULTS } : {}) });
  console.log(`recorded ${session}: ${cycles} cycles`);
}

mkdirSync(folder, { recursive: true });
const journal = openJournal(journalPath, { readonly: true });
for (const session of SESSIONS) {
  const lines = [...journal.read({ session, stream: "live" })].map((e) => `${toJsonLine(e)}\n`).join("");
  writeFileSync(`${folder}/${session}.jsonl`, lines);
  console.log(`${folder}/${session}.jsonl: ${lines.split("\n").length - 1} events`);
}
journal.close();
removeJournal();
