import type { Command } from "commander";
import { hasWireFrames, restoreJournal, verifyWireFrames } from "../../events/index.js";
import { journalPathOption } from "../options.js";

/**
 * `journal restore --from BACKUP`: the verified backup in the journal's place, the replaced
 * journal and its files kept in a folder beside it (store/restore.ts says why not `cp`).
 */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("restore")
      .description(
        "replace the journal with a backup: verify the backup (integrity_check, hash chain), move the old journal and its -wal, -shm and -seq aside into a timestamped folder (never deleted), then copy the backup into place; refused while a writer runs",
      )
      .requiredOption("--from <backup>", "a journal written by `journal backup`"),
  ).action(async (opts: { journal: string; from: string }) => {
    const result = await restoreJournal(opts.journal, opts.from, {
      nowIso: new Date().toISOString(),
      // Captured wire frames have their own chain: a restored journal is whole only with them.
      check: (copy) => {
        if (!hasWireFrames(copy.sql)) return undefined;
        const wire = verifyWireFrames(copy.sql);
        return wire.ok
          ? undefined
          : `its wire frames fail verify at seq ${wire.firstBad?.seq}: ${wire.firstBad?.problem}`;
      },
    });
    const aside = result.aside
      ? `; what it replaced is in ${result.aside.folder} (${result.aside.files.join(", ")})`
      : "";
    process.stdout.write(
      `restored ${result.journal} from ${result.from}: ${result.events} events, verified (integrity_check and hash chain)${aside}\n`,
    );
  });
}
