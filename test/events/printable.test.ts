/**
 * The text a person sees: control characters from input escaped, passwords masked (catalogue/printable.ts),
 * and journal errors built with both applied.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidEvent, JournalUnavailable, maskPassword, printable } from "../../src/events/index.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be left in printable text
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe("printable", () => {
  it("escapes an escape sequence, C1 controls and bidi overrides, and keeps newlines and tabs", () => {
    expect(printable("a\x1b]0;pwned\x07b")).toBe("a\\x1b]0;pwned\\x07b");
    expect(printable("\u009b31m red \u202e")).toBe("\\u009b31m red \\u202e");
    expect(printable("x\ny\tz\r")).toBe("x\ny\tz\\r");
    expect(printable("x\ny\tz", "")).toBe("x\\ny\\tz");
    expect(printable("ünïcödé ✓ 𝄞")).toBe("ünïcödé ✓ 𝄞");
  });

  it("property: leaves no control character and is idempotent", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const once = printable(s);
        expect(once).not.toMatch(CONTROLS);
        expect(printable(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe("maskPassword", () => {
  it("masks a URL's password whatever the scheme and wherever it sits in a message", () => {
    expect(maskPassword("postgres://user:secret@host/db")).toBe("postgres://user:***@host/db");
    expect(maskPassword("--to mysql://u:pw@h/db: expected a PostgreSQL URL")).toBe(
      "--to mysql://u:***@h/db: expected a PostgreSQL URL",
    );
    expect(maskPassword("postgresql://u:p@ss:w/rd@h:5432/db x")).toBe("postgresql://u:***@h:5432/db x");
    expect(maskPassword("postgres://u@h/db?sslmode=require&password=hunter2")).toBe(
      "postgres://u@h/db?sslmode=require&password=***",
    );
    expect(maskPassword('{"to":"postgres://u:pw@h/db","n":"a@b"}')).toBe(
      '{"to":"postgres://u:***@h/db","n":"a@b"}',
    );
  });

  it("leaves URLs without a password and plain text as they are, and is idempotent", () => {
    for (const text of [
      "postgres://alice@db.lan/fleet",
      "postgres://db.lan:5432/fleet",
      "data/journal.db",
      "a:b@c",
    ])
      expect(maskPassword(text)).toBe(text);
    expect(maskPassword(maskPassword("postgres://u:pw@h/db"))).toBe("postgres://u:***@h/db");
  });

  it("property: the password never survives, however it is spelled", () => {
    const password = fc.stringMatching(/^[A-Za-z0-9!$&'()*+,;=%@:/-]{6,20}$/);
    fc.assert(
      fc.property(password, (pw) => {
        const masked = maskPassword(`cannot open postgres://user:${pw}@db.lan:5432/fleet; check it`);
        expect(masked).not.toContain(`:${pw}@`);
        expect(masked).toContain("postgres://user:***@");
      }),
      { numRuns: 500 },
    );
  });
});

describe("journal errors are safe to print as built", () => {
  it("mask the password and escape what they quote from input", () => {
    expect(new JournalUnavailable("postgres://u:hunter2@h/db", "cannot open").message).toBe(
      "JournalUnavailable: postgres://u:***@h/db: cannot open",
    );
    const quoted = new InvalidEvent("Ses\x1b]0;pwned\x07", "type", "is not in the catalogue", "line 1");
    expect(quoted.message).not.toMatch(CONTROLS);
    expect(quoted.message).toContain("Ses\\x1b]0;pwned\\x07");
  });
});
