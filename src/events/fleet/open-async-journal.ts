/**
 * Opening a journal by its location: a `postgres://` URL opens the fleet's PostgreSQL journal, with
 * its driver loaded only then, anything else a SQLite file behind the async face (store/journal-reader.ts).
 */
import type { IdGen } from "../catalogue/index.js";
import { JournalUnavailable } from "../catalogue/index.js";
import { type AsyncJournal, asyncJournal, isPostgresUrl, openJournal } from "../store/index.js";
import type { ShipTarget } from "./ship.js";

/** How to open a journal by location; `bot` matters for PostgreSQL only. */
export interface OpenAsyncJournalOptions {
  readonly?: boolean;
  /** On PostgreSQL: whose chain to read and append; absent reads every bot. */
  bot?: string;
  idGen?: IdGen;
}

/**
 * Open a journal by location: a `postgres://` URL opens the fleet's PostgreSQL journal (its driver
 * is loaded only then, so the Pi's live loop never loads `pg`), anything else a SQLite file.
 *
 * @example
 * const journal = await openAsyncJournal(opts.journal, { readonly: true });
 */
export async function openAsyncJournal(
  location: string,
  options: OpenAsyncJournalOptions = {},
): Promise<AsyncJournal> {
  if (isPostgresUrl(location)) {
    const { openPgJournal } = await import("./pg-journal.js");
    return openPgJournal(location, {
      ...(options.readonly === undefined ? {} : { readonly: options.readonly }),
      ...(options.bot === undefined ? {} : { bot: options.bot }),
      ...(options.idGen === undefined ? {} : { idGen: options.idGen }),
    });
  }
  return asyncJournal(
    openJournal(location, {
      ...(options.readonly === undefined ? {} : { readonly: options.readonly }),
      ...(options.idGen === undefined ? {} : { idGen: options.idGen }),
    }),
  );
}

/**
 * Open the bot's chain in a fleet journal as a shipping target (creating the schema if needed).
 *
 * @example
 * const target = await openShipTarget("postgres://journal@db.lan/fleet", "pi-spy");
 */
export async function openShipTarget(
  url: string,
  bot: string,
): Promise<ShipTarget & { close(): Promise<void> }> {
  if (!isPostgresUrl(url))
    throw new JournalUnavailable(url, "ship --to takes a PostgreSQL URL (postgres://user@host/db)");
  const { openPgJournal } = await import("./pg-journal.js");
  return openPgJournal(url, { bot });
}
