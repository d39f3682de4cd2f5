import type { Command } from "commander";
import {
  type ForcedExport,
  forcedExportLine,
  hasWireFrames,
  type Journal,
  JournalError,
  openJournal,
  toJsonLine,
  verifyWireSession,
} from "../../events/index.js";
import { journalPathOption } from "../options.js";
import type { ParquetExportFlags } from "../parquet-export.js";
import { requireSession } from "../session-check.js";
import { UsageError } from "../usage-error.js";
import { wireExportLines } from "../wire-io.js";

/** An export of a session that fails verify, refused: its lines would verify anywhere they were imported. */
export class ExportRefused extends JournalError {
  constructor(journal: string, session: string, seq: number, problem: string, what: string) {
    super(
      "EXPORT_REFUSED",
      `ExportRefused: session ${session} of ${journal} fails verify at ${what} seq ${seq}: ${problem} — nothing was written. An export carries no hashes, so its import would give these events a valid chain elsewhere; see it with \`journal verify --session ${session} --journal ${journal}\`, restore a backup, or pass --force to export it anyway (the file then says so on its first line, and \`journal import\` refuses it unless forced too)`,
    );
  }
}

type ExportFlags = ParquetExportFlags & { session?: string; format: string };

/**
 * `journal export --session D`: the session's events as JSON lines on stdout, after the session
 * (and its captured frames) verified: an export is where a tampered row would otherwise lose the
 * hash that gives it away.
 */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("export")
      .description(
        "write a session's events as JSON lines to stdout, once the session verifies (import them elsewhere with `journal import`)",
      )
      .option("--session <date>", "trading date YYYY-MM-DD")
      .option("--sessions <range>", "with --format parquet: FROM..TO, or a comma list of dates")
      .option(
        "--format <format>",
        "jsonl (events on stdout) or parquet (one file per view in --out)",
        "jsonl",
      )
      .option(
        "--out <dir>",
        "with --format parquet: the folder to write trades.parquet, fills.parquet, … into",
      )
      .option("--stream <stream>", "only this stream (default: every stream of the session)")
      .option(
        "--force",
        "export a session that fails verify anyway; the first line then says so, and import refuses the file unless forced too",
      ),
  ).action(async (opts: ExportFlags) => {
    // Loaded only for Parquet: a JSON-lines export never pays for the writer.
    if (opts.format === "parquet") return (await import("../parquet-export.js")).parquetExportCommand(opts);
    if (opts.format !== "jsonl") throw new UsageError(`--format ${opts.format}: expected jsonl or parquet`);
    if (opts.session === undefined)
      throw new UsageError("--session YYYY-MM-DD is required (--sessions is for --format parquet)");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.session))
      throw new UsageError(`--session ${opts.session}: expected YYYY-MM-DD`);
    const journal = openJournal(opts.journal, { readonly: true });
    try {
      requireSession(opts.session, journal.sessionIds(opts.stream), opts.journal, opts.stream);
      const withFrames = opts.stream === undefined || opts.stream === "live";
      const forced = checkSession(journal, opts.session, withFrames, opts.force ?? false, opts.stream);
      let buffer = forced ? `${forcedExportLine(forced)}\n` : "";
      if (forced)
        process.stderr.write(
          `warning: session ${opts.session} fails verify at seq ${forced.seq} (${forced.problem}); exported anyway (--force), marked so on the first line\n`,
        );
      const filter =
        opts.stream === undefined
          ? { session: opts.session }
          : { session: opts.session, stream: opts.stream };
      for (const event of journal.read(filter)) {
        buffer += `${toJsonLine(event)}\n`;
        if (buffer.length > 1 << 16) {
          if (!process.stdout.write(buffer)) await new Promise((r) => process.stdout.once("drain", r));
          buffer = "";
        }
      }
      // Captured frames (journal live --capture) travel with the session, after its events.
      if (withFrames)
        for (const line of wireExportLines(journal, opts.session)) {
          buffer += line;
          if (buffer.length > 1 << 16) {
            if (!process.stdout.write(buffer)) await new Promise((r) => process.stdout.once("drain", r));
            buffer = "";
          }
        }
      process.stdout.write(buffer);
    } finally {
      journal.close();
    }
  });
}

/**
 * Verify the session's rows (every stream: `verify --session`) and, when they travel with it, its
 * frames. Throws ExportRefused, or with `force` returns what the export's header must say.
 */
function checkSession(
  journal: Journal,
  session: string,
  withFrames: boolean,
  force: boolean,
  stream: string | undefined,
): ForcedExport | undefined {
  const report = journal.verifySession(session);
  const wire =
    report.ok && withFrames && hasWireFrames(journal.sql) ? verifyWireSession(journal.sql, session) : null;
  const failed = !report.ok
    ? { ...report.firstBad!, what: "" }
    : wire && !wire.ok
      ? { ...wire.firstBad!, what: "wire frame" }
      : null;
  if (!failed) return undefined;
  if (!force)
    throw new ExportRefused(journal.location, session, failed.seq, failed.problem, failed.what || "event");
  return {
    session,
    stream: stream ?? null,
    seq: failed.seq,
    problem: `${failed.what ? `${failed.what} ` : ""}${failed.problem}`,
  };
}
