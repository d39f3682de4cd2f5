/**
 * Typed journal errors. Each has a stable `code` and a message that says what to do next.
 */
import { forPeople } from "./printable.js";

/**
 * The base of every journal error. Its message is for a person wherever it ends up (a terminal, a
 * log, a `--json` field): messages quote input (an import line's fields, a URL), so passwords are
 * masked and control characters escaped here, once, rather than at each place one is printed.
 */
export class JournalError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(forPeople(message));
    this.name = new.target.name;
  }
}

/** Another writer appended first: the expected position was taken. Nothing was written. */
export class JournalConflict extends JournalError {
  constructor(
    readonly stream: string,
    readonly session: string,
    readonly expectedPos: number,
    readonly actualPos: number,
  ) {
    super(
      "JOURNAL_CONFLICT",
      `JournalConflict: expected position ${expectedPos} in ${stream}/${session} but found ${actualPos} — another writer appended; re-read and retry`,
    );
  }
}

/** A payload failed its schema, on append or on read. */
export class InvalidEvent extends JournalError {
  constructor(
    readonly eventType: string,
    readonly field: string,
    readonly problem: string,
    readonly where: string,
  ) {
    super(
      "INVALID_EVENT",
      `InvalidEvent: ${eventType} ${where}: field "${field}" ${problem} — fix the producer; nothing was written`,
    );
  }
}

/** The same id was appended again with a different body. */
export class DuplicateIdMismatch extends JournalError {
  constructor(readonly id: string) {
    super(
      "DUPLICATE_ID_MISMATCH",
      `DuplicateIdMismatch: event ${id} is already in the journal with a different body — ids must not be reused`,
    );
  }
}

/** The file cannot be used as a journal (not SQLite, newer schema, unwritable, missing directory…). */
export class JournalUnavailable extends JournalError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super("JOURNAL_UNAVAILABLE", `JournalUnavailable: ${path}: ${reason}`);
  }
}

/**
 * A write failed in the environment (disk full, I/O error, file made read-only): nothing of the
 * batch was written and the journal is intact; the message names the file and the fix.
 */
export class JournalWriteFailed extends JournalError {
  constructor(
    readonly path: string,
    readonly sqliteCode: string,
    reason: string,
  ) {
    super("JOURNAL_WRITE_FAILED", `JournalWriteFailed: ${path}: ${reason}`);
  }
}

/** The journal on disk is behind what it is known to have held (a lost -wal, a replaced file). */
export class JournalBehind extends JournalError {
  constructor(
    readonly path: string,
    readonly hasSeq: number,
    readonly expectedSeq: number,
    detail: string,
  ) {
    super("JOURNAL_BEHIND", `JournalBehind: ${path}: ${detail}`);
  }
}
