import { existsSync } from "node:fs";
import { hostname } from "node:os";
import type { Command } from "commander";
import {
  checkGuards,
  describeGuardProblems,
  hasWireFrames,
  isPostgresUrl,
  type Journal,
  openAsyncJournal,
  openJournal,
  readSeqMark,
  repairGuards,
  seqMarkPath,
  type VerifyReport,
  verifyWireFrames,
  verifyWireSession,
  writable,
} from "../../events/index.js";
import { journalPathOption } from "../options.js";
import { UsageError } from "../usage-error.js";

interface VerifyOptions {
  journal: string;
  session?: string;
  new?: boolean;
  repairGuards?: boolean;
  central?: string;
  bot: string;
}

/**
 * `journal verify`: SQLite's integrity_check, the hash chain, schemas and sequence, the guards
 * (triggers and views as the schema defines them), and the journal's length against what it is
 * known to have held (the verified point, and with `--central` the fleet's head for this bot);
 * the first bad seq and a non-zero exit. `--session D` checks one session in time proportional to
 * it; `--new` checks only what was appended since the last verified point.
 */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("verify")
      .description(
        "check the file (SQLite integrity_check), the hash chain, every event's schema, that seq and pos have no gaps, the immutability triggers and views, and that nothing was cut from the end",
      )
      .option(
        "--session <date>",
        "check only this session (and its links to the chain): fast on a large journal",
      )
      .option(
        "--new",
        "check only the events appended since the last verified point (recorded when writable)",
      )
      .option(
        "--repair-guards",
        "first put back the triggers and views the schema defines, if missing or changed (changes no event)",
      )
      .option(
        "--central <url>",
        "also compare the journal's end with what this fleet's PostgreSQL journal holds for --bot",
      )
      .option("--bot <name>", "this journal's bot name in --central (default: the hostname)", hostname()),
  ).action(async (opts: VerifyOptions) => {
    if (isPostgresUrl(opts.journal)) return verifyFleet(opts.journal);
    if (opts.session !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.session))
      throw new UsageError(`--session ${opts.session}: expected YYYY-MM-DD`);
    if (opts.session !== undefined && opts.new) throw new UsageError("give --session or --new, not both");
    if (opts.central !== undefined && !isPostgresUrl(opts.central))
      throw new UsageError(`--central ${opts.central}: expected a PostgreSQL URL, postgres://user@host/db`);
    // Read before the journal is opened: a writable open records its own head as the mark.
    const mark = readSeqMark(opts.journal);
    // Writable when we may write (to record the verified point), read-only otherwise: verify
    // works on a journal in a read-only place, it only cannot remember how far it got.
    const readonly =
      !opts.repairGuards &&
      (!existsSync(opts.journal) || !writable(opts.journal) || opts.session !== undefined);
    const journal: Journal = openJournal(opts.journal, { readonly });
    try {
      if (opts.repairGuards) {
        for (const p of repairGuards(journal.sql))
          process.stderr.write(`repaired: ${p.kind} ${p.name} (${p.problem}), as the schema defines it\n`);
      }
      const failures: string[] = [];
      // What earlier checks recorded, before this one records its own.
      const point = journal.verifiedUpTo();
      const { report, scope } = checkChain(journal, opts);
      if (!report.ok)
        failures.push(
          `verify failed at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} (${report.checked} events before it are intact)`,
        );
      // Captured wire frames (journal live --capture) have their own chain, checked after the
      // events: one session's frames with --session, all of them otherwise (a day is a few MB).
      const wire =
        report.ok && hasWireFrames(journal.sql)
          ? opts.session !== undefined
            ? verifyWireSession(journal.sql, opts.session)
            : verifyWireFrames(journal.sql)
          : null;
      if (wire && !wire.ok)
        failures.push(
          `verify failed at wire frame seq ${wire.firstBad?.seq}: ${wire.firstBad?.problem} (${report.checked} events and ${wire.checked} frames before it are intact)`,
        );
      const guards = checkGuards(journal.sql);
      if (guards.problems.length > 0)
        failures.push(
          `verify failed: ${describeGuardProblems(guards.problems)} — the file was changed outside this program; restore them with \`journal verify --repair-guards --journal ${opts.journal}\` (it changes no event) once its events verify`,
        );
      const head = journal.lastSeq();
      const against = [
        mark === undefined
          ? `no seq mark (${seqMarkPath(opts.journal)} is missing, so a lost -wal would go unseen)`
          : `seq mark ${mark} (${seqMarkPath(opts.journal)})`,
        point > 0
          ? `verified point seq ${point} (an earlier check's)`
          : "no verified point before this check",
      ];
      if (opts.central !== undefined) {
        const central = await centralHead(opts.central, opts.bot);
        against.push(`${central.location} holds bot ${opts.bot} up to seq ${central.seq}`);
        if (head < central.seq)
          failures.push(
            `verify failed: truncated: ${opts.journal} ends at seq ${head}, but ${central.location} already holds bot ${opts.bot} up to seq ${central.seq} — ${central.seq - head} event(s) are missing from its end. Restore it from a \`journal backup\`; do not ship it (ship refuses it)`,
          );
      }
      if (failures.length > 0) {
        for (const failure of failures) process.stderr.write(`${failure}\n`);
        process.stderr.write(`checked against: ${against.join("; ")}\n`);
        process.exitCode = 1;
        return;
      }
      let done = scope;
      if (wire && wire.checked > 0) done += `, ${wire.checked} wire frames chained`;
      process.stdout.write(
        `ok: ${report.checked} events, chain intact, schemas valid, no gaps (${done}; ${opts.journal})${
          report.verifiedUpTo !== undefined && !journal.readonly
            ? `; verified up to seq ${report.verifiedUpTo}`
            : ""
        }\n` +
          `guards: ${guards.triggers} triggers and ${guards.views} views as the schema defines them${guards.viewsFromAnotherVersion ? " (the views are another version's: a writable open refreshes them)" : ""}\n` +
          `checked against: ${against.join("; ")}\n`,
      );
    } finally {
      journal.close();
    }
  });
}

function checkChain(journal: Journal, opts: VerifyOptions): { report: VerifyReport; scope: string } {
  if (opts.session !== undefined) {
    const report = journal.verifySession(opts.session);
    if (report.ok && report.checked === 0)
      process.stderr.write(`note: no events of session ${opts.session} in ${opts.journal}\n`);
    return { report, scope: `session ${opts.session}` };
  }
  if (opts.new) {
    const from = journal.verifiedUpTo();
    const report = journal.verifySince();
    return { report, scope: from > 0 ? `new since seq ${from}` : "no verified point yet: whole journal" };
  }
  return { report: journal.verify(), scope: "integrity_check ok" };
}

/** The fleet's last seq for `bot`, read-only (the fleet reader's own head). */
async function centralHead(url: string, bot: string): Promise<{ location: string; seq: number }> {
  const central = await openAsyncJournal(url, { readonly: true, bot });
  try {
    return { location: central.location, seq: await central.lastSeq() };
  } finally {
    await central.close();
  }
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
