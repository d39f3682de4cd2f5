/**
 * The CLI's error types for what a user can fix. They live below both `program.ts` (which turns
 * them into exit codes) and the commands (which throw them), so neither imports the other.
 */

/** A bad flag value or combination (exit 2); the message says which and what is accepted. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * A well-formed request the data cannot answer, e.g. a session the journal does not hold (exit 1);
 * the message says what there is instead.
 */
export class NotFound extends Error {
  override name = "NotFound";
}
