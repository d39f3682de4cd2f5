/**
 * The positions fold: quantity, cost, realized and unrealized P&L per stream and contract, from
 * fills and commissions, marked at the last quote mid.
 */
import { type Contract, contractKey, type StoredEvent } from "../events/index.js";
import { divRound, type Micros, toMicros } from "./money.js";
import { PersistentMap } from "./persistent-map.js";

/** One position of one stream in one contract. Money in µ$; prices per unit (before the multiplier). */
export interface Position {
  readonly stream: string;
  readonly key: string;
  readonly contract: Contract;
  readonly multiplier: number;
  /** Signed: long > 0, short < 0. */
  readonly quantity: number;
  /** Signed cost of the open lot: Σ quantity × price (µ$ per unit, before the multiplier). */
  readonly openCostMicros: Micros;
  /** Realized P&L including commissions, µ$ (after the multiplier). */
  readonly realizedMicros: Micros;
  readonly commissionsMicros: Micros;
  /** Last mark (quote mid, else last), µ$ per unit; null until a quote arrived. */
  readonly markMicros: Micros | null;
  /** Realized P&L when the current round trip opened, to measure the trade at its close. */
  readonly tradeStartRealizedMicros: Micros;
}

export interface ClosedTrade {
  readonly stream: string;
  readonly session: string;
  readonly key: string;
  readonly openedSeq: number;
  readonly closedSeq: number;
  readonly closedTs: number;
  readonly pnlMicros: Micros;
}

/**
 * The maps that grow with the journal (every contract held, every execution) are persistent: a
 * change shares the rest instead of copying it. The small ones stay plain maps, copied.
 */
export interface PositionsState {
  /** Position key → position, in the order the positions first filled. */
  readonly byKey: PersistentMap<Position>;
  /** execId → position key, so a commission arriving after its fill finds its position. */
  readonly execToKey: PersistentMap<string>;
  /** Commissions that arrived before their fill (IB may send either first). */
  readonly pendingCommissions: ReadonlyMap<string, Micros>;
  /** Where the current round trip of each position opened. */
  readonly openedSeq: PersistentMap<number>;
  /** Each stream's money over all its positions, kept as they change (`streamMoney`). */
  readonly money: ReadonlyMap<string, StreamMoney>;
}

/**
 * A stream's sums over all its positions, µ$: realized (net of fees), fees, unrealized at the
 * marks, and exposure (|quantity × mark × multiplier|). Kept as each position changes, since
 * summing every position the stream ever held at each event made a rebuild slower the longer the
 * journal (a year of sessions holds thousands); integers, so the running sums are exact.
 */
export interface StreamMoney {
  readonly realizedMicros: Micros;
  readonly feesMicros: Micros;
  readonly unrealizedMicros: Micros;
  readonly exposureMicros: Micros;
}

export const NO_MONEY: StreamMoney = {
  realizedMicros: 0,
  feesMicros: 0,
  unrealizedMicros: 0,
  exposureMicros: 0,
};

export const initialPositions: PositionsState = {
  byKey: PersistentMap.empty(),
  execToKey: PersistentMap.empty(),
  pendingCommissions: new Map(),
  openedSeq: PersistentMap.empty(),
  money: new Map(),
};

const exposureOf = (p: Position): Micros =>
  p.markMicros === null ? 0 : Math.abs(p.quantity * p.markMicros * p.multiplier);

/** The stream's money once `after` replaced `before` (undefined: the stream did not hold it yet). */
function moneyWith(
  money: ReadonlyMap<string, StreamMoney>,
  before: Position | undefined,
  after: Position,
): ReadonlyMap<string, StreamMoney> {
  const m = money.get(after.stream) ?? NO_MONEY;
  const next: StreamMoney = {
    realizedMicros: m.realizedMicros + after.realizedMicros - (before?.realizedMicros ?? 0),
    feesMicros: m.feesMicros + after.commissionsMicros - (before?.commissionsMicros ?? 0),
    unrealizedMicros: m.unrealizedMicros + unrealizedMicros(after) - (before ? unrealizedMicros(before) : 0),
    exposureMicros: m.exposureMicros + exposureOf(after) - (before ? exposureOf(before) : 0),
  };
  return new Map(money).set(after.stream, next);
}

/**
 * The keys last built for a contract object, for up to two streams (a replay folds its source's
 * quotes into live's book and the run's). Every fold step asks for a quote's key several times,
 * and building it (the strike printed, three strings joined) cost more than this lookup; the same
 * string back also lets the persistent map skip hashing it again.
 */
interface KeyMemo {
  stream: string;
  key: string;
  otherStream: string;
  otherKey: string;
}
const keyMemo = new WeakMap<Contract, KeyMemo>();

/** `stream|contractKey`. */
export function positionKey(stream: string, contract: Contract): string {
  const memo = keyMemo.get(contract);
  if (memo !== undefined) {
    if (memo.stream === stream) return memo.key;
    if (memo.otherStream === stream) return memo.otherKey;
  }
  const key = `${stream}|${contractKey(contract)}`;
  if (memo === undefined) keyMemo.set(contract, { stream, key, otherStream: "", otherKey: "" });
  else {
    memo.otherStream = memo.stream;
    memo.otherKey = memo.key;
    memo.stream = stream;
    memo.key = key;
  }
  return key;
}

/** Unrealized P&L of a position at its mark, µ$ (0 without a mark or when flat). */
export function unrealizedMicros(position: Position): Micros {
  if (position.markMicros === null || position.quantity === 0) return 0;
  return (position.quantity * position.markMicros - position.openCostMicros) * position.multiplier;
}

/** Average cost per unit in µ$ (0 when flat). */
export function averageCostMicros(position: Position): Micros {
  return position.quantity === 0 ? 0 : divRound(position.openCostMicros, position.quantity);
}

function emptyPosition(stream: string, contract: Contract): Position {
  return {
    stream,
    key: positionKey(stream, contract),
    contract,
    multiplier: contract.secType === "OPT" ? contract.multiplier : 1,
    quantity: 0,
    openCostMicros: 0,
    realizedMicros: 0,
    commissionsMicros: 0,
    markMicros: null,
    tradeStartRealizedMicros: 0,
  };
}

/** The position at a new mark, built field by field (every held quote builds one: a spread is slower). */
function markedAt(p: Position, markMicros: Micros): Position {
  return {
    stream: p.stream,
    key: p.key,
    contract: p.contract,
    multiplier: p.multiplier,
    quantity: p.quantity,
    openCostMicros: p.openCostMicros,
    realizedMicros: p.realizedMicros,
    commissionsMicros: p.commissionsMicros,
    markMicros,
    tradeStartRealizedMicros: p.tradeStartRealizedMicros,
  };
}

/** Apply one fill (signed quantity) to a position: reduce, close, or flip through zero. */
export function applyFill(position: Position, signedQty: number, priceMicros: Micros): Position {
  let { quantity, openCostMicros, realizedMicros } = position;
  const m = position.multiplier;
  let remaining = signedQty;
  if (quantity !== 0 && Math.sign(remaining) !== Math.sign(quantity)) {
    const closing = Math.min(Math.abs(remaining), Math.abs(quantity));
    const closingSigned = Math.sign(quantity) * closing;
    // Take the closed share of the open cost, rounded; what stays open keeps the rest exactly.
    const closedCost =
      closing === Math.abs(quantity)
        ? openCostMicros
        : divRound(openCostMicros * closing, Math.abs(quantity));
    realizedMicros += (closingSigned * priceMicros - closedCost) * m;
    openCostMicros -= closedCost;
    quantity -= closingSigned;
    remaining += closingSigned;
  }
  if (remaining !== 0) {
    openCostMicros += remaining * priceMicros;
    quantity += remaining;
  }
  return { ...position, quantity, openCostMicros, realizedMicros };
}

export interface PositionsStep {
  state: PositionsState;
  /** A round trip that closed with this event, if any. */
  closed: ClosedTrade | null;
  /** A commission for a fill that closed a round trip (it arrives after the fill): belongs to that trade. */
  lateCommission?: { key: string; micros: Micros };
}

/** Fold one event into the positions. Events that do not move positions return the same state. */
export function evolvePositions(state: PositionsState, event: StoredEvent): PositionsStep {
  switch (event.type) {
    case "OrderFilled": {
      const p = event.payload;
      const key = positionKey(event.stream, p.contract);
      const before = state.byKey.get(key) ?? emptyPosition(event.stream, p.contract);
      const signed = p.side === "BUY" ? p.quantity : -p.quantity;
      let after = applyFill(before, signed, toMicros(p.priceUsd));
      // Until a quote arrives, a position is marked at its fill: so is one opened from flat, whose
      // old mark may be another session's (a session's P&L must not depend on what came before it).
      if (after.markMicros === null || before.quantity === 0)
        after = { ...after, markMicros: toMicros(p.priceUsd) };
      const pending = state.pendingCommissions.get(p.execId);
      if (pending !== undefined) after = chargeCommission(after, pending);
      const opened =
        before.quantity === 0 ? { ...after, tradeStartRealizedMicros: before.realizedMicros } : after;
      let byKey = state.byKey.set(key, opened);
      const execToKey = state.execToKey.set(p.execId, key);
      let pendingCommissions = state.pendingCommissions;
      if (pending !== undefined) {
        const copy = new Map(pendingCommissions);
        copy.delete(p.execId);
        pendingCommissions = copy;
      }
      let openedSeq = state.openedSeq;
      if (before.quantity === 0 || Math.sign(before.quantity) !== Math.sign(opened.quantity)) {
        openedSeq = openedSeq.set(key, event.seq);
      }
      let closed: ClosedTrade | null = null;
      const crossedOrClosed =
        before.quantity !== 0 &&
        (opened.quantity === 0 || Math.sign(opened.quantity) !== Math.sign(before.quantity));
      if (crossedOrClosed) {
        closed = {
          stream: event.stream,
          session: event.session,
          key,
          openedSeq: state.openedSeq.get(key) ?? event.seq,
          closedSeq: event.seq,
          closedTs: event.ts,
          pnlMicros: opened.realizedMicros - before.tradeStartRealizedMicros,
        };
        if (opened.quantity !== 0) {
          // Flipped through zero: the new round trip starts from the realized P&L after the close.
          byKey = byKey.set(key, { ...opened, tradeStartRealizedMicros: opened.realizedMicros });
        }
      }
      const money = moneyWith(state.money, state.byKey.get(key), byKey.get(key)!);
      return { state: { byKey, execToKey, pendingCommissions, openedSeq, money }, closed };
    }
    case "CommissionReported": {
      const p = event.payload;
      const micros = toMicros(p.commissionUsd);
      const key = state.execToKey.get(p.execId);
      const position = key === undefined ? undefined : state.byKey.get(key);
      if (key === undefined || position === undefined) {
        return {
          state: { ...state, pendingCommissions: new Map(state.pendingCommissions).set(p.execId, micros) },
          closed: null,
        };
      }
      const charged = chargeCommission(position, micros);
      const next = {
        state: {
          ...state,
          byKey: state.byKey.set(key, charged),
          money: moneyWith(state.money, position, charged),
        },
        closed: null,
      };
      return position.quantity === 0 ? { ...next, lateCommission: { key, micros } } : next;
    }
    case "QuoteSnapshot": {
      const key = positionKey(event.stream, event.payload.contract);
      const position = state.byKey.get(key);
      if (!position) return { state, closed: null };
      const mark = markOf(event.payload.bidUsd, event.payload.askUsd, event.payload.lastUsd);
      if (mark === null || mark === position.markMicros) return { state, closed: null };
      const marked = markedAt(position, mark);
      return {
        state: {
          byKey: state.byKey.set(key, marked),
          execToKey: state.execToKey,
          pendingCommissions: state.pendingCommissions,
          openedSeq: state.openedSeq,
          // Flat, a position is worth nothing at any mark (most marks of a run are of contracts it
          // held earlier): the stream's money is the same, and so is the map, which tells the
          // summary there is nothing to recompute.
          money: position.quantity === 0 ? state.money : moneyWith(state.money, position, marked),
        },
        closed: null,
      };
    }
    default:
      return { state, closed: null };
  }
}

function chargeCommission(position: Position, micros: Micros): Position {
  return {
    ...position,
    realizedMicros: position.realizedMicros - micros,
    commissionsMicros: position.commissionsMicros + micros,
  };
}

/** Mid of a two-sided quote, else the last price, in µ$. */
export function markOf(bidUsd: number | null, askUsd: number | null, lastUsd: number | null): Micros | null {
  if (bidUsd !== null && askUsd !== null && bidUsd > 0 && askUsd > 0)
    return divRound(toMicros(bidUsd) + toMicros(askUsd), 2);
  if (lastUsd !== null && lastUsd > 0) return toMicros(lastUsd);
  return null;
}
