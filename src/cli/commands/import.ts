import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { acquireWriterLock, importJsonLines, openJournal } from "../../events/index.js";
import { journalPathOption } from "../options.js";
import { UsageError } from "../usage-error.js";
import { importWire, splitWireLines } from "./wire-io.js";

/** `journal import FILE`: JSON lines in, all or nothing, idempotent. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("import")
      .description("append events from a JSON-lines file (all or nothing; importing twice adds nothing)")
      .argument("<file>", "JSON lines, as written by `journal export`"),
  ).action((file: string, opts: { journal: string }) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    // One writer per journal: refused while `journal live` (or another import) writes it.
    const lock = acquireWriterLock(opts.journal, "journal import", new Date().toISOString());
    const journal = openJournal(opts.journal);
    try {
      const { events, frames } = splitWireLines(text, file);
      // Events and captured frames: one transaction, all or nothing.
      const [result, wire] = journal.sql.transaction(
        () => [importJsonLines(journal, events, file), importWire(journal, frames)] as const,
      );
      process.stdout.write(
        `imported ${file}: ${result.added} added, ${result.alreadyPresent} already present (${result.lines} lines)${frames.length > 0 ? `; wire frames: ${wire.added} added, ${wire.alreadyPresent} already present` : ""}\n`,
      );
    } finally {
      journal.close();
      lock.release();
    }
  });
}
