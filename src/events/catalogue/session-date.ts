/**
 * Whether a text is a trading session's date. It sits below the catalogue: the value schemas
 * (catalogue-values.ts) and the import line's envelope (jsonl-schema.ts) both refine with it.
 */

/** True for a real calendar date written `YYYY-MM-DD` (so `2026-13-45` is refused). */
export function isRealSessionDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.UTC rolls 2026-02-30 over into March: a real date survives the round trip unchanged.
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
