/**
 * A session's run as a worker thread hands it to the thread that writes the output journal: its
 * events (and its baseline's) validated and serialised in the worker, as `prepareRows` packs them.
 * The writing thread, which also runs sessions of its own, is then left only the chain and the
 * inserts, and receives a few arrays and one string per run instead of an object tree per event.
 */
import { type NewEvent, type PreparedRows, prepareRows } from "../events/index.js";
import type { RunSummary, SessionReplay } from "./engine.js";

export type SessionReplayRows = Omit<SessionReplay, "output" | "baseline"> & {
  rows: PreparedRows;
  baseline?: { run: string; summary: RunSummary; rows: PreparedRows };
};

/** Every event a run writes carries its id (the run's seeded ids: the same run, the same ids). */
function withIds(run: string, events: readonly NewEvent[]): (NewEvent & { id: string })[] {
  for (const event of events)
    if (event.id === undefined) throw new Error(`run ${run}: an event without an id cannot be prepared`);
  return events as (NewEvent & { id: string })[];
}

/** The run with its events prepared for `Journal.appendPrepared` (same checks and text as `append`). */
export function toRows(result: SessionReplay): SessionReplayRows {
  const { output, baseline, ...rest } = result;
  const rows = prepareRows(result.run, result.session, withIds(result.run, output));
  if (!baseline) return { ...rest, rows };
  return {
    ...rest,
    rows,
    baseline: {
      run: baseline.run,
      summary: baseline.summary,
      // The run itself when it is its own baseline: prepared once.
      rows:
        baseline.run === result.run
          ? rows
          : prepareRows(baseline.run, result.session, withIds(baseline.run, baseline.output)),
    },
  };
}
