import { existsSync, readFileSync, rmSync } from "node:fs";
import type { Command } from "commander";
import {
  acquireWriterLock,
  checkBeforeWriting,
  importParsedLines,
  journalFiles,
  openJournal,
  parseImportLines,
  takeForcedExport,
} from "../../events/index.js";
import { createProjections } from "../../projections/index.js";
import { journalPathOption } from "../options.js";
import { UsageError } from "../usage-error.js";
import { importWire, splitWireLines } from "../wire-io.js";

/**
 * `journal import FILE`: JSON lines in, all or nothing, idempotent. It may add whole sessions or
 * continue a stream at its end; it never changes what a journal already holds (import-plan.ts),
 * and each added event must keep live's invariants (import-rules.ts). It appends only to a journal
 * that verifies, and takes a file exported with `--force` only when forced too.
 */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("import")
      .description(
        "append events from a JSON-lines file: new sessions, or a stream continued at its end (all or nothing; importing twice adds nothing; history is never changed)",
      )
      .argument("<file>", "JSON lines, as written by `journal export`")
      .option(
        "--force",
        "also import a file written by `journal export --force` (a session that failed verify where it came from), with a warning",
      ),
  ).action((file: string, opts: { journal: string; force?: boolean }) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    // Check the whole file before the journal is even opened: a bad file creates nothing.
    // Captured wire frames ({"frame":…} lines) go to wire_frames; the rest are events.
    const { events, frames } = splitWireLines(text, file);
    // A forced export's events failed verify at their source. Refused by default, because an
    // import gives them a fresh, valid chain here and nothing would show what they were; with
    // --force the user has decided, and is told once more what they are taking.
    // (parseImportLines refuses the header line, naming what it says.)
    const { forced, text: body } = opts.force
      ? takeForcedExport(events)
      : { forced: undefined, text: events };
    const lines = parseImportLines(body, file);
    const created = !existsSync(opts.journal);
    let ok = false;
    // One writer per journal: refused while `journal live` (or another import) writes it.
    const lock = acquireWriterLock(opts.journal, "journal import", new Date().toISOString());
    const journal = openJournal(opts.journal);
    try {
      // As live does before it appends, but the whole chain: an import is rare and by hand, and a
      // row changed before the last verified point is found only so (store/writer-checks.ts).
      checkBeforeWriting(journal, "journal import", "all");
      if (forced)
        process.stderr.write(
          `warning: ${file} was exported with --force: session ${forced.session} failed verify where it came from (seq ${forced.seq}: ${forced.problem}); its events are imported anyway (--force) and get a valid chain in ${opts.journal}\n`,
        );
      // Events, captured frames and the projection tables: one transaction, all or nothing. The
      // projections live registers keep the tables behind v_trades and the summaries current,
      // never left at what an earlier rebuild saw; a refused file leaves even those as they were.
      const [result, wire] = journal.sql.transaction(() => {
        for (const projection of createProjections()) journal.addProjection(projection);
        return [importParsedLines(journal, lines, file), importWire(journal, frames)] as const;
      });
      // The imported rows passed their schemas on the way in: verify what is new now and record
      // the point, so each replay of them checks only their chain (their schemas once, here).
      journal.verifySince();
      ok = true;
      process.stdout.write(
        `imported ${file}: ${result.added} added, ${result.alreadyPresent} already present (${result.lines} lines)${frames.length > 0 ? `; wire frames: ${wire.added} added, ${wire.alreadyPresent} already present` : ""}\n`,
      );
    } finally {
      journal.close();
      lock.release();
      // A journal this import created and then failed to fill is not left behind as an empty file.
      if (!ok && created)
        for (const p of [...journalFiles(opts.journal), `${opts.journal}.lock`, `${opts.journal}.lock.json`])
          rmSync(p, { force: true });
    }
  });
}
