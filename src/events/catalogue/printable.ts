/**
 * Text that is safe to show a person: what came from input (an import line, a journal's cells, a
 * gateway's frames, a URL) must neither drive the terminal nor give a password away. It sits at the
 * bottom of src/events so that errors built anywhere (errors.ts) and every printer in the CLI use
 * the same two functions.
 */

/**
 * C0 controls, DEL, C1 controls (U+009B is a one-character CSI to a terminal that reads 8-bit
 * controls) and the bidirectional overrides and isolates ("Trojan source": text that reads
 * differently from what it holds). Line and paragraph separators break a line like \n does.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character escaped (`\x1b`, `\u009b`, `\u202e`) except those in `keep`
 * (by default a newline and a tab, which a message may hold). Idempotent: its output has no
 * control character left to escape.
 *
 * @example
 * printable("bad\x1b]0;pwned\x07 line") // → "bad\\x1b]0;pwned\\x07 line"
 * printable("a\nb", "")                 // → "a\\nb" (one table cell, one line)
 */
export function printable(text: string, keep = "\n\t"): string {
  return text.replace(CONTROL, (c) => {
    if (keep.includes(c)) return c;
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    const code = c.charCodeAt(0);
    return code < 0x80
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * Every URL's password in `text` masked, whatever the scheme (a `mysql://u:pw@…` given by mistake
 * is printed too) and wherever the URL sits in the text; a `password=` query parameter as well.
 * The password runs to the last `@` before a space, quote or angle bracket (where a URL ends in a
 * message, in JSON or in HTML): one that holds an unencoded `@` is still masked whole (masking some
 * of the host is the safe side). Idempotent.
 *
 * @example
 * maskPassword("postgres://user:secret@host/db") // → "postgres://user:***@host/db"
 * maskPassword("cannot open mysql://u:pw@h/db")  // → "cannot open mysql://u:***@h/db"
 */
export function maskPassword(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s"<>:/?#@]*:)[^\s"<>]*@/gi, "$1***@")
    .replace(/([?&]password=)[^&\s"<>]*/gi, "$1***");
}

/** A message for a person: passwords masked, then control characters escaped (newlines and tabs kept). */
export function forPeople(text: string): string {
  return printable(maskPassword(text));
}
