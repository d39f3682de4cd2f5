/**
 * What live checks of its journal before it appends, and of the day it appends to: the checks
 * that refuse a journal to trade on, and the New York date that ends a session.
 */
import { checkGuards, type Journal, JournalUnguarded, tradingSessionOf } from "../events/index.js";

/** The live journal is broken: live refuses to append to it. */
export class JournalIntegrityError extends Error {
  readonly code = "JOURNAL_BROKEN";
}

/**
 * Refuse to append to a journal whose hash chain or rows are broken. Only what came after the
 * last verified point is checked (its own row's hash must be unchanged), so a restart on a
 * year-long journal costs what its new events cost.
 */
export function refuseBrokenJournal(journal: Journal, path: string): void {
  const report = journal.verifySince();
  if (!report.ok)
    throw new JournalIntegrityError(
      `${path} is broken at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} — live refuses to append to it. Run \`journal verify\`, restore a backup, or start a new journal file.`,
    );
  // Its triggers too: a journal the sqlite3 shell may change is not one to trade on.
  const guards = checkGuards(journal.sql).problems;
  if (guards.length > 0) throw new JournalUnguarded(path, "journal live", guards);
}

/** Why `session`'s day is over at gateway time `nowMs` (a later New York date), if it is. */
export function dayOver(session: string, nowMs: number): string | undefined {
  const now = tradingSessionOf(nowMs);
  if (now <= session) return undefined;
  return `the trading day ${session} ended at New York midnight; ${now} opens its own session`;
}
