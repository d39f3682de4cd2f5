/**
 * The replay engine: one captured session, one strategy, one source of order outcomes → the run's
 * events, its summary, and parity against what live decided. Pure over its inputs (the source
 * events, an injected IdGen): the same inputs give byte-identical output, in a worker or not.
 *
 * Outcomes (DESIGN: orders and outcomes) — what the strategy learns became of its orders:
 * - `recorded`, the parity check: the order events the source journal recorded for live's orders,
 *   fed where they sit and copied into the run, so decisions, trades and P&L equal live's.
 * - `simulated`, the what-if: each intent passes the shared risk rules against the run's own book,
 *   then fills by the fill model (simulated-broker.ts): at its decision's quote, or at a later quote
 *   of its contract; an order no quote fills stays working (the strategy keeps waiting) and is
 *   reported as unfilled.
 * `auto` (the default) is `recorded` when the strategy, its version and its parameters are live's,
 * else `simulated`.
 */
import {
  canonicalJson,
  contractKey,
  type NewEvent,
  type OptionContract,
  type PayloadOf,
  SeededIdGen,
  type StoredEvent,
} from "../events/index.js";
import {
  BOOK_EVENT_TYPES,
  DEFAULT_RISK_LIMITS,
  evolveBook,
  initialBook,
  isWorking,
  type RiskLimits,
} from "../projections/index.js";
import {
  type AnyStrategy,
  DEFAULT_STRATEGY_DEADLINE_MS,
  type DecisionWindow,
  deadlineBatches,
  inWindow,
  isOrderOutcome,
  type MarketEvent,
  SessionFeed,
  StrategyDeadlineExceeded,
  StrategyFailed,
  StrategyRunner,
  strategyRef,
} from "../strategy/index.js";
import type { FillModel } from "./fill-model.js";
import { type ModelError, modelErrorOnLiveFills } from "./model-error.js";
import { QuoteModeller } from "./quote-model.js";
import { RunLog } from "./run-log.js";
import { concatEvents, type OutcomeMode, planRun, sessionOpenedAfterAll, untilOpened } from "./run-plan.js";
import {
  compareDecisions,
  marksFor,
  type Parity,
  type ParityDiff,
  type RunSummary,
  summarize,
  summarizeFolded,
} from "./run-summary.js";
import { SimulatedBroker } from "./simulated-broker.js";
import { orderContract, SourceKeeper, WholeDayNeeded } from "./source-keeper.js";

export type { Parity, ParityDiff, RunSummary } from "./run-summary.js";

/**
 * What a replay reports of a session once its run is in the output journal: everything but the
 * run's events (a long replay would otherwise hold every run in memory to the end).
 */
export type ReplayedSession = Omit<SessionReplay, "output" | "baseline"> & {
  baseline?: { run: string; summary: RunSummary };
};

export interface SessionReplay {
  session: string;
  run: string;
  /** Which outcomes the strategy was fed. */
  outcomes: OutcomeMode;
  /** Source events read. */
  events: number;
  /** The run's own events, in order (ReplayStarted … ReplayCompleted). */
  output: NewEvent[];
  replay: RunSummary;
  live: RunSummary;
  /** Null for a what-if (another strategy or other parameters than live's). */
  parity: Parity | null;
  /** Orders of the run that ended (or the session ended) without filling in full, refusals aside. */
  unfilled: number;
  /** Decisions whose action, intents or reason changed from live (what-if and parity alike). */
  changed: ParityDiff[];
  /**
   * Simulated runs: live's own strategy and parameters through the same fill model and risk rules
   * (this run itself when it is live's strategy; absent without a SessionOpened to name it). The
   * change's effect is replay − baseline; the fill model's error is baseline − live.
   */
  baseline?: { run: string; summary: RunSummary; output: NewEvent[] };
  /** Simulated runs: the fill model's error on live's own fills. */
  modelError?: ModelError;
  /** Only some cycles decided (`--from`/`--to`); live's figures are still the whole day's. */
  windowed?: boolean;
  /**
   * Simulated runs: quotes the run modelled for contracts live did not quote (`modelled` in its
   * events), fills made at them, and positions closed at their last mark when the session ended.
   */
  modelled?: { quotes: number; fills: number; closedAtEnd: number };
}

export interface ReplayInput {
  session: string;
  sourceJournal: string;
  sourceStream: string;
  /** The source session's events in seq order (any stream filter already applied). */
  events: Iterable<StoredEvent>;
  strategy: AnyStrategy;
  /** Overrides merged over live's parameters (from SessionOpened). */
  paramOverrides: Record<string, unknown>;
  fillModel: FillModel;
  codeVersion: string;
  /** `auto` (default): recorded for live's own strategy and parameters, simulated otherwise. */
  outcomes?: OutcomeMode | "auto";
  /** The risk limits of a simulated run (default: live's, from SessionOpened, else the config defaults). */
  riskLimits?: RiskLimits;
  /** Only cycles that start in this window decide (`--from`/`--to`); every event is still fed. */
  window?: DecisionWindow;
  /** Each strategy call's deadline, ms (default live's, from SessionOpened, else 3000; 0: none). */
  strategyDeadlineMs?: number;
  /**
   * Live's figures of this session, when a caller running many sets over it already has them
   * (a sweep): the same for every run of the session, so folded once rather than once per set.
   */
  live?: RunSummary;
  /**
   * Keep of the source only what the end of the run reads (source-keeper.ts), not every book
   * event: for a day that is streamed rather than held. A day where that would change a figure
   * throws `WholeDayNeeded`, and the caller replays it again without this.
   */
  keepOrderedOnly?: boolean;
  /**
   * False: the caller looked, and the session has no SessionOpened, so nothing is read ahead for
   * one (without it the whole day was). Meeting one all the same throws `WholeDayNeeded`.
   */
  sessionOpened?: boolean;
  /** Simulated runs: also work out the fill model's error on live's own fills (`modelError`). */
  withModelError?: boolean;
}

function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * How many cycles a run reads before it runs them. Each batch starts its own watchdog (a read must
 * never count against a strategy's deadline), which costs more than its thread: a 200 k-event
 * replay ran 5 % faster with no deadline at all. What a batch holds outlives the collector's young
 * generation once it spans more than a few MB of allocation: at 64 cycles (most of a day, bars and
 * all) 400 MB of such a replay was copied into the old generation, at 8 or 16 cycles 175 MB. Over
 * five alternating rounds 16 cycles ran in 0.93 of the time of 64 and 0.96 of 8, at 0.90 of 64's CPU.
 */
const READ_AHEAD_CYCLES = 16;

/** The source events a run keeps to the end: those its book, marks and live's figures fold. */
const KEPT_TYPES: ReadonlySet<string> = new Set(BOOK_EVENT_TYPES);

/**
 * Replay one session, in one pass over its events: bars, cycles and anything else no figure folds
 * are fed to the strategy and dropped, so a day is never all in memory (its bars were most of a
 * replay's garbage collection when it was).
 */
export function replaySession(input: ReplayInput): SessionReplay {
  const { head, opened, rest } = untilOpened(input.events, input.sessionOpened ?? true);
  if (opened && input.sessionOpened === false) throw sessionOpenedAfterAll(input.session);
  const { params, sameStrategy, mode } = planRun(
    input.session,
    opened,
    input.strategy,
    input.paramOverrides,
    input.outcomes ?? "auto",
  );

  // The run id and every event id come from the inputs, so the same replay twice is byte-identical.
  const seed = hashText(
    canonicalJson([
      input.sourceJournal,
      input.session,
      input.sourceStream,
      strategyRef(input.strategy),
      params,
      input.fillModel.name,
      input.fillModel.params,
      mode,
      // Other code is another run: replaying after a change adds a run beside the old one.
      input.codeVersion,
    ]),
  );
  const ids = new SeededIdGen(seed);
  const firstTs = head[0]?.ts ?? 0;
  const run = `replay-${ids.next(firstTs)}`;
  /** The source's book events the end of the run reads (all of them, or the ordered contracts' alone). */
  const keeper = new SourceKeeper(input.keepOrderedOnly !== true);
  const log = new RunLog(run, input.session, (event) => {
    const contract = orderContract(event);
    if (contract) keeper.want(contract);
  });
  /** Live's book, folded as the day is read (unless the caller has live's figures already). */
  const foldLive = input.live === undefined;
  let liveBook = initialBook;

  log.emit({
    id: ids.next(firstTs),
    type: "ReplayStarted",
    version: 2,
    ts: firstTs,
    payload: {
      sourceJournal: input.sourceJournal,
      sourceStream: input.sourceStream,
      sourceSessions: [input.session],
      strategy: strategyRef(input.strategy),
      params,
      fillModel: { name: input.fillModel.name, params: input.fillModel.params },
      codeVersion: input.codeVersion,
      outcomes: mode,
    },
  });

  const replayDecisions = new Map<string, PayloadOf<"DecisionMade">>();
  const liveDecisions = new Map<string, PayloadOf<"DecisionMade">>();
  // The deadline live ran under, so a call that hung live hangs here too and is stopped alike.
  const deadlineMs =
    input.strategyDeadlineMs ?? opened?.payload.strategyDeadlineMs ?? DEFAULT_STRATEGY_DEADLINE_MS;
  const runner = new StrategyRunner(input.strategy, params);
  // The limits live ran with (journaled since SessionOpened carries them), else the config defaults.
  const limits = input.riskLimits ?? opened?.payload.risk ?? DEFAULT_RISK_LIMITS;
  /** Recorded mode: source event id → the id of its counterpart in the run. */
  const idMap = new Map<string, string>();
  const mapped = (id: string | null) => (id === null ? null : (idMap.get(id) ?? null));

  /** Simulated mode: an outcome the run produced, journaled in the run and fed to the strategy. */
  const outcome = (event: NewEvent & { id: string }): StoredEvent => {
    const stored = log.emit(event);
    if (isOrderOutcome(stored)) runner.outcome(stored);
    return stored;
  };
  const broker = new SimulatedBroker(run, log, ids, input.fillModel, limits, outcome);
  const modeller = new QuoteModeller();
  let modelledQuotes = 0;
  /** Simulated mode: a modelled quote of each contract the run holds or rests an order on that live did not quote. */
  const supplement = (symbol: string, atMs: number): MarketEvent[] => {
    const wanted = new Map<string, OptionContract>();
    for (const p of log.book.positions.byKey.values())
      if (
        p.stream === run &&
        p.quantity !== 0 &&
        p.contract.secType === "OPT" &&
        p.contract.symbol === symbol
      )
        wanted.set(contractKey(p.contract), p.contract);
    for (const c of broker.restingContracts(symbol)) if (c.secType === "OPT") wanted.set(contractKey(c), c);
    const added: MarketEvent[] = [];
    for (const [key, contract] of wanted) {
      if (broker.quotedThisCycle(key)) continue;
      const payload = modeller.quote(contract, atMs, { reqId: 0, requestedAtMs: atMs, latencyMs: 0 });
      if (!payload) continue;
      const stored = log.emit({ id: ids.next(atMs), type: "QuoteSnapshot", version: 1, ts: atMs, payload });
      broker.observe(stored);
      modelledQuotes += 1;
      added.push(stored as MarketEvent);
    }
    return added;
  };

  const feed = new SessionFeed(
    runner,
    (decision, at, decisionId) => {
      replayDecisions.set(`${decision.cycle}|${decision.symbol}`, decision);
      // Recorded: the strategy knows the decision by live's id (its outcomes' correlation); the run writes its own.
      const runId = mode === "recorded" ? ids.next(at.ts) : decisionId;
      if (mode === "recorded") idMap.set(decisionId, runId);
      log.emit({
        id: runId,
        type: "DecisionMade",
        version: 1,
        ts: at.ts,
        correlation: runId,
        payload: decision,
      });
      if (mode === "recorded") return;
      broker.decide(decision, at, decisionId);
    },
    {
      outcomes: mode === "recorded" ? "recorded" : "caller",
      newDecisionId: (at) => ids.next(at.ts),
      ...(input.window === undefined ? {} : { window: input.window }),
      ...(mode === "simulated" ? { supplement } : {}),
    },
  );

  let read = 0;
  let lastTs = firstTs;
  /** One source event through the run: what the loop below does per event, under the cycle's deadline. */
  const step = (event: StoredEvent): void => {
    read += 1;
    lastTs = event.ts;
    if (KEPT_TYPES.has(event.type)) {
      keeper.keep(event);
      if (foldLive) liveBook = evolveBook(liveBook, event);
      if (event.type === "SessionOpened" && input.sessionOpened === false)
        throw sessionOpenedAfterAll(input.session);
    }
    if (event.type === "DecisionMade" && inWindow(input.window, feed.currentCycleTs ?? event.ts))
      liveDecisions.set(`${event.payload.cycle}|${event.payload.symbol}`, event.payload);
    if (mode === "recorded") {
      feed.push(event);
      // Copied after the feed saw it: a DecisionMade has just been mapped to the run's decision.
      if (isOrderOutcome(event)) {
        const copyId = ids.next(event.ts);
        idMap.set(event.id, copyId);
        log.emit({
          id: copyId,
          type: event.type,
          version: event.version,
          ts: event.ts,
          causation: mapped(event.causation),
          correlation: mapped(event.correlation),
          payload: event.payload,
        } as NewEvent & { id: string });
      }
      return;
    }
    if (event.type === "QuoteSnapshot") log.mark(event);
    modeller.observe(event);
    broker.observe(event);
    feed.push(event);
  };
  // A strategy that never returns is stopped at its deadline, a cycle at a time: each cycle gets
  // its whole deadline, under one watchdog per batch of cycles rather than one per call or per
  // cycle, which cost a replay 5× and 1.3× its engine (`npm run bench:read`). Live stops each call;
  // a cycle's calls together take milliseconds, far under either deadline.
  const batches = deadlineBatches(deadlineMs);
  /** Cycles read ahead and not yet run: a batch's watchdog covers only strategy work, never a read. */
  const pending: StoredEvent[][] = [];
  let cycleNo = 0;
  const runCycle = (events: readonly StoredEvent[]) => {
    const first = events[0];
    if (first?.type === "CycleStarted") cycleNo = first.payload.cycle;
    for (const event of events) step(event);
  };
  const runPending = () => {
    try {
      batches(pending, runCycle);
    } catch (error) {
      if (error instanceof StrategyDeadlineExceeded)
        throw new StrategyFailed(input.strategy, `cycle ${cycleNo} of ${input.session}`, error);
      throw error;
    }
    pending.length = 0;
  };
  let cycleEvents: StoredEvent[] = [];
  for (const event of concatEvents(head, rest)) {
    if (event.type === "CycleStarted" && cycleEvents.length > 0) {
      pending.push(cycleEvents);
      cycleEvents = [];
      if (pending.length === READ_AHEAD_CYCLES) runPending();
    }
    cycleEvents.push(event);
  }
  pending.push(cycleEvents);
  runPending();
  // Fills due after the last source event are reported at their time, before the day is summed.
  broker.report(Number.POSITIVE_INFINITY);
  if (mode === "simulated") {
    // What the run still holds closes at its last mark: its P&L is complete, and says so (`session-end`).
    const open = [...log.book.positions.byKey.values()].filter((p) => p.stream === run && p.quantity !== 0);
    broker.closeAtEnd(open, lastTs, (contract) =>
      contract.secType === "OPT"
        ? modeller.quote(contract, lastTs, { reqId: 0, requestedAtMs: lastTs, latencyMs: 0 })
        : null,
    );
  }

  // Parity (or, for a what-if, the decisions that changed).
  const { equal, diffs } = compareDecisions(liveDecisions, replayDecisions);
  const parity: Parity | null = sameStrategy
    ? {
        equal,
        differ: diffs.filter((d) => d.kind === "differ").length,
        missing: diffs.filter((d) => d.kind !== "differ").length,
        diffs,
      }
    : null;
  const changed = diffs.filter(
    (d) =>
      d.kind !== "differ" ||
      d.live?.action !== d.replay?.action ||
      canonicalJson(d.live?.intents) !== canonicalJson(d.replay?.intents),
  );

  let unfilled = 0;
  for (const order of log.book.orders.get(`${run}|${input.session}`)?.byKey.values() ?? []) {
    const ended = order.phase === "cancelled" || order.phase === "rejected";
    if (isWorking(order) || (ended && order.filledQuantity < order.intent.quantity)) unfilled += 1;
  }
  const source = keeper.events();
  // Figures from a part of the day only where they are those of the whole day (else read it again).
  if (!keeper.coversMarks(log.stored, source))
    throw new WholeDayNeeded(`${input.session}: a quote the run's marks start at was not kept`);
  const modelError = mode === "simulated" && input.withModelError === true;
  if ((foldLive || modelError) && !keeper.coversLiveFills(source))
    throw new WholeDayNeeded(`${input.session}: a quote live's fills are priced at was not kept`);
  // Marks come from the source's quotes of the contracts the run traded, journaled into the run.
  log.journalMarks(marksFor(source, log.stored), (ts) => ids.next(ts));
  const replaySummary = summarize(log.stored, [], run, input.session);
  const liveSummary =
    input.live ?? summarizeFolded(liveBook, source, input.sourceStream, input.session, lastTs - firstTs);
  log.emit({
    id: ids.next(lastTs),
    type: "ReplayCompleted",
    version: 1,
    ts: lastTs,
    payload: {
      events: read,
      decisions: replayDecisions.size,
      parity:
        parity === null ? null : { equal: parity.equal, differ: parity.differ, missing: parity.missing },
      trades: replaySummary.trades,
      netPnlUsd: replaySummary.netPnlUsd,
      maxDrawdownUsd: replaySummary.maxDrawdownUsd,
      unfilled,
    },
  });
  return {
    session: input.session,
    run,
    outcomes: mode,
    events: read,
    output: log.output,
    replay: replaySummary,
    live: liveSummary,
    parity,
    unfilled,
    changed,
    ...(input.window?.fromTs !== undefined || input.window?.toTs !== undefined ? { windowed: true } : {}),
    ...(modelError ? { modelError: modelErrorOnLiveFills(source, input.fillModel) } : {}),
    ...(mode === "simulated"
      ? {
          modelled: {
            quotes: modelledQuotes,
            fills: broker.counts.modelledFills,
            closedAtEnd: broker.counts.closedAtEnd,
          },
        }
      : {}),
  };
}
