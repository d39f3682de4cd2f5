import { join } from "node:path";

/**
 * The journal writer child process (`test/fixtures/journal-writer.ts`), as built into dist/ by the
 * test run's global setup: crash tests spawn it 20 times, and a built script starts in a fifth of
 * the time tsx needs to compile it on each spawn.
 */
export const JOURNAL_WRITER = join(
  import.meta.dirname,
  "..",
  "..",
  "dist",
  "test",
  "fixtures",
  "journal-writer.js",
);

/** A child that holds a journal's writer lock until killed (`test/fixtures/lock-holder.ts`), built likewise. */
export const LOCK_HOLDER = join(
  import.meta.dirname,
  "..",
  "..",
  "dist",
  "test",
  "fixtures",
  "lock-holder.js",
);
