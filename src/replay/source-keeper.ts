/**
 * What a replay keeps of its source session until the day ends. Live's book is folded as the day
 * is read (engine.ts); what the end of the run still reads from the source is small: the order
 * events and decisions, and the quotes of the contracts somebody ordered — what the run's marks
 * (`marksFor`), live's modelled fills and the fill model's error on live's fills look at.
 *
 * Why not keep every quote: a day's quotes were most of what a replay held to its end (1,640 of a
 * synthetic day's 2,300 events), so each outlived the collector's young generation and was copied
 * into the old one. For 200 k events, 410 MB was; with this (and 16 cycles read ahead, engine.ts)
 * 172 MB, the scavenges' pauses fell from ~800 to ~450 ms and the peak RSS from 240 to 213 MB.
 *
 * A quote is read before anybody knows whether an order will name its contract later, so the last
 * `RECENT` quotes of each other contract are kept in case one does (the quote before the first
 * order is where its marks and its slippage start). What those consumers need of the dropped ones
 * is checked when the day is over (`covers…`): a day where a dropped quote would have counted is
 * replayed again from the whole day (`WholeDayNeeded`), so the figures never depend on this.
 */
import { type Contract, contractKey, type StoredEvent } from "../events/index.js";

/** Quotes kept of each contract nobody has ordered yet: a cycle's quote and a few before it. */
const RECENT = 4;

/**
 * The day cannot be replayed from what was kept: a dropped quote would have counted, or the read
 * met what its plan assumed absent (a SessionOpened). The caller replays the session again with
 * the whole day kept; never seen by a user.
 */
export class WholeDayNeeded extends Error {}

/**
 * The contract an order that may trade names: intended, submitted or filled. Not a refused one:
 * it never fills, so nothing at the end prices its contract, and a strike the risk rules refused
 * all day need not keep its quotes to the end.
 */
export function orderContract(event: StoredEvent): Contract | null {
  switch (event.type) {
    case "OrderIntended":
    case "OrderSubmitted":
      return event.payload.intent.contract;
    case "OrderFilled":
      return event.payload.contract;
    default:
      return null;
  }
}

export class SourceKeeper {
  private readonly kept: StoredEvent[] = [];
  /** Contracts an order has named: every quote of theirs from then on is kept. */
  private readonly wanted = new Set<string>();
  /** The latest quotes of each contract not wanted (yet), oldest first. */
  private readonly recent = new Map<string, StoredEvent[]>();
  /** Per contract: the seq of the last quote dropped and the latest time of any dropped. */
  private readonly dropped = new Map<string, { lastSeq: number; maxTs: number }>();
  /** Dropped quote id → its contract's key. */
  private readonly droppedIds = new Map<string, string>();

  /** `whole`: keep every book event (a day already held whole, or the fallback's second read). */
  constructor(readonly whole: boolean) {}

  /**
   * The contract's own key: one stream's quotes, so no stream prefix, and not `positionKey`'s memo,
   * which a quote just parsed always misses (a WeakMap entry per quote for the collector to trace).
   */
  private keyOf(contract: Contract): string {
    return contractKey(contract);
  }

  /** One of the source's book events, in read order. */
  keep(event: StoredEvent): void {
    if (this.whole) {
      this.kept.push(event);
      return;
    }
    if (event.type !== "QuoteSnapshot") {
      this.kept.push(event);
      const contract = orderContract(event);
      if (contract) this.want(contract);
      return;
    }
    const key = this.keyOf(event.payload.contract);
    if (this.wanted.has(key)) {
      this.kept.push(event);
      return;
    }
    let recent = this.recent.get(key);
    if (!recent) {
      recent = [];
      this.recent.set(key, recent);
    }
    recent.push(event);
    if (recent.length <= RECENT) return;
    const out = recent.shift()!;
    const was = this.dropped.get(key);
    if (was) {
      was.lastSeq = out.seq;
      was.maxTs = Math.max(was.maxTs, out.ts);
    } else this.dropped.set(key, { lastSeq: out.seq, maxTs: out.ts });
    this.droppedIds.set(out.id, key);
  }

  /** An order (live's or the run's) names `contract`: keep its quotes from now on. */
  want(contract: Contract): void {
    if (this.whole) return;
    const key = this.keyOf(contract);
    if (this.wanted.has(key)) return;
    this.wanted.add(key);
    const recent = this.recent.get(key);
    if (!recent) return;
    for (const quote of recent) this.kept.push(quote);
    this.recent.delete(key);
  }

  /** What was kept, in read order (the recent quotes of contracts nobody ordered included). */
  events(): StoredEvent[] {
    if (this.whole) return this.kept;
    for (const recent of this.recent.values()) for (const quote of recent) this.kept.push(quote);
    this.recent.clear();
    // Flushed recent quotes sit after events read later than they were.
    return this.kept.sort((a, b) => a.seq - b.seq);
  }

  /** Every quote of `key` read after seq `seq` was kept. */
  private keptAfter(key: string, seq: number): boolean {
    const dropped = this.dropped.get(key);
    return dropped === undefined || dropped.lastSeq <= seq;
  }

  /**
   * `marksFor` of the kept events gives the run's marks of the whole day: for each contract the run
   * filled, no dropped quote is at or after the run's first order in it, and one kept before that
   * order stands in for the dropped ones (only the last quote before it is a mark).
   */
  coversMarks(run: readonly StoredEvent[], kept: readonly StoredEvent[]): boolean {
    if (this.whole || this.dropped.size === 0) return true;
    const from = new Map<string, number>();
    const filled = new Set<string>();
    for (const e of run) {
      if (e.type !== "OrderIntended" && e.type !== "OrderFilled") continue;
      const key = this.keyOf(orderContract(e)!);
      if (!from.has(key)) from.set(key, e.ts);
      if (e.type === "OrderFilled") filled.add(key);
    }
    const firstKept = new Map<string, number>();
    for (const e of kept)
      if (e.type === "QuoteSnapshot") {
        const key = this.keyOf(e.payload.contract);
        if (!firstKept.has(key)) firstKept.set(key, e.ts);
      }
    for (const key of filled) {
      const dropped = this.dropped.get(key);
      if (!dropped) continue;
      const start = from.get(key)!;
      const first = firstKept.get(key);
      if (dropped.maxTs >= start || first === undefined || first >= start) return false;
    }
    return true;
  }

  /**
   * Live's real fills can be priced from the kept events as from the whole day: every quote of a
   * fill's contract after its order was intended (live's modelled fills, the fill model's error)
   * and the quotes of that contract its decision saw are there.
   */
  coversLiveFills(kept: readonly StoredEvent[]): boolean {
    if (this.whole || this.dropped.size === 0) return true;
    const seqOf = new Map<string, number>();
    const orderFrom = new Map<number, number>();
    const decisions = new Map<string, readonly string[]>();
    for (const e of kept) {
      if (e.type === "OrderIntended") seqOf.set(e.id, e.seq);
      else if (e.type === "OrderSubmitted")
        orderFrom.set(
          e.payload.orderId,
          (e.causation === null ? undefined : seqOf.get(e.causation)) ?? e.seq,
        );
      else if (e.type === "DecisionMade") decisions.set(e.id, e.payload.saw);
      else if (e.type === "OrderFilled" && e.payload.simulated !== true) {
        const key = this.keyOf(e.payload.contract);
        const from = orderFrom.get(e.payload.orderId);
        if (from !== undefined && !this.keptAfter(key, from)) return false;
        // Of what its decision saw, only the quotes of the fill's own contract price it.
        const saw = e.correlation === null ? undefined : decisions.get(e.correlation);
        if (saw?.some((id) => this.droppedIds.get(id) === key)) return false;
      }
    }
    return true;
  }
}
