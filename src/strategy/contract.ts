/**
 * The strategy contract. A strategy is pure code (STYLE: decide and evolve): it never touches the
 * clock, randomness, the network or the journal. Live and replay run the same object through the
 * same `StrategyRunner`; only the edges differ.
 *
 * Its state is its own belief about the book: it evolves from the market events it saw and from
 * its own decisions (an entry is assumed filled at the quote it decided on). That keeps decisions
 * a function of market events and parameters alone, so a replay reproduces them byte for byte
 * whether the live run was dry, paper or real. Fills, refusals and P&L are the projections' job.
 */
import type { z } from "zod";
import type { Bar, EventOf, OrderIntent, PayloadOf, StoredEvent, StrategyRef } from "../events/index.js";

/** The market events a strategy is fed, exactly as they sit in the journal. */
export type MarketEvent =
  | StoredEvent<EventOf<"BarsReceived">>
  | StoredEvent<EventOf<"OptionChainReceived">>
  | StoredEvent<EventOf<"QuoteSnapshot">>;

/** What the strategy decided for one symbol in one cycle. */
export interface Decision {
  action: "hold" | "enter" | "exit";
  reason: string;
  intents: OrderIntent[];
  /** Indicator values behind the decision (null where not computable yet). */
  signals: Record<string, number | null>;
}

/** Everything the strategy may look at when it decides for one symbol in one cycle. */
export interface CycleInput {
  cycle: number;
  symbol: string;
  /** Decision time: the last market event's time (the gateway's clock live, the event time in replay). */
  nowMs: number;
  /** The market events of this symbol in this cycle, in journal order. */
  events: readonly MarketEvent[];
  bars: readonly Bar[];
  underlying: PayloadOf<"QuoteSnapshot"> | null;
  options: readonly PayloadOf<"QuoteSnapshot">[];
  /** The latest option chain seen for the symbol (fetched once per session). */
  chain: PayloadOf<"OptionChainReceived"> | null;
}

/** Something that changes a strategy's state: a market event, or its own decision. */
export type StrategyEvent = MarketEvent | { type: "DecisionMade"; payload: PayloadOf<"DecisionMade"> };

export interface Strategy<Params = Record<string, unknown>, State = unknown> {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Parameters with their defaults; `--param key=value` and the config are parsed through it. */
  readonly params: z.ZodType<Params>;
  initialState(params: Params): State;
  /** Fold one event into the state. Must not mutate `state`. */
  evolve(state: State, event: StrategyEvent, params: Params): State;
  /** Decide for one symbol in one cycle. Must be a pure function of its arguments. */
  decide(state: State, input: CycleInput, params: Params): Decision;
}

/** A strategy with its parameters erased, as registries and loaders hand it around. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds strategies of any parameter/state type
export type AnyStrategy = Strategy<any, any>;

export function strategyRef(strategy: AnyStrategy): StrategyRef {
  return { name: strategy.name, version: strategy.version };
}

/** Why a module is not a strategy, or null if it is one. */
export function contractViolations(candidate: unknown): string[] {
  const problems: string[] = [];
  if (typeof candidate !== "object" || candidate === null) return ["it exports no object"];
  const c = candidate as Record<string, unknown>;
  for (const key of ["name", "version", "description"]) {
    if (typeof c[key] !== "string" || (c[key] as string).length === 0) problems.push(`a string "${key}"`);
  }
  const params = c.params as { safeParse?: unknown } | undefined;
  if (typeof params?.safeParse !== "function") problems.push(`a zod schema "params"`);
  for (const fn of ["initialState", "evolve", "decide"]) {
    if (typeof c[fn] !== "function") problems.push(`a function "${fn}"`);
  }
  return problems;
}
