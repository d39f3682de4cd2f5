/**
 * What every command needs to know about the catalogue without loading zod: the event types and
 * their current versions, the market and order event types, contract keys.
 *
 * zod and the schemas built with it cost ~60 ms of start-up, which `sessions`, `sql` and a
 * re-`verify` never use; the schemas (catalogue.ts) load on first validation instead
 * (catalogue-lazy.ts). A test holds `CURRENT_VERSIONS` equal to the schemas' own literals.
 */
import type { Contract, EventType, MarketDataType } from "./catalogue.js";

/** Every event type, with its current version (the `version` literal of its schema). */
export const CURRENT_VERSIONS: Readonly<Record<EventType, number>> = Object.freeze({
  SessionOpened: 1,
  SessionClosed: 1,
  GatewayConnected: 1,
  GatewayDisconnected: 1,
  GatewayNotice: 2,
  CycleStarted: 1,
  CycleCompleted: 2,
  BarsReceived: 1,
  OptionChainReceived: 1,
  OptionStrikesReceived: 1,
  QuoteSnapshot: 1,
  TradingHoursReceived: 1,
  DecisionMade: 1,
  OrderIntended: 1,
  OrderRefused: 1,
  OrderSubmitted: 1,
  OrderStatusChanged: 1,
  OrderFilled: 1,
  CommissionReported: 1,
  OrderCancelled: 1,
  OrderRejected: 1,
  PositionsReported: 1,
  AccountReported: 1,
  HealthSampled: 1,
  HealthWarning: 1,
  ReplayStarted: 2,
  ReplayCompleted: 1,
  PositionMismatch: 1,
  PositionsAgreed: 1,
  RequestSkipped: 1,
  SweepSetSummarized: 1,
  AlertDelivered: 1,
  AlertFailed: 1,
  NoteAdded: 1,
});

/** The stream every `NoteAdded` is appended to (catalogue-notes.ts): runs stay what their writer wrote. */
export const NOTES_STREAM = "notes";

/** True when `type` is in the catalogue. */
export function isKnownType(type: string): type is EventType {
  return Object.hasOwn(CURRENT_VERSIONS, type);
}

/** Event types the bot reads the market from; replay feeds exactly these to a strategy. */
export const MARKET_EVENT_TYPES = ["BarsReceived", "OptionChainReceived", "QuoteSnapshot"] as const;
export type MarketEventType = (typeof MARKET_EVENT_TYPES)[number];

/** Order life-cycle events: appended with synchronous=FULL (nothing is acted on before it is on disk). */
export const ORDER_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  "OrderIntended",
  "OrderRefused",
  "OrderSubmitted",
  "OrderStatusChanged",
  "OrderFilled",
  "CommissionReported",
  "OrderCancelled",
  "OrderRejected",
]);

/** A stable key for a contract: `SPY` or `SPY 20260206 C 690`. */
export function contractKey(contract: Contract): string {
  if (contract.secType === "STK") return contract.symbol;
  return `${contract.symbol} ${contract.expiry} ${contract.right} ${contract.strike}`;
}

/**
 * The kind of data a quote is. Absent in quotes recorded before it was journaled, which are `live`:
 * that bot never called reqMarketDataType, and IB then sends real-time data or none.
 */
export function quoteMarketData(quote: { readonly marketData?: MarketDataType | undefined }): MarketDataType {
  return quote.marketData ?? "live";
}
