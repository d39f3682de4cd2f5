/**
 * The book: positions, orders, session summaries and reconciliation folded together, because
 * they share inputs (a fill moves a position, completes an order and changes the equity curve).
 * `evolveBook` is the single source of truth; the SQL tables are written from its state.
 *
 * Orders and summaries are kept per stream+session, in persistent maps (./persistent-map.ts): a
 * step shares what it did not change, so its cost does not grow with the journal.
 */
import { contractKey, type EventBody, type PayloadOf, type StoredEvent } from "../events/index.js";
import type { Micros } from "./money.js";
import { evolveOrders, initialOrders, type OrdersState } from "./orders.js";
import { PersistentMap } from "./persistent-map.js";
import {
  evolvePositions,
  initialPositions,
  NO_MONEY,
  type Position,
  type PositionsState,
  positionKey,
} from "./positions.js";
import {
  chargeTrip,
  evolveTrips,
  initialTrips,
  noteQuotePoint,
  type RoundTrip,
  type TripsState,
} from "./round-trips.js";

export interface EquityPoint {
  readonly ts: number;
  readonly seq: number;
  readonly equityMicros: Micros;
}

/**
 * What a person wants to know about one stream's session at a glance.
 *
 * A session's P&L is what the session made: P&L realized in it, plus what is open at its last
 * event marked at the last quote (mid, else last; a position never quoted is marked at its last
 * fill), fees included. Positions are folded per stream (they may outlive a session, and the
 * gateway reconciles them per account), so each summary remembers the stream's equity when the
 * session began and reports the difference: day 2 never shows day 1's result. Drawdown is
 * measured from the session's own peak, starting at 0.
 */
export interface SessionSummary {
  readonly stream: string;
  readonly session: string;
  readonly cycles: number;
  readonly cyclesByStatus: Readonly<Record<string, number>>;
  readonly decisions: number;
  readonly decisionsByAction: Readonly<Record<string, number>>;
  readonly ordersIntended: number;
  readonly ordersRefused: number;
  /** Refusals counted by the rule that refused them. */
  readonly refusalsByRule: Readonly<Record<string, number>>;
  readonly fills: number;
  /** Round trips closed in the session, in closing order. */
  readonly trades: readonly RoundTrip[];
  readonly wins: number;
  /** Realized P&L before commissions, µ$. */
  readonly grossPnlMicros: Micros;
  readonly feesMicros: Micros;
  /** Realized + unrealized − fees at the session's last event, µ$. */
  readonly netPnlMicros: Micros;
  readonly maxDrawdownMicros: Micros;
  readonly peakEquityMicros: Micros;
  /** Largest gross notional held at once, µ$. */
  readonly maxExposureMicros: Micros;
  readonly noticesByCode: Readonly<Record<string, number>>;
  /**
   * Session equity after each fill, each cycle and each new deepest drawdown (bounded by cycles,
   * not by quotes): draw it stepped, the value holds until the next point.
   */
  readonly equityCurve: readonly EquityPoint[];
  /** The stream's equity, realized P&L before fees, and fees when the session began (its zero). */
  readonly openingEquityMicros: Micros;
  readonly openingGrossMicros: Micros;
  readonly openingFeesMicros: Micros;
}

export interface BookState {
  readonly lastSeq: number;
  readonly positions: PositionsState;
  /** `stream|session` → orders of that session (persistent: one per session the journal holds). */
  readonly orders: PersistentMap<OrdersState>;
  /** `stream|session` → summary, in the order the sessions began (persistent, as `orders`). */
  readonly summaries: PersistentMap<SessionSummary>;
  /** Latest positions the gateway reported, per stream. */
  readonly reported: ReadonlyMap<string, PayloadOf<"PositionsReported">>;
  /** Open round trips and what they need (decision quotes, stop distances). */
  readonly trips: TripsState;
}

/**
 * The event types that can change the book. Bars, chains, health and account values never do, so
 * rebuilds read only these (the fold still handles every type: it just ignores the rest).
 */
export const BOOK_EVENT_TYPES = [
  "SessionOpened",
  "ReplayStarted",
  "CycleCompleted",
  "DecisionMade",
  "GatewayNotice",
  "QuoteSnapshot",
  "OrderIntended",
  "OrderRefused",
  "OrderSubmitted",
  "OrderStatusChanged",
  "OrderFilled",
  "CommissionReported",
  "OrderCancelled",
  "OrderRejected",
  "PositionsReported",
] as const satisfies readonly StoredEvent["type"][];

export const initialBook: BookState = {
  lastSeq: 0,
  positions: initialPositions,
  orders: PersistentMap.empty(),
  summaries: PersistentMap.empty(),
  reported: new Map(),
  trips: initialTrips,
};

/** The stream's money right now: equity (realized + unrealized, net of fees), gross realized, fees. */
function streamMoney(positions: PositionsState, stream: string) {
  const m = positions.money.get(stream) ?? NO_MONEY;
  return {
    equity: m.realizedMicros + m.unrealizedMicros,
    gross: m.realizedMicros + m.feesMicros,
    fees: m.feesMicros,
    exposure: m.exposureMicros,
  };
}

/** A session before its first event; `positions` is the stream's book then (its zero). */
export function emptySummary(
  stream: string,
  session: string,
  positions: PositionsState = initialPositions,
): SessionSummary {
  const opening = streamMoney(positions, stream);
  return {
    stream,
    session,
    cycles: 0,
    cyclesByStatus: {},
    decisions: 0,
    decisionsByAction: {},
    ordersIntended: 0,
    ordersRefused: 0,
    refusalsByRule: {},
    fills: 0,
    trades: [],
    wins: 0,
    grossPnlMicros: 0,
    feesMicros: 0,
    netPnlMicros: 0,
    maxDrawdownMicros: 0,
    peakEquityMicros: 0,
    maxExposureMicros: 0,
    noticesByCode: {},
    equityCurve: [],
    openingEquityMicros: opening.equity,
    openingGrossMicros: opening.gross,
    openingFeesMicros: opening.fees,
  };
}

const bump = (counts: Readonly<Record<string, number>>, key: string): Record<string, number> => ({
  ...counts,
  [key]: (counts[key] ?? 0) + 1,
});

/**
 * `stream|session`, the key of a session's summary and orders: the last one built is handed back
 * for the same pair (every event of a day asks), the same string, which the persistent map then
 * recognises without hashing it again.
 */
let lastKey = { stream: "", session: "", key: "|" };
function sessionKeyOf(stream: string, session: string): string {
  if (lastKey.stream !== stream || lastKey.session !== session)
    lastKey = { stream, session, key: `${stream}|${session}` };
  return lastKey.key;
}

/**
 * A quote of a contract with no position and no open round trip in its stream, in a session the
 * book already summarises: positions, trips and the summary would all come back unchanged.
 */
function quotesNothing(
  state: BookState,
  event: StoredEvent<Extract<EventBody, { type: "QuoteSnapshot" }>>,
): boolean {
  const key = positionKey(event.stream, event.payload.contract);
  return (
    !state.positions.byKey.has(key) &&
    !state.trips.open.has(key) &&
    state.summaries.has(sessionKeyOf(event.stream, event.session))
  );
}

/** Fold one stored event into the book. */
export function evolveBook(state: BookState, event: StoredEvent): BookState {
  // Most of a day is quotes of contracts nobody holds: they move nothing but the checkpoint.
  // (Its model computation is still remembered: a trip opened next starts its greek split there.)
  if (event.type === "QuoteSnapshot" && quotesNothing(state, event))
    return {
      lastSeq: event.seq,
      positions: state.positions,
      orders: state.orders,
      summaries: state.summaries,
      reported: state.reported,
      trips: noteQuotePoint(state.trips, event),
    };
  return evolveBookFully(state, event);
}

/** `evolveBook` without its shortcut for quotes that move nothing (a property test holds them equal). */
export function evolveBookFully(state: BookState, event: StoredEvent): BookState {
  const { state: positions, closed, lateCommission } = evolvePositions(state.positions, event);
  const sessionKey = sessionKeyOf(event.stream, event.session);

  let orders = state.orders;
  if (isOrderEvent(event)) {
    const before = orders.get(sessionKey) ?? initialOrders;
    const after = evolveOrders(before, event);
    if (after !== before) orders = orders.set(sessionKey, after);
  }

  let reported = state.reported;
  if (event.type === "PositionsReported") reported = new Map(reported).set(event.stream, event.payload);

  const { state: trips, trip } = evolveTrips(state.trips, event, closed, orders.get(sessionKey));

  const before = state.summaries.get(sessionKey);
  // A quote that moved no money (a flat position's new mark) changes no figure of the summary.
  const moved =
    positions !== state.positions &&
    !(event.type === "QuoteSnapshot" && positions.money === state.positions.money);
  let summary = evolveSummary(
    before ?? emptySummary(event.stream, event.session, state.positions),
    event,
    positions,
    moved,
    trip,
  );
  if (lateCommission) summary = chargeLastTrade(summary, lateCommission.key, lateCommission.micros);
  // Most events (quotes, bars) leave the summary as it was: then the map is the same one.
  const summaries = summary === before ? state.summaries : state.summaries.set(sessionKey, summary);
  return { lastSeq: event.seq, positions, orders, summaries, reported, trips };
}

/** Fold many events: `foldBook(events)` equals `events.reduce(evolveBook, initialBook)`. */
export function foldBook(events: Iterable<StoredEvent>, from: BookState = initialBook): BookState {
  let state = from;
  for (const event of events) state = evolveBook(state, event);
  return state;
}

/** Charge a commission that arrived after its closing fill to the trade it closed. */
function chargeLastTrade(summary: SessionSummary, key: string, micros: Micros): SessionSummary {
  for (let i = summary.trades.length - 1; i >= 0; i--) {
    const trade = summary.trades[i]!;
    if (trade.key !== key) continue;
    const charged = chargeTrip(trade, micros);
    const trades = [...summary.trades.slice(0, i), charged, ...summary.trades.slice(i + 1)];
    const wins = summary.wins - (trade.pnlMicros > 0 ? 1 : 0) + (charged.pnlMicros > 0 ? 1 : 0);
    return { ...summary, trades, wins };
  }
  return summary;
}

function isOrderEvent(event: StoredEvent): boolean {
  switch (event.type) {
    case "OrderIntended":
    case "OrderRefused":
    case "OrderSubmitted":
    case "OrderStatusChanged":
    case "OrderFilled":
    case "OrderCancelled":
    case "OrderRejected":
      return true;
    default:
      return false;
  }
}

function streamPositions(positions: PositionsState, stream: string): Position[] {
  const out: Position[] = [];
  for (const p of positions.byKey.values()) if (p.stream === stream) out.push(p);
  return out;
}

function evolveSummary(
  summary: SessionSummary,
  event: StoredEvent,
  positions: PositionsState,
  positionsChanged: boolean,
  closed: RoundTrip | null,
): SessionSummary {
  // Each changed field is worked out first and the summary built once, field by field: a spread
  // of its 23 fields (twice for a fill) was most of a fold's time on a replay's output.
  let {
    cycles,
    cyclesByStatus,
    decisions,
    decisionsByAction,
    ordersIntended,
    ordersRefused,
    refusalsByRule,
    fills,
    noticesByCode,
    trades,
    wins,
  } = summary;
  let counted = true;
  switch (event.type) {
    case "CycleCompleted":
      cycles += 1;
      cyclesByStatus = bump(cyclesByStatus, event.payload.status);
      break;
    case "DecisionMade":
      decisions += 1;
      decisionsByAction = bump(decisionsByAction, event.payload.action);
      break;
    case "OrderIntended":
      ordersIntended += 1;
      break;
    case "OrderRefused":
      ordersRefused += 1;
      refusalsByRule = bump(refusalsByRule, event.payload.rule);
      break;
    case "OrderFilled":
      fills += 1;
      break;
    case "GatewayNotice":
      noticesByCode = bump(noticesByCode, String(event.payload.code));
      break;
    case "SessionOpened":
    case "SessionClosed":
    case "GatewayConnected":
    case "GatewayDisconnected":
    case "CycleStarted":
    case "BarsReceived":
    case "OptionChainReceived":
    case "OptionStrikesReceived":
    case "QuoteSnapshot":
    case "TradingHoursReceived":
    case "OrderSubmitted":
    case "OrderStatusChanged":
    case "CommissionReported":
    case "OrderCancelled":
    case "OrderRejected":
    case "PositionsReported":
    case "AccountReported":
    case "HealthSampled":
    case "HealthWarning":
    case "ReplayStarted":
    case "ReplayCompleted":
    case "PositionMismatch":
    case "PositionsAgreed":
    case "RequestSkipped":
    case "SweepSetSummarized":
    case "AlertDelivered":
    case "AlertFailed":
    case "NoteAdded":
      counted = false;
      break;
    default: {
      const never: never = event;
      throw new Error(`evolveSummary: unhandled event type ${(never as StoredEvent).type}`);
    }
  }
  if (closed) {
    trades = [...trades, closed];
    wins += closed.pnlMicros > 0 ? 1 : 0;
  }
  const remarked = positionsChanged || event.type === "CycleCompleted";
  if (!counted && !closed && !remarked) return summary;

  let {
    grossPnlMicros,
    feesMicros,
    netPnlMicros,
    peakEquityMicros,
    maxDrawdownMicros,
    maxExposureMicros,
    equityCurve,
  } = summary;
  if (remarked) {
    // Session equity: the stream's realized (net of fees) + unrealized, less what it was at the session's start.
    const money = streamMoney(positions, event.stream);
    const equity = money.equity - summary.openingEquityMicros;
    const peak = Math.max(peakEquityMicros, equity);
    const deeper = peak - equity > maxDrawdownMicros;
    if (
      deeper ||
      event.type === "CycleCompleted" ||
      event.type === "OrderFilled" ||
      event.type === "CommissionReported"
    )
      equityCurve = [...equityCurve, { ts: event.ts, seq: event.seq, equityMicros: equity }];
    grossPnlMicros = money.gross - summary.openingGrossMicros;
    feesMicros = money.fees - summary.openingFeesMicros;
    netPnlMicros = equity;
    peakEquityMicros = peak;
    maxDrawdownMicros = Math.max(maxDrawdownMicros, peak - equity);
    maxExposureMicros = Math.max(maxExposureMicros, money.exposure);
  }
  return {
    stream: summary.stream,
    session: summary.session,
    cycles,
    cyclesByStatus,
    decisions,
    decisionsByAction,
    ordersIntended,
    ordersRefused,
    refusalsByRule,
    fills,
    trades,
    wins,
    grossPnlMicros,
    feesMicros,
    netPnlMicros,
    maxDrawdownMicros,
    peakEquityMicros,
    maxExposureMicros,
    noticesByCode,
    equityCurve,
    openingEquityMicros: summary.openingEquityMicros,
    openingGrossMicros: summary.openingGrossMicros,
    openingFeesMicros: summary.openingFeesMicros,
  };
}

/** One line of reconciliation: what we hold against what the gateway says we hold. */
export interface ReconciliationDiff {
  readonly stream: string;
  readonly contractKey: string;
  readonly ours: number;
  readonly gateway: number;
  readonly difference: number;
}

/**
 * Our positions against the gateway's last `PositionsReported` for `stream`: the differences
 * only (empty when they agree, or when the gateway never reported).
 */
export function reconcile(state: BookState, stream: string): ReconciliationDiff[] {
  const reported = state.reported.get(stream);
  if (!reported) return [];
  const ours = new Map<string, number>();
  for (const p of streamPositions(state.positions, stream))
    ours.set(p.key.slice(stream.length + 1), p.quantity);
  const theirs = new Map<string, number>();
  for (const r of reported.positions) {
    const key = contractKey(r.contract);
    theirs.set(key, (theirs.get(key) ?? 0) + r.quantity);
  }
  const diffs: ReconciliationDiff[] = [];
  for (const key of [...new Set([...ours.keys(), ...theirs.keys()])].sort()) {
    const o = ours.get(key) ?? 0;
    const g = theirs.get(key) ?? 0;
    if (o !== g) diffs.push({ stream, contractKey: key, ours: o, gateway: g, difference: o - g });
  }
  return diffs;
}
