/**
 * The CLI's one error type for a user's mistake. It lives below both `program.ts` (which turns it
 * into exit code 2) and the commands (which throw it), so neither imports the other.
 */

/** A bad flag value or combination; the message says which and what is accepted. */
export class UsageError extends Error {
  override name = "UsageError";
}
