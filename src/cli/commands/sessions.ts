import type { Command } from "commander";
import { isPostgresUrl, openAsyncJournal, openJournal } from "../../events/index.js";
import {
  BOOK_EVENT_TYPES,
  foldBook,
  type TabledSummary,
  tabledSummaries,
  toUsd,
} from "../../projections/index.js";
import { newYorkTime, renderColumns } from "../format.js";
import { journalPathOption } from "../options.js";

const WIDTH = 80;
const EXAMPLES = `
Examples:
  $ journal sessions                      every stream's sessions, with trades and net P&L
  $ journal sessions --stream live --json
  $ journal sessions --journal postgres://alice@db.lan/fleet --bot pi-spy`;

/**
 * Each session's trades and net P&L, keyed `stream|session`: from the projection tables when they
 * hold the fold of every book event there is (`tabledSummaries`; the same fold wrote them, so the
 * same figures), else folded from the book's events here (the one P&L truth). Null for a fleet
 * journal, where streams of several bots share names and each bot's figures come from its own Pi.
 */
function summariesOf(path: string, stream: string | undefined): Map<string, TabledSummary> | null {
  if (isPostgresUrl(path)) return null;
  const journal = openJournal(path, { readonly: true });
  try {
    const tabled = tabledSummaries(journal.sql, stream);
    if (tabled) return tabled;
    const book = foldBook(
      journal.read(stream === undefined ? { types: BOOK_EVENT_TYPES } : { stream, types: BOOK_EVENT_TYPES }),
    );
    return new Map(
      [...book.summaries].map(([key, s]) => [
        key,
        { trades: s.trades.length, netPnlUsd: toUsd(s.netPnlMicros) },
      ]),
    );
  } finally {
    journal.close();
  }
}

/** `journal sessions`: every stream+session in the journal with counts, time span, trades and net P&L. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("sessions")
      .description(
        "list sessions (trading dates, New York) per stream, with event counts, time span, trades and net P&L",
      )
      .option("--stream <stream>", "only this stream (live, or a replay run id)")
      .option("--bot <name>", "only this bot (a PostgreSQL fleet journal)")
      .option("--json", "one JSON array on stdout")
      .addHelpText("after", EXAMPLES),
  ).action(async (opts: { journal: string; stream?: string; bot?: string; json?: boolean }) => {
    const journal = await openAsyncJournal(opts.journal, {
      readonly: true,
      ...(opts.bot === undefined ? {} : { bot: opts.bot }),
    });
    try {
      const rows = await journal.sessions(opts.stream);
      // A fleet journal (PostgreSQL) says whose each session is.
      const fleet = rows.some((r) => r.bot !== undefined);
      const summaries = rows.length === 0 ? null : summariesOf(opts.journal, opts.stream);
      const money = (stream: string, session: string) => summaries?.get(`${stream}|${session}`) ?? null;
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify(rows.map((r) => ({ ...r, ...(money(r.stream, r.session) ?? {}) })))}\n`,
        );
        return;
      }
      if (rows.length === 0) {
        process.stdout.write(`no sessions in ${journal.location}\n`);
        return;
      }
      const table = (withEvents: boolean, maxWidth?: number) =>
        renderColumns(
          [
            ...(fleet ? ["bot"] : []),
            "stream",
            "session",
            "New York",
            ...(withEvents ? ["events"] : []),
            ...(summaries ? ["trades", "net USD"] : []),
          ],
          rows.map((r) => {
            const m = money(r.stream, r.session);
            return [
              ...(fleet ? [r.bot ?? ""] : []),
              r.stream,
              r.session,
              `${newYorkTime(r.firstTs).slice(11, 16)}–${newYorkTime(r.lastTs).slice(11, 16)}`,
              ...(withEvents ? [r.events] : []),
              ...(summaries ? [m?.trades ?? 0, (m?.netPnlUsd ?? 0).toFixed(2)] : []),
            ];
          }),
          { rightFrom: (fleet ? 1 : 0) + 3, ...(maxWidth === undefined ? {} : { maxWidth }) },
        );
      // Replay run ids are long: the event counts give way before an id is cut (--json has them).
      const fits = (text: string) => text.split("\n").every((line) => [...line].length <= WIDTH);
      const wide = table(true);
      const narrow = fits(wide) ? wide : table(false);
      process.stdout.write(`${fits(narrow) ? narrow : table(false, WIDTH)}\n`);
    } finally {
      await journal.close();
    }
  });
}
