import { existsSync } from "node:fs";
import type { Command } from "commander";
import {
  hasWireFrames,
  isPostgresUrl,
  type Journal,
  openAsyncJournal,
  openJournal,
  type VerifyReport,
  verifyWireFrames,
  verifyWireSession,
  writable,
} from "../../events/index.js";
import { journalPathOption } from "../options.js";
import { UsageError } from "../usage-error.js";

/**
 * `journal verify`: SQLite's integrity_check, the hash chain, schemas and sequence; the first bad
 * seq and a non-zero exit. `--session D` checks one session in time proportional to it; `--new`
 * checks only what was appended since the last verified point.
 */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("verify")
      .description(
        "check the file (SQLite integrity_check), the hash chain, every event's schema, and that seq and pos have no gaps",
      )
      .option(
        "--session <date>",
        "check only this session (and its links to the chain): fast on a large journal",
      )
      .option(
        "--new",
        "check only the events appended since the last verified point (recorded when writable)",
      ),
  ).action(async (opts: { journal: string; session?: string; new?: boolean }) => {
    if (isPostgresUrl(opts.journal)) return verifyFleet(opts.journal);
    if (opts.session !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.session))
      throw new UsageError(`--session ${opts.session}: expected YYYY-MM-DD`);
    if (opts.session !== undefined && opts.new) throw new UsageError("give --session or --new, not both");
    // Writable when we may write (to record the verified point), read-only otherwise: verify
    // works on a journal in a read-only place, it only cannot remember how far it got.
    const readonly = !existsSync(opts.journal) || !writable(opts.journal) || opts.session !== undefined;
    const journal: Journal = openJournal(opts.journal, { readonly });
    try {
      let report: VerifyReport;
      let scope: string;
      if (opts.session !== undefined) {
        report = journal.verifySession(opts.session);
        scope = `session ${opts.session}`;
        if (report.ok && report.checked === 0)
          process.stderr.write(`note: no events of session ${opts.session} in ${opts.journal}\n`);
      } else if (opts.new) {
        const from = journal.verifiedUpTo();
        report = journal.verifySince();
        scope = from > 0 ? `new since seq ${from}` : "no verified point yet: whole journal";
      } else {
        report = journal.verify();
        scope = "integrity_check ok";
      }
      // Captured wire frames (journal live --capture) have their own chain, checked after the
      // events: one session's frames with --session, all of them otherwise (a day is a few MB).
      const wire =
        report.ok && hasWireFrames(journal.sql)
          ? opts.session !== undefined
            ? verifyWireSession(journal.sql, opts.session)
            : verifyWireFrames(journal.sql)
          : null;
      if (wire && !wire.ok) {
        process.stderr.write(
          `verify failed at wire frame seq ${wire.firstBad?.seq}: ${wire.firstBad?.problem} (${report.checked} events and ${wire.checked} frames before it are intact)\n`,
        );
        process.exitCode = 1;
        return;
      }
      if (wire && wire.checked > 0) scope += `, ${wire.checked} wire frames chained`;
      if (report.ok) {
        process.stdout.write(
          `ok: ${report.checked} events, chain intact, schemas valid, no gaps (${scope}; ${opts.journal})${
            report.verifiedUpTo !== undefined && !journal.readonly
              ? `; verified up to seq ${report.verifiedUpTo}`
              : ""
          }\n`,
        );
      } else {
        process.stderr.write(
          `verify failed at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} (${report.checked} events before it are intact)\n`,
        );
        process.exitCode = 1;
      }
    } finally {
      journal.close();
    }
  });
}

/** A fleet journal on PostgreSQL: every bot's chain (the database checks its own pages). */
async function verifyFleet(location: string): Promise<void> {
  const journal = await openAsyncJournal(location, { readonly: true });
  try {
    const report = await journal.verify();
    if (report.ok) {
      process.stdout.write(
        `ok: ${report.checked} events, chain intact, schemas valid, no gaps (${journal.location})\n`,
      );
    } else {
      process.stderr.write(
        `verify failed at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} (${report.checked} events before it are intact)\n`,
      );
      process.exitCode = 1;
    }
  } finally {
    await journal.close();
  }
}
