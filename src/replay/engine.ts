/**
 * The replay engine: one captured session, one strategy, one fill model → the run's events, its
 * summary, and parity against what live decided. Pure over its inputs (the source events, an
 * injected IdGen): the same inputs give byte-identical output, in a worker or not.
 */
import {
  canonicalJson,
  contractKey,
  type EventBody,
  type NewEvent,
  type OrderIntent,
  type PayloadOf,
  SeededIdGen,
  type StoredEvent,
} from "../events/index.js";
import { foldBook, toUsd } from "../projections/index.js";
import { type AnyStrategy, SessionFeed, StrategyRunner, strategyRef } from "../strategy/index.js";
import type { FillModel } from "./fill-model.js";

export interface ParityDiff {
  cycle: number;
  symbol: string;
  kind: "differ" | "missing-in-replay" | "missing-in-live";
  live: PayloadOf<"DecisionMade"> | null;
  replay: PayloadOf<"DecisionMade"> | null;
}

export interface Parity {
  equal: number;
  differ: number;
  missing: number;
  diffs: ParityDiff[];
}

export interface RunSummary {
  decisions: number;
  trades: number;
  wins: number;
  netPnlUsd: number;
  feesUsd: number;
  maxDrawdownUsd: number;
  fills: number;
}

export interface SessionReplay {
  session: string;
  run: string;
  /** Source events read. */
  events: number;
  /** The run's own events, in order (ReplayStarted … ReplayCompleted). */
  output: NewEvent[];
  replay: RunSummary;
  live: RunSummary;
  /** Null for a what-if (another strategy or other parameters than live's). */
  parity: Parity | null;
  unfilled: number;
  /** Decisions whose action, intents or reason changed from live (what-if and parity alike). */
  changed: ParityDiff[];
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
}

interface PendingOrder {
  intent: OrderIntent;
  orderId: number;
  decisionId: string;
  intendedId: string;
}

/** What parity compares: the decision itself, not the envelope it was written in. */
function comparable(d: PayloadOf<"DecisionMade">): string {
  return canonicalJson({
    action: d.action,
    reason: d.reason,
    intents: d.intents,
    signals: d.signals,
    saw: d.saw,
    strategy: d.strategy,
  });
}

function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Replay one session. */
export function replaySession(input: ReplayInput): SessionReplay {
  const source: StoredEvent[] = [...input.events];
  const opened = source.find(
    (e): e is StoredEvent<Extract<EventBody, { type: "SessionOpened" }>> => e.type === "SessionOpened",
  );
  const liveParams = opened?.payload.params ?? {};
  const parsed = input.strategy.params.safeParse({
    ...(opened?.payload.strategy.name === input.strategy.name ? liveParams : {}),
    ...input.paramOverrides,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `parameter "${issue?.path.join(".")}" of strategy ${input.strategy.name}: ${issue?.message}`,
    );
  }
  const params = parsed.data as Record<string, unknown>;
  const sameStrategy =
    opened !== undefined &&
    opened.payload.strategy.name === input.strategy.name &&
    opened.payload.strategy.version === input.strategy.version &&
    canonicalJson(input.strategy.params.parse(liveParams)) === canonicalJson(params);

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
    ]),
  );
  const ids = new SeededIdGen(seed);
  const firstTs = source[0]?.ts ?? 0;
  const run = `replay-${ids.next(firstTs)}`;
  const output: NewEvent[] = [];
  const emit = (event: NewEvent & { id: string }) => {
    output.push(event);
    return event.id;
  };

  emit({
    id: ids.next(firstTs),
    type: "ReplayStarted",
    version: 1,
    ts: firstTs,
    payload: {
      sourceJournal: input.sourceJournal,
      sourceStream: input.sourceStream,
      sourceSessions: [input.session],
      strategy: strategyRef(input.strategy),
      params,
      fillModel: { name: input.fillModel.name, params: input.fillModel.params },
      codeVersion: input.codeVersion,
    },
  });

  const pending: PendingOrder[] = [];
  let nextOrderId = 1;
  let execSeq = 0;
  const replayDecisions = new Map<string, PayloadOf<"DecisionMade">>();
  const liveDecisions = new Map<string, PayloadOf<"DecisionMade">>();

  const runner = new StrategyRunner(input.strategy, params);
  const feed = new SessionFeed(runner, (decision, at) => {
    replayDecisions.set(`${decision.cycle}|${decision.symbol}`, decision);
    const decisionId = ids.next(at.ts);
    emit({
      id: decisionId,
      type: "DecisionMade",
      version: 1,
      ts: at.ts,
      correlation: decisionId,
      payload: decision,
    });
    for (const intent of decision.intents) {
      const intendedId = emit({
        id: ids.next(at.ts),
        type: "OrderIntended",
        version: 1,
        ts: at.ts,
        causation: decisionId,
        correlation: decisionId,
        payload: { intent, dryRun: false },
      });
      pending.push({ intent, orderId: nextOrderId++, decisionId, intendedId });
    }
  });

  for (const event of source) {
    if (event.type === "DecisionMade")
      liveDecisions.set(`${event.payload.cycle}|${event.payload.symbol}`, event.payload);
    // Fills first: a quote fills only orders decided before it arrived.
    if (event.type === "QuoteSnapshot" && pending.length > 0) {
      const key = contractKey(event.payload.contract);
      for (let i = 0; i < pending.length; ) {
        const order = pending[i]!;
        const price =
          contractKey(order.intent.contract) === key
            ? input.fillModel.fillPrice(order.intent, event.payload)
            : null;
        if (price === null) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        const execId = `sim-${run.slice(7, 17)}-${++execSeq}`;
        const base = { ts: event.ts, causation: order.intendedId, correlation: order.decisionId };
        emit({
          ...base,
          id: ids.next(event.ts),
          type: "OrderFilled",
          version: 1,
          payload: {
            orderId: order.orderId,
            execId,
            contract: order.intent.contract,
            side: order.intent.side,
            quantity: order.intent.quantity,
            priceUsd: price,
            exchange: "REPLAY",
            simulated: true,
          },
        });
        emit({
          ...base,
          id: ids.next(event.ts),
          type: "CommissionReported",
          version: 1,
          payload: {
            execId,
            orderId: order.orderId,
            commissionUsd: input.fillModel.commission(order.intent.contract, order.intent.quantity),
            currency: "USD",
            realizedPnlUsd: null,
          },
        });
      }
    }
    feed.push(event);
  }

  // Parity (or, for a what-if, the decisions that changed).
  const diffs: ParityDiff[] = [];
  let equal = 0;
  for (const [key, live] of liveDecisions) {
    const replayed = replayDecisions.get(key);
    const [cycle, symbol] = [live.cycle, live.symbol];
    if (!replayed) diffs.push({ cycle, symbol, kind: "missing-in-replay", live, replay: null });
    else if (comparable(live) === comparable(replayed)) equal += 1;
    else diffs.push({ cycle, symbol, kind: "differ", live, replay: replayed });
  }
  for (const [key, replayed] of replayDecisions) {
    if (!liveDecisions.has(key))
      diffs.push({
        cycle: replayed.cycle,
        symbol: replayed.symbol,
        kind: "missing-in-live",
        live: null,
        replay: replayed,
      });
  }
  diffs.sort((a, b) => a.cycle - b.cycle || a.symbol.localeCompare(b.symbol));
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

  const lastTs = source[source.length - 1]?.ts ?? firstTs;
  const replaySummary = summarize(
    output.map(
      (e, i) =>
        ({
          ...(e as object),
          seq: i + 1,
          id: (e as { id: string }).id,
          stream: run,
          session: input.session,
          pos: i,
          causation: e.causation ?? null,
          correlation: e.correlation ?? null,
          hash: "",
        }) as StoredEvent,
    ),
    // Marks for open positions come from the source's quotes of the contracts the run traded.
    marksFor(source, output, run),
    run,
    input.session,
  );
  const liveSummary = summarize(source, [], input.sourceStream, input.session);
  emit({
    id: ids.next(lastTs),
    type: "ReplayCompleted",
    version: 1,
    ts: lastTs,
    payload: {
      events: source.length,
      decisions: replayDecisions.size,
      parity:
        parity === null ? null : { equal: parity.equal, differ: parity.differ, missing: parity.missing },
      trades: replaySummary.trades,
      netPnlUsd: replaySummary.netPnlUsd,
      maxDrawdownUsd: replaySummary.maxDrawdownUsd,
      unfilled: pending.length,
    },
  });
  return {
    session: input.session,
    run,
    events: source.length,
    output,
    replay: replaySummary,
    live: liveSummary,
    parity,
    unfilled: pending.length,
    changed,
  };
}

/** The source quotes of every contract the run filled, restamped into the run's stream. */
function marksFor(source: readonly StoredEvent[], output: readonly NewEvent[], run: string): StoredEvent[] {
  const traded = new Set(
    output.flatMap((e) => (e.type === "OrderFilled" ? [contractKey(e.payload.contract as never)] : [])),
  );
  if (traded.size === 0) return [];
  return source
    .filter((e) => e.type === "QuoteSnapshot" && traded.has(contractKey(e.payload.contract)))
    .map((e) => ({ ...e, stream: run }) as StoredEvent);
}

/** Fold a stream's events (plus extra mark quotes, merged in time order) into the summary numbers. */
function summarize(events: StoredEvent[], marks: StoredEvent[], stream: string, session: string): RunSummary {
  const merged =
    marks.length === 0
      ? events
      : [...events, ...marks].sort(
          (a, b) =>
            a.ts - b.ts || (a.type === "QuoteSnapshot" ? 1 : 0) - (b.type === "QuoteSnapshot" ? 1 : 0),
        );
  // Source events fold as they are; only a run merged with mark quotes needs a fresh sequence.
  const book = foldBook(
    merged === events ? events : merged.map((e, i) => ({ ...e, seq: i + 1 }) as StoredEvent),
  );
  const s = book.summaries.get(`${stream}|${session}`);
  const decisions = events.filter((e) => e.type === "DecisionMade").length;
  if (!s) return { decisions, trades: 0, wins: 0, netPnlUsd: 0, feesUsd: 0, maxDrawdownUsd: 0, fills: 0 };
  return {
    decisions,
    trades: s.trades.length,
    wins: s.wins,
    netPnlUsd: toUsd(s.netPnlMicros),
    feesUsd: toUsd(s.feesMicros),
    maxDrawdownUsd: toUsd(s.maxDrawdownMicros),
    fills: s.fills,
  };
}
