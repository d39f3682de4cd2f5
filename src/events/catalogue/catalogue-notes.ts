/**
 * Notes and tags: what a trader says about a session, a trade or an order, after the fact. A note
 * is an event like any other (the journal stays append-only): a correction is another note, and a
 * tag is a word on a note. Notes live in their own stream (`NOTES_STREAM`, catalogue-meta.ts), so a live or replay run stays
 * exactly what the bot wrote, and a note's `ts` is when it was written (often days after its
 * session: an import does not hold it to its session's day).
 */
import { z } from "../../vendor/index.js";

/** A tag: a short word to slice trades by (`journal trades --by tag`), e.g. `fomo`, `late-exit`. */
export const TagSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/,
    "a tag is 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit",
  );

export const NoteAdded = z.object({
  type: z.literal("NoteAdded"),
  version: z.literal(1),
  payload: z.object({
    /** The note itself; never empty. */
    text: z.string().trim().min(1).max(10_000),
    tags: z.array(TagSchema).max(20),
    /** The run the note is about (`live`, or a replay run id). */
    stream: z.string().min(1),
    /**
     * The round trip it is about: its number in the stream's session (`v_trades` by entry, from 1),
     * and the seqs of its opening and closing fills, which name it for good.
     */
    trade: z
      .object({
        number: z.number().int().positive(),
        openedSeq: z.number().int().nonnegative(),
        closedSeq: z.number().int().nonnegative(),
        contractKey: z.string().min(1),
      })
      .optional(),
    /** The order it is about: its key (the OrderIntended event's id) and IB's order id, if it was sent. */
    order: z.object({ orderKey: z.string().min(1), orderId: z.number().int().nullable() }).optional(),
  }),
});
