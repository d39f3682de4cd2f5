/**
 * Output that cannot be written — stdout to a full disk (ENOSPC) — ends a command with one line
 * and exit 1; a reader that went away (EPIPE, `journal export | head`) ends it quietly with exit 0.
 * Without a listener Node reports either as an unhandled 'error' event with a stack trace, and a
 * command awaiting 'drain' would never see one.
 */

/** Why, and what to do next, per error code. */
const WHY: Record<string, string> = {
  ENOSPC:
    "the disk is full: free space on it (df -h) or write the output elsewhere, then run the command again",
  EDQUOT: "the disk quota is used up: free space or write the output elsewhere, then run the command again",
  EPIPE: "the reader of the output went away (a closed pipe, e.g. `| head`)",
};

/**
 * Listen for stdout's failure. A one-shot command stops at once (its output is incomplete, and
 * nothing it writes after that can arrive). A long-running one (`live`, `sim`) only says so once
 * and goes on: its stdout carries console lines, while the journal and the log file are what count.
 */
export function guardStdout(longRunning: boolean): void {
  let told = false;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (told) return;
    told = true;
    const code = error.code ?? "error";
    const why = WHY[code] ?? error.message;
    if (longRunning) {
      process.stderr.write(
        `cannot write to stdout (${code}: ${why}); console lines are dropped from now on, the journal and the log file are not affected\n`,
      );
      return;
    }
    // A reader that went away (`journal export … | head`) asked for no more: not a failure, and
    // nothing to say (as `journal sql` and the Unix tools do). A full disk is one.
    if (code === "EPIPE") process.exit(0);
    process.stderr.write(`cannot write the output to stdout (${code}), so it is incomplete: ${why}\n`);
    process.exit(1);
  });
}
