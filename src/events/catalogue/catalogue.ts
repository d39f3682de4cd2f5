/**
 * The event catalogue: every event the journal can hold, defined once with zod.
 *
 * Each event type has a `version`; the schemas below are the *current* version of each type.
 * Older versions are lifted on read by the upcasters in `upcasters.ts`, never rewritten on disk.
 *
 * Units: every price is US dollars per share (or per option contract unit, before the
 * multiplier) and says so with a `…Usd` suffix; times are epoch milliseconds named `…Ms`.
 */
import { z } from "../../vendor/index.js";
import { AlertDelivered, AlertFailed } from "./catalogue-alerts.js";
import { CycleInputsSchema, RequestSkipped } from "./catalogue-freshness.js";
import { NoteAdded } from "./catalogue-notes.js";
import { PositionMismatch, PositionsAgreed } from "./catalogue-reconciliation.js";
import { SweepSetSummarized } from "./catalogue-sweep.js";
import {
  BarSchema,
  ContractSchema,
  GreeksSchema,
  MarketDataTypeSchema,
  OrderIntentSchema,
  OrderSideSchema,
  OrderStateSchema,
  RequestTimingSchema,
  SessionIdSchema,
  StrategyRefSchema,
} from "./catalogue-values.js";

export type { CycleInputs, SymbolInputs } from "./catalogue-freshness.js";
export * from "./catalogue-values.js";

const finite = z.number().finite();
const nonNegative = z.number().finite().nonnegative();
const int = z.number().int();
const nonNegativeInt = z.number().int().nonnegative();
/** A price in US dollars, or null when the gateway sent none. */
const priceOrNull = finite.nullable();

// ---------------------------------------------------------------------------------------------
// Event payloads (current versions)
// ---------------------------------------------------------------------------------------------

const SessionOpened = z.object({
  type: z.literal("SessionOpened"),
  version: z.literal(1),
  payload: z.object({
    mode: z.enum(["dry-run", "paper", "live"]),
    /**
     * Where the settings that chose the mode came from (`default`, `config FILE`, `env DRY_RUN`,
     * `flag --paper`, …). Absent in sessions recorded before it was journaled.
     */
    modeSources: z.object({ dryRun: z.string(), liveAccount: z.string().optional() }).optional(),
    strategy: StrategyRefSchema,
    params: z.record(z.string(), z.unknown()),
    configHash: z.string().min(1),
    codeVersion: z.string().min(1),
    symbols: z.array(z.string().min(1)).min(1),
    gateway: z.object({ host: z.string(), port: int, clientId: int, simulator: z.boolean() }),
    /**
     * The managed accounts the gateway reported; orders go only where the mode allows (account
     * guard). Absent in sessions recorded before the guard existed.
     */
    accounts: z.array(z.string()).optional(),
    /** Each strategy call's deadline live ran under, ms (0: none); a replay applies the same. */
    strategyDeadlineMs: nonNegativeInt.optional(),
    /** The risk limits live applied (absent in sessions recorded before they were journaled); a what-if replay applies the same. */
    risk: z
      .object({
        maxPositionPerContract: z.number().int().positive(),
        maxOpenOrders: z.number().int().positive(),
        dailyLossLimitUsd: z.number().positive(),
        allowShortOptions: z.boolean(),
        /** Orders on delayed or frozen quotes allowed (paper and dry runs only); absent: false. */
        allowDelayedData: z.boolean().optional(),
      })
      .optional(),
    /** The market data live asked for (`auto`: real time, delayed when not subscribed); absent before it was journaled. */
    marketData: z.enum(["live", "delayed", "auto"]).optional(),
    /** Live's cycle interval, seconds (absent before it was journaled: 300); freshness is judged in cycles of it. */
    cycleSeconds: z.number().positive().optional(),
  }),
});

const SessionClosed = z.object({
  type: z.literal("SessionClosed"),
  version: z.literal(1),
  payload: z.object({
    reason: z.enum(["completed", "signal", "error", "market-closed"]),
    cycles: nonNegativeInt,
    detail: z.string().optional(),
  }),
});

const GatewayConnected = z.object({
  type: z.literal("GatewayConnected"),
  version: z.literal(1),
  payload: z.object({
    host: z.string(),
    port: int,
    clientId: int,
    serverVersion: int.optional(),
    accounts: z.array(z.string()),
    nextOrderId: int.optional(),
    simulator: z.boolean(),
    attempt: nonNegativeInt,
  }),
});

const GatewayDisconnected = z.object({
  type: z.literal("GatewayDisconnected"),
  version: z.literal(1),
  payload: z.object({ reason: z.string(), willReconnect: z.boolean() }),
});

/**
 * Every error or warning code the gateway sends, including the ones `@stoqey/ib` reports as
 * `info` (id -1: 2104/2106/2158, 1100/1102, 326). v1 had no `severity`; see upcasters.ts.
 */
const GatewayNotice = z.object({
  type: z.literal("GatewayNotice"),
  version: z.literal(2),
  payload: z.object({
    code: int,
    message: z.string(),
    /** The request or order id the notice is about; -1 when it is about the connection. */
    reqId: int,
    severity: z.enum(["info", "warning", "error"]),
  }),
});

const CycleStarted = z.object({
  type: z.literal("CycleStarted"),
  version: z.literal(1),
  payload: z.object({
    cycle: nonNegativeInt,
    symbols: z.array(z.string()),
    /** The gateway's clock when the cycle began (the bot's clock is the gateway's). */
    gatewayTimeMs: int,
  }),
});

/**
 * v2 added `inputs`: how fresh the cycle's inputs were (null in v1 cycles, recorded before live
 * journaled it, and in cycles that decided nothing).
 */
const CycleCompleted = z.object({
  type: z.literal("CycleCompleted"),
  version: z.literal(2),
  payload: z.object({
    cycle: nonNegativeInt,
    status: z.enum(["ok", "partial", "failed", "skipped"]),
    durationMs: nonNegative,
    requests: nonNegativeInt,
    errors: nonNegativeInt,
    timeouts: nonNegativeInt,
    detail: z.string().optional(),
    inputs: CycleInputsSchema.nullable(),
  }),
});

const BarsReceived = z.object({
  type: z.literal("BarsReceived"),
  version: z.literal(1),
  payload: z.object({
    contract: ContractSchema,
    barSize: z.literal("1 min"),
    whatToShow: z.enum(["TRADES", "MIDPOINT"]),
    useRth: z.literal(true),
    timing: RequestTimingSchema,
    bars: z.array(BarSchema).max(1000),
  }),
});

const OptionChainReceived = z.object({
  type: z.literal("OptionChainReceived"),
  version: z.literal(1),
  payload: z.object({
    symbol: z.string().min(1),
    underlyingConId: nonNegativeInt,
    exchange: z.string(),
    tradingClass: z.string(),
    multiplier: z.number().int().positive(),
    expirations: z.array(z.string().regex(/^\d{8}$/)),
    strikes: z.array(z.number().positive()),
    timing: RequestTimingSchema,
  }),
});

/**
 * The strikes listed for one expiry, from that expiry's own contract details: the option chain's
 * strikes are the union over every expiry, and a strike missing from an expiry is IB's error 200.
 * Asked for once per expiry per session; the near-the-money strikes are picked from these.
 */
const OptionStrikesReceived = z.object({
  type: z.literal("OptionStrikesReceived"),
  version: z.literal(1),
  payload: z.object({
    symbol: z.string().min(1),
    expiry: z.string().regex(/^\d{8}$/),
    strikes: z.array(z.number().positive()),
    timing: RequestTimingSchema,
  }),
});

const QuoteSnapshot = z.object({
  type: z.literal("QuoteSnapshot"),
  version: z.literal(1),
  payload: z.object({
    contract: ContractSchema,
    bidUsd: priceOrNull,
    askUsd: priceOrNull,
    lastUsd: priceOrNull,
    bidSize: nonNegative.nullable(),
    askSize: nonNegative.nullable(),
    lastSize: nonNegative.nullable(),
    /** Model greeks for options; null for stocks or when the gateway computed none. */
    greeks: GreeksSchema.nullable(),
    timing: RequestTimingSchema,
    /** False when the snapshot timed out before "snapshot end" and holds what had arrived. */
    complete: z.boolean(),
    /**
     * The kind of data the gateway sent (MARKET_DATA_TYPE). Optional rather than a v2 with an
     * upcaster: a quote without it was recorded by a bot that never called reqMarketDataType, and
     * IB then sends real-time data or none, so absent means `live` exactly (`quoteMarketData`).
     */
    marketData: MarketDataTypeSchema.optional(),
    /**
     * A replay's quote from a model (the cycle's implied-volatility smile and Black–Scholes), for
     * a contract live did not quote in that cycle; absent in every quote the gateway sent.
     */
    modelled: z.boolean().optional(),
  }),
});

/**
 * The day's hours of a symbol as the gateway's contract details state them, journaled at session
 * open: IB's own text (`20261127:0930-20261127:1300;20261128:CLOSED;…`) in the contract's time
 * zone (`US/Eastern`). `liquidHours` is the regular session; `sessionHoursOn` reads a day of it.
 */
const TradingHoursReceived = z.object({
  type: z.literal("TradingHoursReceived"),
  version: z.literal(1),
  payload: z.object({
    symbol: z.string().min(1),
    conId: nonNegativeInt,
    timeZoneId: z.string(),
    tradingHours: z.string(),
    liquidHours: z.string(),
    timing: RequestTimingSchema,
  }),
});

const DecisionMade = z.object({
  type: z.literal("DecisionMade"),
  version: z.literal(1),
  payload: z.object({
    strategy: StrategyRefSchema,
    cycle: nonNegativeInt,
    symbol: z.string().min(1),
    action: z.enum(["hold", "enter", "exit"]),
    reason: z.string(),
    /** The ids of the market events the strategy saw for this decision. */
    saw: z.array(z.string()),
    intents: z.array(OrderIntentSchema),
    /** Indicator values behind the decision, for the post-mortem. */
    signals: z.record(z.string(), z.number().finite().nullable()),
  }),
});

const OrderIntended = z.object({
  type: z.literal("OrderIntended"),
  version: z.literal(1),
  payload: z.object({
    intent: OrderIntentSchema,
    /** True when the bot runs dry (the default): the order is journaled and never sent. */
    dryRun: z.boolean(),
  }),
});

const OrderRefused = z.object({
  type: z.literal("OrderRefused"),
  version: z.literal(1),
  payload: z.object({
    intent: OrderIntentSchema,
    // "short-option", "position-mismatch", "broker-position", "delayed-data" and "initial-margin" were added without a new version: the enum only widened, so every stored v1 payload still parses.
    rule: z.enum([
      "max-position",
      "max-open-orders",
      "daily-loss-limit",
      "market-closed",
      "no-quote",
      "position-mismatch",
      "short-option",
      "broker-position",
      "delayed-data",
      "initial-margin",
    ]),
    detail: z.string(),
  }),
});

const OrderSubmitted = z.object({
  type: z.literal("OrderSubmitted"),
  version: z.literal(1),
  payload: z.object({
    orderId: int,
    clientId: int,
    intent: OrderIntentSchema,
  }),
});

const OrderStatusChanged = z.object({
  type: z.literal("OrderStatusChanged"),
  version: z.literal(1),
  payload: z.object({
    orderId: int,
    status: OrderStateSchema,
    filled: nonNegative,
    remaining: nonNegative,
    avgFillPriceUsd: finite.nullable(),
    lastFillPriceUsd: finite.nullable(),
    permId: int.nullable(),
  }),
});

const OrderFilled = z.object({
  type: z.literal("OrderFilled"),
  version: z.literal(1),
  payload: z.object({
    orderId: int,
    execId: z.string().min(1),
    contract: ContractSchema,
    side: OrderSideSchema,
    quantity: z.number().positive(),
    priceUsd: finite.nonnegative(),
    exchange: z.string(),
    /** Set by the replay fill model; absent for fills the gateway reported. */
    simulated: z.boolean().default(false),
    /**
     * The order's IB `orderRef` (the decision's id): links a fill to its decision across restarts.
     * This field and `recovered` are absent in fills recorded before recovery existed.
     */
    orderRef: z.string().nullable().optional(),
    /** Journaled from `reqExecutions` after a (re)connect rather than as it happened. */
    recovered: z.boolean().optional(),
    /** A replay's fill at a modelled quote (live did not quote the contract then); absent otherwise. */
    modelled: z.boolean().optional(),
  }),
});

const CommissionReported = z.object({
  type: z.literal("CommissionReported"),
  version: z.literal(1),
  payload: z.object({
    execId: z.string().min(1),
    orderId: int.nullable(),
    commissionUsd: nonNegative,
    currency: z.string(),
    realizedPnlUsd: finite.nullable(),
  }),
});

const OrderCancelled = z.object({
  type: z.literal("OrderCancelled"),
  version: z.literal(1),
  payload: z.object({ orderId: int, reason: z.string() }),
});

const OrderRejected = z.object({
  type: z.literal("OrderRejected"),
  version: z.literal(1),
  payload: z.object({ orderId: int, code: int.nullable(), reason: z.string() }),
});

const PositionsReported = z.object({
  type: z.literal("PositionsReported"),
  version: z.literal(1),
  payload: z.object({
    account: z.string(),
    positions: z.array(z.object({ contract: ContractSchema, quantity: finite, avgCostUsd: finite })),
  }),
});

const AccountReported = z.object({
  type: z.literal("AccountReported"),
  version: z.literal(1),
  payload: z.object({
    account: z.string(),
    values: z.record(z.string(), z.object({ value: z.string(), currency: z.string() })),
  }),
});

const HealthSampled = z.object({
  type: z.literal("HealthSampled"),
  version: z.literal(1),
  payload: z.object({
    rssBytes: nonNegativeInt,
    heapUsedBytes: nonNegativeInt,
    freeMemBytes: nonNegativeInt,
    totalMemBytes: nonNegativeInt,
    loopLagMs: nonNegative,
    gatewayPortOpen: z.boolean(),
    gatewayPortLatencyMs: nonNegative.nullable(),
  }),
});

const HealthWarning = z.object({
  type: z.literal("HealthWarning"),
  version: z.literal(1),
  payload: z.object({
    kind: z.enum(["low-memory", "gateway-port-closed", "loop-lag"]),
    detail: z.string(),
    value: finite,
    threshold: finite,
  }),
});

/** v2 added `outcomes` (how the run learned what became of its orders); see upcasters.ts. */
const ReplayStarted = z.object({
  type: z.literal("ReplayStarted"),
  version: z.literal(2),
  payload: z.object({
    sourceJournal: z.string(),
    sourceStream: z.string(),
    sourceSessions: z.array(SessionIdSchema).min(1),
    strategy: StrategyRefSchema,
    params: z.record(z.string(), z.unknown()),
    fillModel: z.object({ name: z.string(), params: z.record(z.string(), z.unknown()) }),
    codeVersion: z.string(),
    /**
     * `recorded`: the strategy was fed the outcomes the source journal recorded for live's orders
     * (the parity check); `simulated`: the fill model's fills and the shared risk rules (what-if).
     */
    outcomes: z.enum(["recorded", "simulated"]),
  }),
});

const ReplayCompleted = z.object({
  type: z.literal("ReplayCompleted"),
  version: z.literal(1),
  payload: z.object({
    events: nonNegativeInt,
    decisions: nonNegativeInt,
    parity: z.object({ equal: nonNegativeInt, differ: nonNegativeInt, missing: nonNegativeInt }).nullable(),
    trades: nonNegativeInt,
    netPnlUsd: finite,
    maxDrawdownUsd: finite,
    unfilled: nonNegativeInt,
  }),
});

/** The whole catalogue, a discriminated union on `type`. */
export const EventSchema = z.discriminatedUnion("type", [
  SessionOpened,
  SessionClosed,
  GatewayConnected,
  GatewayDisconnected,
  GatewayNotice,
  CycleStarted,
  CycleCompleted,
  BarsReceived,
  OptionChainReceived,
  OptionStrikesReceived,
  QuoteSnapshot,
  TradingHoursReceived,
  DecisionMade,
  OrderIntended,
  OrderRefused,
  OrderSubmitted,
  OrderStatusChanged,
  OrderFilled,
  CommissionReported,
  OrderCancelled,
  OrderRejected,
  PositionsReported,
  AccountReported,
  HealthSampled,
  HealthWarning,
  ReplayStarted,
  ReplayCompleted,
  PositionMismatch,
  PositionsAgreed,
  RequestSkipped,
  SweepSetSummarized,
  AlertDelivered,
  AlertFailed,
  NoteAdded,
]);

/** One event body: `{ type, version, payload }`, inferred from the catalogue. */
export type EventBody = z.infer<typeof EventSchema>;
/** The body as written by a caller before zod defaults are applied. */
export type EventBodyInput = z.input<typeof EventSchema>;
export type EventType = EventBody["type"];
/** The body of one event type, e.g. `EventOf<"QuoteSnapshot">`. */
export type EventOf<T extends EventType> = Extract<EventBody, { type: T }>;
/** The payload of one event type, e.g. `PayloadOf<"OrderFilled">`. */
export type PayloadOf<T extends EventType> = EventOf<T>["payload"];
