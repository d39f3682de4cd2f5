/**
 * The last net under every command: a SQLite failure that reached the CLI without passing through
 * the store's words (new code, a path the store does not wrap) still prints one line naming the
 * journal of the command line, never a stack trace.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { exitCodeOf } from "../../src/cli/exit-code.js";

const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("exitCodeOf for a raw SQLite failure", () => {
  let printed = "";
  afterEach(() => {
    vi.restoreAllMocks();
    printed = "";
  });
  const capture = () =>
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      printed += String(chunk);
      return true;
    });

  it("words a damaged file, a busy lock and a full file (a size limit: this disk has room), naming the --journal of the command line", async () => {
    capture();
    const argv = ["node", "journal", "sessions", "--journal", "data/pi.db"];
    for (const [code, message, words] of [
      [
        "SQLITE_CORRUPT",
        "database disk image is malformed",
        /^JournalDamaged: data\/pi\.db: .*journal restore/,
      ],
      [
        "SQLITE_BUSY",
        "database is locked",
        /^JournalBusy: data\/pi\.db: the journal is locked by another process/,
      ],
      [
        "SQLITE_FULL",
        "database or disk is full",
        /^JournalWriteFailed: data\/pi\.db: the journal reached a size limit \(SQLITE_FULL, yet/,
      ],
    ] as const) {
      printed = "";
      expect(await exitCodeOf(sqliteError(code, message), argv)).toBe(1);
      expect(printed).toMatch(words);
      expect(printed.trim().split("\n")).toHaveLength(1);
    }
  });

  it("takes --journal=PATH too, and a SQLite bug (no such table) is still reported as a bug", async () => {
    capture();
    expect(
      await exitCodeOf(sqliteError("SQLITE_NOTADB", "file is not a database"), [
        "node",
        "journal",
        "verify",
        "--journal=x.db",
      ]),
    ).toBe(1);
    expect(printed).toMatch(/^JournalDamaged: x\.db: /);
    printed = "";
    expect(
      await exitCodeOf(sqliteError("SQLITE_ERROR", "no such table: nope"), ["node", "journal", "sql"]),
    ).toBe(1);
    expect(printed).toMatch(/this is a bug/);
  });
});
