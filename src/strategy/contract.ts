/**
 * The strategy contract. A strategy is pure code (STYLE: decide and evolve): it never touches the
 * clock, randomness, the network or the journal. Live and replay run the same object through the
 * same `StrategyRunner`; only the edges differ.
 *
 * Its state evolves from the market events it saw, from its own decisions, and from the outcomes
 * of its own orders as the journal recorded them (DESIGN: orders and outcomes): filled, partly
 * filled, refused by risk, not sent (dry run), cancelled, rejected. It never assumes a fill. Live
 * feeds each outcome as it is journaled; replay feeds the recorded outcomes (parity) or the fill
 * model's and the shared risk rules' (what-if), through the same `StrategyRunner`.
 */

import {
  type Bar,
  type DayHours,
  type EventOf,
  ORDER_EVENT_TYPES,
  type OrderIntent,
  type PayloadOf,
  type StoredEvent,
  type StrategyRef,
} from "../events/index.js";
import type { z } from "../vendor/index.js";
import type { InputFreshness } from "./freshness.js";

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
  /**
   * The regular session of the decision's day: the gateway's liquid hours journaled at session
   * open (`TradingHoursReceived`), else 09:30–16:00 New York (`source: "default"`, sessions
   * recorded without them). On a 13:00 close `closeMs` is 13:00: read times of day against it.
   */
  hours: DayHours;
  /**
   * How fresh these inputs are (the last bar's age, requests live skipped, snapshots without a
   * price), from the journal: replay feeds what live fed. `reasons` is empty when all is fresh.
   */
  freshness: InputFreshness;
}

/**
 * Its own decision, with the id the journal gave it: every order event it causes carries that id
 * as `correlation`, so a strategy links outcomes to the decision (and intent) behind them.
 */
export interface OwnDecision {
  readonly type: "DecisionMade";
  readonly id: string;
  readonly payload: PayloadOf<"DecisionMade">;
}

/** The order event types a strategy is fed (the journal's own: `ORDER_EVENT_TYPES`). */
export type OrderOutcomeType =
  | "OrderIntended"
  | "OrderRefused"
  | "OrderSubmitted"
  | "OrderStatusChanged"
  | "OrderFilled"
  | "CommissionReported"
  | "OrderCancelled"
  | "OrderRejected";

/**
 * What became of its own orders, as journaled: the event body plus the envelope fields that link
 * it to its decision. `correlation` is the decision id (null for an order no decision of this run
 * caused, e.g. one placed by hand); `causation` the event it answers (intent → refusal, …).
 * Read it as: OrderIntended (`dryRun` true = never sent), OrderRefused (risk said no),
 * OrderSubmitted (working, with the gateway's `orderId`), OrderStatusChanged, OrderFilled (one
 * execution: a partial fill is one of several), CommissionReported, OrderCancelled, OrderRejected.
 */
export type OrderOutcome = {
  [T in OrderOutcomeType]: EventOf<T> & {
    readonly id: string;
    readonly ts: number;
    readonly causation: string | null;
    readonly correlation: string | null;
  };
}[OrderOutcomeType];

/** True for the journal events that are order outcomes a strategy is fed. */
export function isOrderOutcome(event: Pick<StoredEvent, "type">): event is OrderOutcome & StoredEvent {
  return ORDER_EVENT_TYPES.has(event.type);
}

/** Something that changes a strategy's state: a market event, its own decision, or an order outcome. */
export type StrategyEvent = MarketEvent | OwnDecision | OrderOutcome;

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
