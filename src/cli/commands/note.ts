import type { Command } from "commander";
import {
  acquireWriterLock,
  checkBeforeWriting,
  isRealSessionDate,
  type Journal,
  JournalError,
  JournalLocked,
  NOTES_STREAM,
  openJournal,
  ulidIdGen,
  type WriterLock,
} from "../../events/index.js";
import { foldBook } from "../../projections/index.js";
import { journalPathOption } from "../options.js";
import { NotFound, UsageError } from "../usage-error.js";

interface NoteOptions {
  journal: string;
  session: string;
  stream: string;
  trade?: string;
  order?: string;
  tag: string[];
  wait: string;
}

const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/**
 * `journal note --session D [--trade N | --order ID] [--tag T] TEXT`: one `NoteAdded` event in the
 * `notes` stream. Everything the note names is checked on a read-only open first, so a bad request
 * leaves the journal file as it was; the append then takes the writer lock like any writer.
 */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("note")
      .description(
        "append a note (and tags) about a session, one of its trades or one of its orders; a correction is another note",
      )
      .argument("<text...>", "the note")
      .requiredOption("--session <date>", "trading date YYYY-MM-DD")
      .option("--stream <stream>", "the run the note is about: live, or a replay run id", "live")
      .option("--trade <n>", "the session's trade number N (v_trades by entry, from 1)")
      .option("--order <id>", "an order: IB's order id, or its order_key (v_orders)")
      .option(
        "--tag <tag>",
        "a tag (repeat for more), e.g. --tag late-exit",
        (v: string, all: string[]) => [...all, v],
        [],
      )
      .option("--wait <seconds>", "how long to wait for another writer (journal live) to let go", "2"),
  ).action(async (words: string[], opts: NoteOptions) => {
    const text = words.join(" ").trim();
    if (text === "")
      throw new UsageError(
        "the note is empty: say something, e.g. journal note --session D 'sold too early'",
      );
    if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.session) || !isRealSessionDate(opts.session))
      throw new UsageError(`--session ${opts.session}: expected a real date YYYY-MM-DD`);
    if (opts.trade !== undefined && opts.order !== undefined)
      throw new UsageError(
        "--trade and --order name two things: a note is about one of them (or the session)",
      );
    const bad = opts.tag.find((t) => !TAG.test(t));
    if (bad !== undefined)
      throw new UsageError(
        `--tag ${bad}: a tag is 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      );
    const waitMs = Number(opts.wait) * 1000;
    if (!Number.isFinite(waitMs) || waitMs < 0 || waitMs > 600_000)
      throw new UsageError(`--wait ${opts.wait}: expected seconds from 0 to 600`);

    // Resolve what the note is about on a read-only open: a refusal changes nothing.
    const reader = openJournal(opts.journal, { readonly: true });
    let subject: Record<string, unknown>;
    try {
      subject = resolveSubject(reader, opts);
    } finally {
      reader.close();
    }

    const lock = await lockWithin(opts.journal, waitMs);
    const journal = openJournal(opts.journal);
    try {
      checkBeforeWriting(journal, "journal note", "new");
      const now = Date.now();
      const [stored] = journal.append(NOTES_STREAM, opts.session, [
        {
          id: ulidIdGen().next(now),
          type: "NoteAdded",
          version: 1,
          ts: now,
          causation: null,
          correlation: null,
          payload: { text, tags: [...new Set(opts.tag)], stream: opts.stream, ...subject },
        },
      ]);
      const about = subject.trade
        ? `trade ${opts.trade} (${(subject.trade as { contractKey: string }).contractKey})`
        : subject.order
          ? `order ${opts.order}`
          : "the session";
      process.stdout.write(
        `noted on ${opts.stream} ${opts.session}, ${about}: seq ${stored!.seq}${opts.tag.length ? `, tags ${[...new Set(opts.tag)].join(", ")}` : ""}\n`,
      );
    } finally {
      journal.close();
      lock.release();
    }
  });
}

/** The trade or order the note names, as the payload holds it; throws NotFound naming what there is. */
function resolveSubject(journal: Journal, opts: NoteOptions): Record<string, unknown> {
  const there = journal.sessionIds(opts.stream);
  if (!there.includes(opts.session))
    throw new NotFound(
      `no session ${opts.session} in stream ${opts.stream} of ${opts.journal}; sessions there: ${there.join(", ") || "(none)"}`,
    );
  if (opts.trade !== undefined) {
    const n = Number(opts.trade);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`--trade ${opts.trade}: expected a trade number from 1`);
    // Folded from the events (the source of truth), not read from proj_trades, which a journal
    // that was never rebuilt or written by live does not have; numbered as v_trades by entry.
    const summary = foldBook(journal.read({ stream: opts.stream, session: opts.session })).summaries.get(
      `${opts.stream}|${opts.session}`,
    );
    const trades = [...(summary?.trades ?? [])].sort(
      (a, b) => a.entryTs - b.entryTs || a.closedSeq - b.closedSeq,
    );
    const trade = trades[n - 1];
    if (!trade)
      throw new NotFound(
        `${opts.stream} ${opts.session} has ${trades.length} trade(s), no trade ${n}: see them with \`journal sql "SELECT * FROM v_trades WHERE session = '${opts.session}'"\` (numbered by entry, from 1)`,
      );
    return {
      trade: {
        number: n,
        openedSeq: trade.openedSeq,
        closedSeq: trade.closedSeq,
        contractKey: trade.contractKey,
      },
    };
  }
  if (opts.order !== undefined) {
    const numeric = /^\d+$/.test(opts.order);
    const rows = journal.sql.all<{ order_key: string; order_id: number | null }>(
      `SELECT order_key, order_id FROM v_orders WHERE stream = ? AND session = ? AND ${numeric ? "order_id = ?" : "order_key = ?"}`,
      [opts.stream, opts.session, numeric ? Number(opts.order) : opts.order],
    );
    const order = rows[0];
    if (!order)
      throw new NotFound(
        `${opts.stream} ${opts.session} has no order ${opts.order}: see its orders with \`journal orders --session ${opts.session} --stream ${opts.stream}\``,
      );
    return { order: { orderKey: order.order_key, orderId: order.order_id } };
  }
  return {};
}

/**
 * The writer lock, waiting up to `waitMs` for its holder to let go (an import or a rebuild ends in
 * seconds; `journal live` holds it all session, and the refusal then says so).
 */
async function lockWithin(path: string, waitMs: number): Promise<WriterLock> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return acquireWriterLock(path, "journal note", new Date().toISOString());
    } catch (error) {
      if (!(error instanceof JournalLocked) || Date.now() >= until) {
        if (error instanceof JournalLocked)
          throw new JournalError(
            "JOURNAL_LOCKED",
            `${error.message} Waited ${waitMs / 1000} s: a note is a write, so add it once that process is done (a note keeps its own time, so later is fine), or wait longer with --wait SECONDS.`,
          );
        throw error;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
