/**
 * Where a replay's runs go: appended to the output journal in session order as they arrive, while
 * the other sessions are still being replayed (in workers, the writing no longer waits for the
 * slowest one), all in one write transaction. A replay lands whole or not at all, as a serial one
 * always did: a failed session rolls back every run before it, and an output journal the replay
 * created is removed again.
 */
import { existsSync, rmSync } from "node:fs";
import {
  type AppendBatch,
  checkBeforeWriting,
  type Journal,
  journalFiles,
  openJournal,
  SeededIdGen,
} from "../events/index.js";
import type { SessionReplay } from "./engine.js";
import type { SessionReplayRows } from "./run-rows.js";

export class RunWriter {
  private journal: Journal | undefined;
  private batch: AppendBatch | undefined;
  private readonly waiting = new Map<number, SessionReplay | SessionReplayRows>();
  private next = 0;
  private ended = false;
  private readonly created: boolean;

  /** `path`: the output journal, or null to write nothing (a dry run of the figures). */
  constructor(private readonly path: string | null) {
    this.created = path !== null && !existsSync(path);
  }

  /** The run of session number `index` (in the replay's session order) is done. */
  accept(index: number, result: SessionReplay | SessionReplayRows): void {
    // A lane still running when the replay failed finishes into nothing.
    if (this.ended) return;
    this.waiting.set(index, result);
    for (let run = this.waiting.get(this.next); run; run = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      this.next += 1;
      this.write(run);
    }
  }

  /** Every run is in: make them visible together. */
  commit(): void {
    this.ended = true;
    try {
      this.batch?.commit();
    } finally {
      this.journal?.close();
    }
  }

  /** The replay failed: nothing of it stays. */
  abort(): void {
    this.ended = true;
    try {
      this.batch?.rollback();
    } finally {
      this.journal?.close();
      if (this.created && this.path !== null)
        for (const file of journalFiles(this.path)) rmSync(file, { force: true });
    }
  }

  private write(run: SessionReplay | SessionReplayRows): void {
    if (this.path === null) return;
    if (!this.journal) {
      this.journal = openJournal(this.path, { idGen: new SeededIdGen(1) });
      // As every writer: runs are appended only to a journal that verifies and keeps its guards
      // (since its last verified point: replays come often and the output grows with each).
      checkBeforeWriting(this.journal, "journal replay", "new");
      this.batch = this.journal.beginBatch();
    }
    // A what-if's baseline is a run of its own, beside it (the run itself when it is the baseline).
    const baseline = run.baseline && run.baseline.run !== run.run ? run.baseline : undefined;
    if ("rows" in run) {
      // From a worker thread, which validated and serialised them as `append` would have.
      this.journal.appendPrepared(run.run, run.session, run.rows);
      if (baseline && "rows" in baseline)
        this.journal.appendPrepared(baseline.run, run.session, baseline.rows);
      return;
    }
    this.journal.append(run.run, run.session, run.output);
    if (baseline && "output" in baseline) this.journal.append(baseline.run, run.session, baseline.output);
  }
}
