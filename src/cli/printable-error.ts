/**
 * The last guard before an error's message reaches the terminal (exit-code.ts prints it). A journal
 * error is already safe (catalogue/errors.ts); a usage error or a system error may quote a flag's
 * value, a file name or a URL: its password is masked and its control characters escaped here too.
 */

/**
 * `error` with its message (and stack) made safe to print, in place. Commander's own errors are
 * left alone: commander printed them already, and `--help` must not load the journal's modules.
 */
export async function printableError(error: unknown): Promise<unknown> {
  if (!(error instanceof Error)) return error;
  if (String((error as { code?: unknown }).code).startsWith("commander.")) return error;
  const { forPeople } = await import("../events/index.js");
  error.message = forPeople(error.message);
  if (typeof error.stack === "string") error.stack = forPeople(error.stack);
  return error;
}
