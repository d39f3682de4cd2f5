/**
 * The catalogue's shared value schemas: contracts, orders' vocabulary, bars, greeks, request
 * timing and the trading session's date. Event payloads (catalogue.ts) are built from these.
 */
import { z } from "../../vendor/index.js";
import { isRealSessionDate } from "./session-date.js";

// ---------------------------------------------------------------------------------------------
// Shared value schemas
// ---------------------------------------------------------------------------------------------

/** A trading date in America/New_York, `YYYY-MM-DD`. */
export const SessionIdSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a trading date YYYY-MM-DD")
  .refine(isRealSessionDate, "is not a real calendar date");
export type SessionId = z.infer<typeof SessionIdSchema>;

const finite = z.number().finite();
const nonNegative = z.number().finite().nonnegative();
const int = z.number().int();
const nonNegativeInt = z.number().int().nonnegative();

/** A stock or ETF, e.g. the underlying SPY. */
export const StockContractSchema = z.object({
  secType: z.literal("STK"),
  symbol: z.string().min(1),
  conId: nonNegativeInt.optional(),
  exchange: z.string().default("SMART"),
  currency: z.string().default("USD"),
});

/** An equity option. `expiry` is `YYYYMMDD`; `multiplier` is shares per contract (100 for SPY). */
export const OptionContractSchema = z.object({
  secType: z.literal("OPT"),
  symbol: z.string().min(1),
  conId: nonNegativeInt.optional(),
  expiry: z.string().regex(/^\d{8}$/, "expected an expiry YYYYMMDD"),
  strike: z.number().finite().positive(),
  right: z.enum(["C", "P"]),
  multiplier: z.number().int().positive(),
  exchange: z.string().default("SMART"),
  currency: z.string().default("USD"),
  tradingClass: z.string().optional(),
});

export const ContractSchema = z.discriminatedUnion("secType", [StockContractSchema, OptionContractSchema]);
export type StockContract = z.infer<typeof StockContractSchema>;
export type OptionContract = z.infer<typeof OptionContractSchema>;
export type Contract = z.infer<typeof ContractSchema>;

export const StrategyRefSchema = z.object({ name: z.string().min(1), version: z.string().min(1) });
export type StrategyRef = z.infer<typeof StrategyRefSchema>;

export const OrderSideSchema = z.enum(["BUY", "SELL"]);
export type OrderSide = z.infer<typeof OrderSideSchema>;
export const OrderTypeSchema = z.enum(["MKT", "LMT"]);
export type OrderType = z.infer<typeof OrderTypeSchema>;

/**
 * IB order states. Strict on purpose (STYLE: order, fill and position states fail loudly on an
 * unknown value) — a new state from the gateway must be added here, not silently ignored.
 */
export const OrderStateSchema = z.enum([
  "ApiPending",
  "PendingSubmit",
  "PendingCancel",
  "PreSubmitted",
  "Submitted",
  "ApiCancelled",
  "Cancelled",
  "Filled",
  "Inactive",
]);
export type OrderState = z.infer<typeof OrderStateSchema>;

/** What a strategy wants to trade; the risk check and the router turn it into an order. */
export const OrderIntentSchema = z.object({
  contract: ContractSchema,
  side: OrderSideSchema,
  quantity: z.number().int().positive(),
  orderType: OrderTypeSchema,
  limitPriceUsd: finite.positive().optional(),
  tif: z.enum(["DAY", "IOC", "GTC"]).default("DAY"),
  /** Why the strategy wants it (`entry`, `profit-target`, `stop-loss`, …). */
  purpose: z.string().min(1),
});
export type OrderIntent = z.infer<typeof OrderIntentSchema>;

export const BarSchema = z.object({
  timeMs: int,
  openUsd: finite,
  highUsd: finite,
  lowUsd: finite,
  closeUsd: finite,
  volume: nonNegative,
  vwapUsd: finite,
  count: nonNegativeInt,
});
export type Bar = z.infer<typeof BarSchema>;

/** IB's option computation (tick 13, model). `null` where the gateway reported "not computed". */
export const GreeksSchema = z.object({
  impliedVol: finite.nullable(),
  delta: finite.nullable(),
  gamma: finite.nullable(),
  vega: finite.nullable(),
  theta: finite.nullable(),
  optPriceUsd: finite.nullable(),
  undPriceUsd: finite.nullable(),
});
export type Greeks = z.infer<typeof GreeksSchema>;

/**
 * The kind of market data a quote is (IB's MARKET_DATA_TYPE, message 58): `live` (type 1, real
 * time), `frozen` (2, the last real-time values after the close), `delayed` (3, about 15 minutes
 * old, for accounts without a real-time subscription), `delayed-frozen` (4).
 */
export const MarketDataTypeSchema = z.enum(["live", "frozen", "delayed", "delayed-frozen"]);
export type MarketDataType = z.infer<typeof MarketDataTypeSchema>;

/** Timing of one gateway request, journaled with its answer. */
export const RequestTimingSchema = z.object({
  reqId: int,
  requestedAtMs: int,
  latencyMs: nonNegative,
});
export type RequestTiming = z.infer<typeof RequestTimingSchema>;
