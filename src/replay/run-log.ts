/**
 * RunLog: the events a replay run writes, kept three ways at once — as new events for the output
 * journal, as stored events (stamped into the run's stream) to feed the strategy and the summary,
 * and folded into the run's own book, which the shared risk rules read.
 */
import type { NewEvent, StoredEvent } from "../events/index.js";
import { type BookState, evolveBook, foldOrder, initialBook, positionKey } from "../projections/index.js";

export class RunLog {
  readonly output: NewEvent[] = [];
  readonly stored: StoredEvent[] = [];
  private bookState: BookState = initialBook;
  private seq = 0;

  /** `watch`: told of each event the run emits, as it is emitted. */
  constructor(
    readonly run: string,
    readonly session: string,
    private readonly watch?: (event: StoredEvent) => void,
  ) {}

  /** The run's book: positions, working orders and session P&L, marked at the source's quotes. */
  get book(): BookState {
    return this.bookState;
  }

  /** Append one event to the run; returns it as stored in the run's stream. */
  emit(event: NewEvent & { id: string }): StoredEvent {
    this.output.push(event);
    const stored = this.stamp(event);
    this.stored.push(stored);
    this.bookState = evolveBook(this.bookState, stored);
    this.watch?.(stored);
    return stored;
  }

  /**
   * Journal the source quotes the run's P&L is marked at (`marksFor`), merged into the run in time
   * order, each after the run's own events of its instant (the order `foldSession` folds them in).
   * The run's journal then folds to the figures the replay prints, with or without its source at
   * hand: `journal rebuild`, the SQL tables and the report agree with the summary.
   */
  journalMarks(marks: readonly StoredEvent[], nextId: (ts: number) => string): void {
    if (marks.length === 0) return;
    const quotes: (NewEvent & { id: string })[] = marks.map((quote) => ({
      id: nextId(quote.ts),
      ts: quote.ts,
      causation: quote.id,
      correlation: null,
      type: "QuoteSnapshot",
      version: quote.version,
      payload: quote.payload,
    })) as (NewEvent & { id: string })[];
    // Every event of the run came through `emit`, which takes it with its id.
    const emitted = this.output as (NewEvent & { id: string })[];
    const merged = [...emitted, ...quotes].sort(foldOrder);
    this.output.length = 0;
    this.stored.length = 0;
    this.seq = 0;
    for (const event of merged) {
      this.output.push(event);
      this.stored.push(this.stamp(event));
    }
  }

  /** Mark a position the run holds at a source quote (the book only: the run does not copy quotes). */
  mark(quote: StoredEvent): void {
    if (quote.type !== "QuoteSnapshot") return;
    if (!this.bookState.positions.byKey.has(positionKey(this.run, quote.payload.contract))) return;
    this.bookState = evolveBook(this.bookState, { ...quote, stream: this.run, seq: ++this.seq });
  }

  /**
   * The event as the run's stream stores it, named field by field in the order the journal's read
   * builds its events (stored-event.ts): the run's events and the source's, which the same folds
   * read, then share one shape.
   */
  private stamp(event: NewEvent & { id: string }): StoredEvent {
    this.seq += 1;
    return {
      seq: this.seq,
      id: event.id,
      stream: this.run,
      session: this.session,
      pos: this.stored.length,
      type: event.type,
      version: event.version,
      ts: event.ts,
      causation: event.causation ?? null,
      correlation: event.correlation ?? null,
      payload: event.payload,
      hash: "",
    } as StoredEvent;
  }
}
