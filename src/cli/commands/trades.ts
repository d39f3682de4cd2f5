import type { Command } from "commander";
import { NOTES_STREAM, openJournal } from "../../events/index.js";
import {
  foldBook,
  MIN_TRADES_TO_JUDGE,
  type RoundTrip,
  SLICE_DIMENSIONS,
  type SliceDimension,
  sliceTrades,
  toUsd,
} from "../../projections/index.js";
import { newYorkTime, renderColumns } from "../format.js";
import { journalPathOption } from "../options.js";
import { requireSession } from "../session-check.js";
import { UsageError } from "../usage-error.js";

const EXAMPLES = `
Examples:
  $ journal trades --session 2026-02-05           every round trip of the day
  $ journal trades --by hour                      every session of live, by entry hour (New York)
  $ journal trades --by exit --stream replay-…    a replay run's trades by exit reason
The same slices in SQL: SELECT * FROM v_trade_slices WHERE stream = 'live' AND dimension = 'hour'`;

interface TradesOptions {
  journal: string;
  stream: string;
  session?: string;
  by?: string;
  json?: boolean;
}

/** `journal trades`: the round trips of a stream, or their slices by hour, weekday, symbol, exit or tag. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("trades")
      .description(
        `round trips of a stream (every session, or one), or sliced with --by: count, win rate, expectancy and net per slice; a slice of fewer than ${MIN_TRADES_TO_JUDGE} trades is marked too few to judge`,
      )
      .option("--stream <stream>", "live, or a replay run id", "live")
      .option("--session <date>", "only this session (YYYY-MM-DD)")
      .option(
        "--by <dimension>",
        `slice by ${SLICE_DIMENSIONS.join(", ")} (tags come from notes: journal note --trade N --tag T)`,
      )
      .option("--json", "JSON on stdout")
      .addHelpText("after", EXAMPLES),
  ).action((opts: TradesOptions) => {
    const by = opts.by;
    if (by !== undefined && !(SLICE_DIMENSIONS as readonly string[]).includes(by))
      throw new UsageError(`--by ${by}: expected one of ${SLICE_DIMENSIONS.join(", ")}`);
    const trades = tradesOf(opts);
    if (by === undefined) return printTrades(trades, opts);
    const slices = sliceTrades(trades, by as SliceDimension, tagsFromNotes(opts));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ by, minTradesToJudge: MIN_TRADES_TO_JUDGE, slices })}\n`);
      return;
    }
    if (trades.length === 0) {
      process.stdout.write(
        `no trades in stream ${opts.stream}${opts.session ? ` on ${opts.session}` : ""}\n`,
      );
      return;
    }
    const rows = slices.map((s) => [
      s.slice,
      s.trades,
      `${Math.round(s.winRate * 100)} %`,
      s.expectancyUsd.toFixed(2),
      s.netPnlUsd.toFixed(2),
      s.tooFew ? "too few to judge" : "",
    ]);
    process.stdout.write(
      `${renderColumns([by, "trades", "win rate", "expectancy", "net USD", ""], rows, { rightFrom: 1, maxWidth: 80 }).replace(/ +$/gm, "")}\n` +
        `${slices.some((s) => s.tooFew) ? `(under ${MIN_TRADES_TO_JUDGE} trades a slice is too few to judge: its win rate is mostly luck)\n` : ""}`,
    );
  });
}

/**
 * Each trade's tags, from the journal's notes (`NoteAdded` in the notes stream, naming the trade by
 * its opening and closing seqs): the same rows `v_trade_tags` lists.
 */
function tagsFromNotes(opts: TradesOptions): (t: RoundTrip) => readonly string[] {
  const journal = openJournal(opts.journal, { readonly: true });
  const byTrade = new Map<string, Set<string>>();
  try {
    const filter =
      opts.session === undefined ? { stream: NOTES_STREAM } : { stream: NOTES_STREAM, session: opts.session };
    for (const e of journal.read({ ...filter, types: ["NoteAdded"] })) {
      if (e.type !== "NoteAdded" || e.payload.stream !== opts.stream || !e.payload.trade) continue;
      const key = `${e.session}|${e.payload.trade.openedSeq}|${e.payload.trade.closedSeq}`;
      const tags = byTrade.get(key) ?? new Set<string>();
      for (const tag of e.payload.tags) tags.add(tag);
      byTrade.set(key, tags);
    }
  } finally {
    journal.close();
  }
  return (t) => [...(byTrade.get(`${t.session}|${t.openedSeq}|${t.closedSeq}`) ?? [])].sort();
}

/** The closed round trips of the stream (one session's, or every session's), in closing order. */
function tradesOf(opts: TradesOptions): RoundTrip[] {
  const journal = openJournal(opts.journal, { readonly: true });
  try {
    const there = journal.sessionIds(opts.stream);
    if (opts.session !== undefined) requireSession(opts.session, there, opts.journal, opts.stream);
    const filter =
      opts.session === undefined ? { stream: opts.stream } : { stream: opts.stream, session: opts.session };
    const book = foldBook(journal.read(filter));
    return [...book.summaries.values()].flatMap((s) => (s.stream === opts.stream ? [...s.trades] : []));
  } finally {
    journal.close();
  }
}

function printTrades(trades: readonly RoundTrip[], opts: TradesOptions): void {
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify(
        trades.map((t) => ({
          session: t.session,
          contract: t.contractKey,
          side: t.side,
          quantity: t.quantity,
          entryTs: t.entryTs,
          exitTs: t.closedTs,
          exitReason: t.exitReason,
          pnlUsd: toUsd(t.pnlMicros),
          feesUsd: toUsd(t.feesMicros),
          deltaPnlUsd: toUsd(t.greekPnl.deltaMicros),
          gammaPnlUsd: toUsd(t.greekPnl.gammaMicros),
          thetaPnlUsd: toUsd(t.greekPnl.thetaMicros),
          vegaPnlUsd: toUsd(t.greekPnl.vegaMicros),
          residualPnlUsd: toUsd(t.greekPnl.residualMicros),
        })),
      )}\n`,
    );
    return;
  }
  if (trades.length === 0) {
    process.stdout.write(`no trades in stream ${opts.stream}${opts.session ? ` on ${opts.session}` : ""}\n`);
    return;
  }
  process.stdout.write(
    `${renderColumns(
      ["entry (NY)", "contract", "exit", "reason", "P&L", "fees", "delta"],
      trades.map((t) => [
        newYorkTime(t.entryTs).slice(5, 16),
        t.contractKey,
        newYorkTime(t.closedTs).slice(11, 16),
        t.exitReason,
        toUsd(t.pnlMicros).toFixed(2),
        toUsd(t.feesMicros).toFixed(2),
        toUsd(t.greekPnl.deltaMicros).toFixed(2),
      ]),
      { rightFrom: 4, maxWidth: 80 },
    )}\n` +
      "(P&L after fees. delta: the part of the P&L before fees the underlying's moves made\n" +
      " through delta; the whole split by greek: journal trades --json, or v_trades in SQL)\n",
  );
}
