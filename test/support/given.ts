/**
 * given/when/then helpers (after Emmett's DeciderSpecification) for projections and strategies:
 *
 *   given(events).then((book) => expect(book…))
 *
 * `stored()` turns plain bodies into stored events with seq, ids and times, so a specification
 * reads as the list of what happened.
 */
import type { EventBodyInput, PayloadOf, StoredEvent } from "../../src/events/index.js";
import { catalogueSchemas } from "../../src/events/index.js";
import { type BookState, foldBook } from "../../src/projections/index.js";
import { type AnyStrategy, StrategyRunner } from "../../src/strategy/index.js";

export interface StoredOptions {
  stream?: string;
  session?: string;
  startTs?: number;
  startSeq?: number;
}

/** Plain bodies → stored events (validated by the catalogue, so a specification can't hold a bad event). */
export function stored(
  bodies: readonly (EventBodyInput & { causation?: string; correlation?: string; id?: string })[],
  options: StoredOptions = {},
): StoredEvent[] {
  const {
    stream = "live",
    session = "2026-02-04",
    startTs = Date.UTC(2026, 1, 4, 15),
    startSeq = 1,
  } = options;
  return bodies.map((body, i) => {
    const parsed = catalogueSchemas().EventSchema.parse({
      type: body.type,
      version: body.version,
      payload: body.payload,
    });
    return {
      ...parsed,
      seq: startSeq + i,
      id: body.id ?? `EV${String(startSeq + i).padStart(24, "0")}`,
      stream,
      session,
      pos: startSeq + i - 1,
      ts: startTs + i * 1000,
      causation: body.causation ?? null,
      correlation: body.correlation ?? null,
      hash: "",
    } as StoredEvent;
  });
}

/** `given(events).then(assert)` for the book projection. */
export function given(events: readonly StoredEvent[]) {
  return {
    // biome-ignore lint/suspicious/noThenProperty: given/when/then reads as a specification (Emmett style)
    then(assert: (book: BookState) => void): void {
      assert(foldBook(events));
    },
  };
}

/**
 * A strategy specification (after Emmett's DeciderSpecification), through the real StrategyRunner:
 *
 *   givenStrategy(trendVwap).cycle(marketEvents).outcomes([filled(2.05)]).cycle(more).last
 *
 * Each `cycle` feeds one cycle's market events of one symbol and asks for a decision (decision
 * `D<cycle>`); `outcomes` feeds order events as the journal would hold them, correlated to the
 * latest decision unless a body names its own `correlation`.
 */
export function givenStrategy(
  strategy: AnyStrategy,
  params: Record<string, unknown> = {},
  startTs = Date.UTC(2026, 1, 4, 15, 15),
) {
  const runner = new StrategyRunner(strategy, strategy.params.parse(params));
  const decisions: { id: string; decision: PayloadOf<"DecisionMade"> }[] = [];
  let cycle = 0;
  let seq = 1;
  const spec = {
    cycle(bodies: readonly EventBodyInput[]) {
      cycle += 1;
      const events = stored(bodies as never, { startTs: startTs + (cycle - 1) * 300_000, startSeq: seq });
      seq += events.length;
      for (const event of events) runner.observe(event as never);
      const id = `D${cycle}`;
      const decision = runner.decide(cycle, id);
      if (decision) decisions.push({ id, decision });
      return spec;
    },
    /** The gateway's hours for a symbol, as a journaled `TradingHoursReceived` hands them to the runner. */
    hours(payload: PayloadOf<"TradingHoursReceived">) {
      runner.tradingHours(payload);
      return spec;
    },
    outcomes(
      bodies: readonly (EventBodyInput & { correlation?: string; causation?: string; id?: string })[],
    ) {
      const correlation = decisions.at(-1)?.id;
      const events = stored(bodies.map((b) => ({ ...(correlation ? { correlation } : {}), ...b })) as never, {
        startTs: startTs + (cycle - 1) * 300_000 + 60_000,
        startSeq: seq,
      });
      seq += events.length;
      for (const event of events) runner.outcome(event as never);
      return spec;
    },
    get decisions(): PayloadOf<"DecisionMade">[] {
      return decisions.map((d) => d.decision);
    },
    get last(): PayloadOf<"DecisionMade"> {
      const last = decisions.at(-1);
      if (!last) throw new Error("no decision was made");
      return last.decision;
    },
    get state(): unknown {
      return runner.currentState;
    },
  };
  return spec;
}
