/**
 * What every writer checks before it appends, as `journal live` does: the hash chain (the whole of
 * it, or only since the last verified point), then the guards (journal-guards.ts). Appending to a
 * broken journal would bury the damage under new, validly chained events; appending to one without
 * its triggers would carry on as if nothing stopped the sqlite3 shell.
 */
import type { Journal, VerifyReport } from "../catalogue/index.js";
import { JournalError } from "../catalogue/index.js";
import { checkGuards, describeGuardProblems, JournalUnguarded } from "./journal-guards.js";

/** A writer was asked to append to a journal whose chain (or rows) fail verification. */
export class JournalBroken extends JournalError {
  constructor(
    readonly path: string,
    readonly command: string,
    readonly seq: number,
    problem: string,
    alsoUnguarded: string | undefined,
  ) {
    super(
      "JOURNAL_BROKEN",
      `JournalBroken: ${path} is broken at seq ${seq}: ${problem}${alsoUnguarded ? ` (and ${alsoUnguarded})` : ""} — ${command} refuses to write to it. See it with \`journal verify --journal ${path}\`; then restore a backup, or start a new journal and import into it the sessions that still verify (\`journal export --session D\`)`,
    );
  }
}

/**
 * Refuse (throw) unless `journal` is fit to be appended to by `command`.
 * `scope` "all": the whole chain (`verify`; rows up to the verified point skip only their schema
 * check), for writers that run rarely and by hand (import, rebuild), so a row changed anywhere is
 * found. "new": what came after the last verified point (`verifySince`), for writers that run often
 * on a long journal (live at every start, ship every few minutes).
 *
 * @example
 * checkBeforeWriting(journal, "journal import", "all"); // throws JournalBroken or JournalUnguarded
 */
export function checkBeforeWriting(journal: Journal, command: string, scope: "all" | "new"): VerifyReport {
  const report = scope === "all" ? journal.verify() : journal.verifySince();
  const guards = checkGuards(journal.sql).problems;
  if (!report.ok)
    throw new JournalBroken(
      journal.location,
      command,
      report.firstBad?.seq ?? 0,
      report.firstBad?.problem ?? "verification failed",
      guards.length > 0 ? describeGuardProblems(guards) : undefined,
    );
  if (guards.length > 0) throw new JournalUnguarded(journal.location, command, guards);
  return report;
}
