/**
 * Folds the book for `journal positions` / `journal orders` straight from the events (the fold is
 * the source of truth; a read-only journal has no tables to trust).
 */
import { type Journal, openJournal } from "../events/index.js";
import { type BookState, foldBook } from "../projections/index.js";
import { requireSession } from "./session-check.js";

export interface BookQuery {
  journal: string;
  stream: string;
  session?: string;
}

/**
 * Open read-only, fold the stream (and session, if given), close. A session the stream does not
 * hold is NotFound (exit 1), naming the sessions there are.
 */
export function foldFromJournal(query: BookQuery): BookState {
  const journal: Journal = openJournal(query.journal, { readonly: true });
  try {
    if (query.session !== undefined)
      requireSession(query.session, journal.sessionIds(query.stream), query.journal, query.stream);
    const filter =
      query.session === undefined
        ? { stream: query.stream }
        : { stream: query.stream, session: query.session };
    return foldBook(journal.read(filter));
  } finally {
    journal.close();
  }
}
