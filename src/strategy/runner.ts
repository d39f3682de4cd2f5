/**
 * StrategyRunner: the one engine both live and replay drive. It groups market events into
 * (cycle, symbol) inputs, asks the strategy to decide, and folds the decision and the outcomes of
 * its orders back into the strategy's state. Live calls `observe` as each market event is
 * journaled, `outcome` as each order event is journaled, and `decide` after a symbol's requests;
 * replay calls the same three methods while walking a captured session.
 */
import {
  type DayHours,
  dayHoursOf,
  defaultDayHours,
  JournalError,
  MARKET_EVENT_TYPES,
  newYorkParts,
  type PayloadOf,
  type StoredEvent,
} from "../events/index.js";
import {
  type AnyStrategy,
  type CycleInput,
  type Decision,
  type MarketEvent,
  type OrderOutcome,
  strategyRef,
} from "./contract.js";
import { type DeadlineGuard, noDeadline, StrategyDeadlineExceeded } from "./deadline.js";
import {
  assessFreshness,
  DEFAULT_CYCLE_MS,
  type FreshnessMemory,
  type InputFreshness,
  rememberBars,
} from "./freshness.js";

const MARKET_TYPES: ReadonlySet<string> = new Set(MARKET_EVENT_TYPES);

/** True for the events a strategy is fed. */
export function isMarketEvent(event: StoredEvent): event is MarketEvent {
  return MARKET_TYPES.has(event.type);
}

/** The symbol a market event is about. */
export function symbolOf(event: MarketEvent): string {
  switch (event.type) {
    case "BarsReceived":
      return event.payload.contract.symbol;
    case "OptionChainReceived":
      return event.payload.symbol;
    case "QuoteSnapshot":
      return event.payload.contract.symbol;
    default: {
      const never: never = event;
      throw new Error(`unhandled market event ${(never as { type: string }).type}`);
    }
  }
}

/**
 * The strategy's own code threw: a mistake in the strategy (a user's module, often), not in the
 * journal or the engine. Says which strategy, in which call, and where in its code.
 */
export class StrategyFailed extends JournalError {
  /** True when the call was stopped at its deadline rather than throwing by itself. */
  readonly timedOut: boolean;
  constructor(strategy: AnyStrategy, call: string, error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    const timedOut = error instanceof StrategyDeadlineExceeded;
    // The first frame of the strategy's own stack: where to look, without the engine's frames.
    const at = error instanceof Error && !timedOut ? /\n\s+at (.*)/.exec(error.stack ?? "")?.[1] : undefined;
    super(
      "STRATEGY_FAILED",
      `strategy ${strategy.name} ${strategy.version} ${timedOut ? "hung" : "threw"} in ${call}: ${message}${at ? ` (at ${at})` : ""} — fix the strategy, or run another with --strategy`,
    );
    this.timedOut = timedOut;
  }
}

/** How the runner calls the strategy. */
export interface StrategyRunnerOptions {
  /** Every evolve and decide runs under this guard (`deadlineGuard(ms)`); default: none. */
  readonly guard?: DeadlineGuard;
}

export class StrategyRunner<Params = unknown, State = unknown> {
  private state: State;
  private pending: MarketEvent[] = [];
  private pendingSymbol: string | null = null;
  private readonly chains = new Map<string, PayloadOf<"OptionChainReceived">>();
  private readonly hours = new Map<string, PayloadOf<"TradingHoursReceived">>();
  private readonly guard: DeadlineGuard;
  private readonly freshness = new Map<string, FreshnessMemory>();
  private readonly assessed = new Map<string, InputFreshness>();
  private cycleMs = DEFAULT_CYCLE_MS;
  private configuredCycleMs = DEFAULT_CYCLE_MS;
  private lastCycleStartMs: number | null = null;
  private lastCycleGapMs: number | null = null;

  constructor(
    readonly strategy: AnyStrategy,
    readonly params: Params,
    options: StrategyRunnerOptions = {},
  ) {
    this.guard = options.guard ?? noDeadline;
    try {
      this.state = strategy.initialState(params) as State;
    } catch (error) {
      throw new StrategyFailed(strategy, "initialState", error);
    }
  }

  /** The symbol whose market events are waiting for a decision, if any. */
  get waitingSymbol(): string | null {
    return this.pendingSymbol;
  }

  /** The time of the last market event waiting for a decision (the decision's time), if any. */
  get pendingLastTs(): number | null {
    return this.pending.at(-1)?.ts ?? null;
  }

  /** Feed one journaled market event. */
  observe(event: MarketEvent): void {
    const symbol = symbolOf(event);
    if (this.pendingSymbol !== null && this.pendingSymbol !== symbol) {
      throw new Error(
        `StrategyRunner: ${symbol} data arrived while ${this.pendingSymbol} waits for a decision — call decide() first`,
      );
    }
    this.pendingSymbol = symbol;
    this.pending.push(event);
    rememberBars(this.memoryOf(symbol), event);
    if (event.type === "OptionChainReceived") this.chains.set(symbol, event.payload);
    this.evolve(event);
  }

  /**
   * The gateway's hours for a symbol (a journaled `TradingHoursReceived`): every later decision for
   * it reads its day's session from them. Not a market event: it changes no state and no decision
   * point, only what `CycleInput.hours` says, so a replay of a session without them decides as before.
   */
  tradingHours(payload: PayloadOf<"TradingHoursReceived">): void {
    this.hours.set(payload.symbol, payload);
  }

  /**
   * A journaled event that is not fed to the strategy but sets what its decisions are told: the
   * gateway's hours, a request live skipped, a cycle's start, the session's cycle interval. Live's
   * listener and the replay's feed both hand every such event here (the feed after flushing).
   */
  context(event: StoredEvent): void {
    switch (event.type) {
      case "SessionOpened":
        this.cycleLength((event.payload.cycleSeconds ?? DEFAULT_CYCLE_MS / 1000) * 1000);
        return;
      case "CycleStarted":
        this.newCycle(event.payload.gatewayTimeMs);
        return;
      case "TradingHoursReceived":
        this.tradingHours(event.payload);
        return;
      case "RequestSkipped":
        this.requestSkipped(event.payload);
        return;
      default:
        return;
    }
  }

  /** Live's configured cycle interval (`SessionOpened.cycleSeconds`): the least a cycle is taken to last. */
  cycleLength(cycleMs: number): void {
    this.configuredCycleMs = cycleMs;
    this.cycleMs = Math.max(cycleMs, this.lastCycleGapMs ?? 0);
  }

  /**
   * A new cycle began at `gatewayTimeMs` (`CycleStarted`): the last cycle's skipped requests are
   * history. The strategy reads bar ages in cycles as long as the last one was on the gateway's
   * clock, at least the configured interval: a simulator's clock may run faster than the interval.
   */
  newCycle(gatewayTimeMs: number): void {
    for (const memory of this.freshness.values()) memory.skipped = [];
    if (this.lastCycleStartMs !== null && gatewayTimeMs > this.lastCycleStartMs)
      this.lastCycleGapMs = gatewayTimeMs - this.lastCycleStartMs;
    this.lastCycleStartMs = gatewayTimeMs;
    this.cycleMs = Math.max(this.configuredCycleMs, this.lastCycleGapMs ?? 0);
  }

  /** Live skipped a request for a symbol this cycle (`RequestSkipped`): its decision is told. */
  requestSkipped(payload: PayloadOf<"RequestSkipped">): void {
    this.memoryOf(payload.symbol).skipped.push(payload);
  }

  /** How fresh a symbol's inputs were at its last decision (undefined before one). */
  lastFreshness(symbol: string): InputFreshness | undefined {
    return this.assessed.get(symbol);
  }

  private memoryOf(symbol: string): FreshnessMemory {
    let memory = this.freshness.get(symbol);
    if (!memory) {
      memory = { lastBarEndMs: null, skipped: [] };
      this.freshness.set(symbol, memory);
    }
    return memory;
  }

  /**
   * Feed one outcome of the strategy's own orders (an order event as journaled). It changes the
   * state at once and does not touch the market events waiting for a decision: a fill may land
   * between two quotes of another symbol, live and in replay alike.
   */
  outcome(event: OrderOutcome): void {
    this.evolve(event);
  }

  private evolve(event: Parameters<AnyStrategy["evolve"]>[1]): void {
    try {
      const { strategy, state, params } = this;
      this.state = this.guard(() => strategy.evolve(state, event, params)) as State;
    } catch (error) {
      const seq = "seq" in event ? ` at seq ${event.seq}` : "";
      throw new StrategyFailed(this.strategy, `evolve (${event.type}${seq})`, error);
    }
  }

  /**
   * Decide for the symbol whose events were observed since the last decision, and fold the
   * decision into the state under `decisionId` — the id it is journaled with, which its order
   * events carry as `correlation`. Returns null when nothing was observed (no decision is made
   * then: the rule live and replay share).
   */
  decide(cycle: number, decisionId: string): PayloadOf<"DecisionMade"> | null {
    const symbol = this.pendingSymbol;
    const events = this.pending;
    if (symbol === null || events.length === 0) return null;
    this.pending = [];
    this.pendingSymbol = null;
    const nowMs = events[events.length - 1]!.ts;
    const memory = this.memoryOf(symbol);
    const freshness = assessFreshness(symbol, nowMs, events, memory, this.cycleMs);
    memory.skipped = [];
    this.assessed.set(symbol, freshness);
    const input = buildCycleInput(
      cycle,
      symbol,
      events,
      this.chains.get(symbol) ?? null,
      this.hours.get(symbol),
      freshness,
    );
    let decision: Decision;
    try {
      const { strategy, state, params } = this;
      decision = this.guard(() => strategy.decide(state, input, params));
    } catch (error) {
      throw new StrategyFailed(this.strategy, `decide (cycle ${cycle}, ${symbol})`, error);
    }
    const payload: PayloadOf<"DecisionMade"> = {
      strategy: strategyRef(this.strategy),
      cycle,
      symbol,
      action: decision.action,
      reason: decision.reason,
      saw: events.map((e) => e.id),
      intents: decision.intents,
      signals: decision.signals,
    };
    this.evolve({ type: "DecisionMade", id: decisionId, payload });
    return payload;
  }

  /**
   * Forget the events observed since the last decision without deciding (their state changes
   * stay): a cycle cut short by a crash or an error never decided, in live or in replay.
   */
  discardPending(): void {
    this.pending = [];
    this.pendingSymbol = null;
  }

  /** A read-only look at the state, for tests and reports. */
  get currentState(): State {
    return this.state;
  }
}

function buildCycleInput(
  cycle: number,
  symbol: string,
  events: readonly MarketEvent[],
  chain: PayloadOf<"OptionChainReceived"> | null,
  gatewayHours: PayloadOf<"TradingHoursReceived"> | undefined,
  freshness: InputFreshness,
): CycleInput {
  let bars: CycleInput["bars"] = [];
  let underlying: CycleInput["underlying"] = null;
  const options: PayloadOf<"QuoteSnapshot">[] = [];
  for (const event of events) {
    if (event.type === "BarsReceived") bars = event.payload.bars;
    else if (event.type === "QuoteSnapshot") {
      if (event.payload.contract.secType === "STK") underlying = event.payload;
      else options.push(event.payload);
    }
  }
  const last = events[events.length - 1];
  const nowMs = last ? last.ts : 0;
  return {
    cycle,
    symbol,
    nowMs,
    events,
    bars,
    underlying,
    options,
    chain,
    hours: hoursOn(nowMs, gatewayHours),
    freshness,
  };
}

/** The day's session at `nowMs`: the gateway's, where its hours cover the day, else 09:30–16:00. */
function hoursOn(nowMs: number, gatewayHours: PayloadOf<"TradingHoursReceived"> | undefined): DayHours {
  const date = newYorkParts(nowMs).date;
  return (gatewayHours && dayHoursOf(gatewayHours, date)) ?? defaultDayHours(date);
}
