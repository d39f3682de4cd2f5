/**
 * Shipping a Pi's journal to the fleet's central one: the rows of the SQLite file, exactly as
 * written (seq, hash and all), appended to the bot's chain in the target, a batch per transaction.
 *
 * Resumable and exactly once: the target's head (last seq and hash of this bot) says where to
 * start, and every batch is checked against the head again inside its own locked transaction, so
 * a kill, a dropped connection or two shippers at once can neither skip nor repeat an event. The
 * chain is verified as it goes: a row whose hash does not continue the chain stops the shipment
 * before anything of its batch is written.
 */

import type { Journal } from "../catalogue/index.js";
import { JournalBehind } from "../catalogue/index.js";
import { ChainBroken, type ChainHead, type ChainRow, verifyChain } from "./pg-chain.js";

/** Where shipped rows go (the PostgreSQL journal opened for one bot). */
export interface ShipTarget {
  readonly location: string;
  /** The last seq and hash of the bot's chain. */
  head(): Promise<ChainHead>;
  /**
   * Append hashed rows in one transaction, skipping those at or below the head; returns how many
   * were new. `verifiedFrom`: the head the caller verified `rows` against.
   */
  appendChain(rows: readonly ChainRow[], verifiedFrom?: ChainHead): Promise<number>;
}

export interface ShipOptions {
  /** Rows per batch (one transaction, one INSERT). Default 5000. */
  batchSize?: number;
  /**
   * After each committed batch: how many rows so far and the target's head seq. A promise it
   * returns is awaited before the next batch is sent (a test drops the connection there).
   */
  onBatch?(shipped: number, headSeq: number): void | Promise<void>;
}

export interface ShipResult {
  /** Rows newly written to the target. */
  shipped: number;
  /** The target's head seq before and after. */
  fromSeq: number;
  toSeq: number;
}

const SELECT_PAGE =
  "SELECT seq, id, stream, session, pos, type, version, ts, causation, correlation, payload, hash FROM events WHERE seq > ? ORDER BY seq LIMIT ?";

/**
 * Copy every event of `source` the target does not hold yet.
 *
 * @example
 * const result = await shipJournal(openJournal("data/journal.db", { readonly: true }), target);
 */
export async function shipJournal(
  source: Journal,
  target: ShipTarget,
  options: ShipOptions = {},
): Promise<ShipResult> {
  const batchSize = options.batchSize ?? 5000;
  const start = await target.head();
  if (start.seq > 0) {
    const last = source.lastSeq();
    if (last < start.seq)
      throw new JournalBehind(
        source.location,
        last,
        start.seq,
        `it ends at seq ${last}, but ${target.location} already holds this bot's chain up to seq ${start.seq}: ${start.seq - last} event(s) are missing from its end (removed, or a -wal lost), or it is another journal; ship it under another --bot. Shipping it would fork the bot's history, so nothing was shipped. If it is this bot's journal, restore it from a \`journal backup\` (or from the central journal), then ship again`,
      );
    // The target's chain must be a prefix of this journal's: the same bot name on another journal
    // (a Pi reinstalled, a name typed twice) would otherwise fork the bot's history.
    const [row] = source.sql.all<ChainRow>(SELECT_PAGE, [start.seq - 1, 1]);
    if (row?.seq !== start.seq || row.hash !== start.hash)
      throw new ChainBroken(
        start.seq,
        `${target.location} already holds this bot's chain up to seq ${start.seq}, and ${source.location} ${row ? "has another event there" : "ends before it"}: it is another journal; ship it under another --bot`,
      );
  }
  const page = (after: number) => source.sql.all<ChainRow>(SELECT_PAGE, [after, batchSize]);
  const what = `shipping ${source.location}`;
  let shipped = 0;
  let head: ChainHead = start;
  let rows = page(head.seq);
  verifyChain(rows, head, what);
  while (rows.length > 0) {
    const pending = target.appendChain(rows, head);
    // Read and verify the next page while the database stores this one.
    const last = rows[rows.length - 1]!;
    head = { seq: last.seq, hash: last.hash };
    const next = rows.length < batchSize ? [] : page(last.seq);
    let broken: unknown;
    try {
      verifyChain(next, head, what);
    } catch (error) {
      broken = error;
    }
    shipped += await pending;
    await options.onBatch?.(shipped, head.seq);
    if (broken) throw broken;
    rows = next;
  }
  return { shipped, fromSeq: start.seq, toSeq: head.seq };
}
