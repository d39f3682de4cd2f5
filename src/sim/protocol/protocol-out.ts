/**
 * Server → client message layouts, one table per message, field for field as the official API's
 * `EDecoder.java` and `@stoqey/ib` 1.6.10 `core/io/decoder.ts` read them; each gate is the
 * `MIN_SERVER_VER_*` constant of that field (names in comments). The order messages (OPEN_ORDER,
 * COMPLETED_ORDER) are in protocol-orders.ts.
 */
import { bool, constant, dbl, dblMax, dec, field, group, int, message, price, str } from "./layout.js";

/** MIN_SERVER_VER constants used below (from `@stoqey/ib` `min-server-version.ts` / `EClient.java`). */
export const MIN_SERVER_VER = {
  MD_SIZE_MULTIPLIER: 110,
  MODELS_SUPPORT: 103,
  AGG_GROUP: 121,
  UNDERLYING_INFO: 122,
  SYNT_REALTIME_BARS: 124,
  MARKET_RULES: 126,
  UNREALIZED_PNL: 129,
  MARKET_CAP_PRICE: 131,
  REAL_EXPIRATION_DATE: 134,
  REALIZED_PNL: 135,
  LAST_LIQUIDITY: 136,
  STOCK_TYPE: 152,
  PRICE_BASED_VOLATILITY: 156,
  MARKET_DATA_IN_SHARES: 159,
  FRACTIONAL_SIZE_SUPPORT: 163,
  SIZE_RULES: 164,
  ADVANCED_ORDER_REJECT: 166,
  MANUAL_ORDER_TIME: 169,
  HMDS_MARKET_DATA_IN_SHARES: 175,
  BOND_ISSUERID: 176,
  PENDING_PRICE_REVISION: 178,
  FUND_DATA_FIELDS: 179,
  LAST_TRADE_DATE: 182,
  INELIGIBILITY_REASONS: 186,
  RFQ_FIELDS: 187,
  UNDO_RFQ_FIELDS: 190,
  CME_TAGGING_FIELDS: 192,
} as const;
const V = MIN_SERVER_VER;

export const TICK_PRICE = message(1, "TICK_PRICE", [
  constant("version", 6),
  field("tickerId", int),
  field("tickType", int),
  field("price", dbl),
  field("size", dec),
  field("attrMask", int),
]);

export const TICK_SIZE = message(2, "TICK_SIZE", [
  constant("version", 6),
  field("tickerId", int),
  field("tickType", int),
  field("size", dec),
]);

export const ORDER_STATUS = message(3, "ORDER_STATUS", [
  constant("version", 6, { until: V.MARKET_CAP_PRICE }),
  field("orderId", int),
  field("status", str),
  field("filled", dec),
  field("remaining", dec),
  field("avgFillPrice", price),
  field("permId", int),
  field("parentId", int),
  field("lastFillPrice", price),
  field("clientId", int),
  field("whyHeld", str),
  field("mktCapPrice", price, { since: V.MARKET_CAP_PRICE }),
]);

export const ERR_MSG = message(4, "ERR_MSG", [
  constant("version", 2),
  field("id", int),
  field("code", int),
  field("message", str),
  field("advancedOrderRejectJson", str, { since: V.ADVANCED_ORDER_REJECT }),
]);

export const ACCT_VALUE = message(6, "ACCT_VALUE", [
  constant("version", 2),
  field("key", str),
  field("value", str),
  field("currency", str),
  field("accountName", str),
]);

export const PORTFOLIO_VALUE = message(7, "PORTFOLIO_VALUE", [
  constant("version", 8),
  field("conId", int),
  field("symbol", str),
  field("secType", str),
  field("lastTradeDateOrContractMonth", str),
  field("strike", dbl),
  field("right", str),
  field("multiplier", str),
  field("primaryExch", str),
  field("currency", str),
  field("localSymbol", str),
  field("tradingClass", str),
  field("position", dec),
  field("marketPrice", dbl),
  field("marketValue", dbl),
  field("averageCost", dbl),
  field("unrealizedPNL", dbl),
  field("realizedPNL", dbl),
  field("accountName", str),
]);

export const ACCT_UPDATE_TIME = message(8, "ACCT_UPDATE_TIME", [
  constant("version", 1),
  field("timeStamp", str),
]);

export const NEXT_VALID_ID = message(9, "NEXT_VALID_ID", [constant("version", 1), field("orderId", int)]);

const FUND_FIELDS = [
  "fundName",
  "fundFamily",
  "fundType",
  "fundFrontLoad",
  "fundBackLoad",
  "fundBackLoadTimeInterval",
  "fundManagementFee",
  "fundClosed",
  "fundClosedForNewInvestors",
  "fundClosedForNewMoney",
  "fundNotifyAmount",
  "fundMinimumInitialPurchase",
  "fundSubsequentMinimumPurchase",
  "fundBlueSkyStates",
  "fundBlueSkyTerritories",
  "fundDistributionPolicyIndicator",
  "fundAssetType",
].map((name) =>
  field(name, name.startsWith("fundClosed") ? bool : str, {
    since: V.FUND_DATA_FIELDS,
    when: (v) => v.secType === "FUND",
  }),
);

export const CONTRACT_DATA = message(10, "CONTRACT_DATA", [
  constant("version", 8, { until: V.SIZE_RULES }),
  field("reqId", int),
  field("symbol", str),
  field("secType", str),
  field("lastTradeDateOrContractMonth", str),
  field("lastTradeDate", str, { since: V.LAST_TRADE_DATE }),
  field("strike", dbl),
  field("right", str),
  field("exchange", str),
  field("currency", str),
  field("localSymbol", str),
  field("marketName", str),
  field("tradingClass", str),
  field("conId", int),
  field("minTick", dbl),
  field("mdSizeMultiplier", int, { since: V.MD_SIZE_MULTIPLIER, until: V.SIZE_RULES }),
  field("multiplier", str),
  field("orderTypes", str),
  field("validExchanges", str),
  field("priceMagnifier", int),
  field("underConId", int),
  field("longName", str),
  field("primaryExch", str),
  field("contractMonth", str),
  field("industry", str),
  field("category", str),
  field("subcategory", str),
  field("timeZoneId", str),
  field("tradingHours", str),
  field("liquidHours", str),
  field("evRule", str),
  field("evMultiplier", dbl),
  group("secIdList", [field("tag", str), field("value", str)]),
  field("aggGroup", int, { since: V.AGG_GROUP }),
  field("underSymbol", str, { since: V.UNDERLYING_INFO }),
  field("underSecType", str, { since: V.UNDERLYING_INFO }),
  field("marketRuleIds", str, { since: V.MARKET_RULES }),
  field("realExpirationDate", str, { since: V.REAL_EXPIRATION_DATE }),
  field("stockType", str, { since: V.STOCK_TYPE }),
  field("sizeMinTick", dec, { since: V.FRACTIONAL_SIZE_SUPPORT, until: V.SIZE_RULES }),
  field("minSize", dec, { since: V.SIZE_RULES }),
  field("sizeIncrement", dec, { since: V.SIZE_RULES }),
  field("suggestedSizeIncrement", dec, { since: V.SIZE_RULES }),
  ...FUND_FIELDS,
  group("ineligibilityReasonList", [field("id", str), field("description", str)], {
    since: V.INELIGIBILITY_REASONS,
  }),
]);

export const EXECUTION_DATA = message(11, "EXECUTION_DATA", [
  constant("version", 10, { until: V.LAST_LIQUIDITY }),
  field("reqId", int),
  field("orderId", int),
  field("conId", int),
  field("symbol", str),
  field("secType", str),
  field("lastTradeDateOrContractMonth", str),
  field("strike", dbl),
  field("right", str),
  field("multiplier", str),
  field("exchange", str),
  field("currency", str),
  field("localSymbol", str),
  field("tradingClass", str),
  field("execId", str),
  field("time", str),
  field("acctNumber", str),
  field("execExchange", str),
  field("side", str),
  field("shares", dec),
  field("price", dbl),
  field("permId", int),
  field("clientId", int),
  field("liquidation", int),
  field("cumQty", dec),
  field("avgPrice", dbl),
  field("orderRef", str),
  field("evRule", str),
  field("evMultiplier", dbl),
  field("modelCode", str, { since: V.MODELS_SUPPORT }),
  field("lastLiquidity", int, { since: V.LAST_LIQUIDITY }),
  field("pendingPriceRevision", bool, { since: V.PENDING_PRICE_REVISION }),
]);

export const MANAGED_ACCTS = message(15, "MANAGED_ACCTS", [
  constant("version", 1),
  field("accountsList", str),
]);

/** At ≥ 196 the bars end with a separate HISTORICAL_DATA_END (108); below it the count closes the batch. */
export const HISTORICAL_DATA = message(17, "HISTORICAL_DATA", [
  constant("version", 3, { until: V.SYNT_REALTIME_BARS }),
  field("reqId", int),
  field("startDateStr", str),
  field("endDateStr", str),
  group("bars", [
    field("date", str),
    field("open", dbl),
    field("high", dbl),
    field("low", dbl),
    field("close", dbl),
    field("volume", dec),
    field("wap", dec),
    field("hasGaps", str, { until: V.SYNT_REALTIME_BARS }),
    field("barCount", int),
  ]),
]);

/**
 * The bar under way of a `keepUpToDate` request (EDecoder.processHistoricalDataUpdateMsg, no
 * version field): note IB's order, open, close, high, low.
 */
export const HISTORICAL_DATA_UPDATE = message(90, "HISTORICAL_DATA_UPDATE", [
  field("reqId", int),
  field("barCount", int),
  field("date", str),
  field("open", dbl),
  field("close", dbl),
  field("high", dbl),
  field("low", dbl),
  field("wap", dec),
  field("volume", dec),
]);

export const TICK_OPTION_COMPUTATION = message(21, "TICK_OPTION_COMPUTATION", [
  constant("version", 6, { until: V.PRICE_BASED_VOLATILITY }),
  field("tickerId", int),
  field("tickType", int),
  field("tickAttrib", int, { since: V.PRICE_BASED_VOLATILITY }),
  field("impliedVol", dbl),
  field("delta", dbl),
  field("optPrice", dbl),
  field("pvDividend", dbl),
  field("gamma", dbl),
  field("vega", dbl),
  field("theta", dbl),
  field("undPrice", dbl),
]);

export const CURRENT_TIME = message(49, "CURRENT_TIME", [constant("version", 1), field("time", int)]);
export const CONTRACT_DATA_END = message(52, "CONTRACT_DATA_END", [
  constant("version", 1),
  field("reqId", int),
]);
export const OPEN_ORDER_END = message(53, "OPEN_ORDER_END", [constant("version", 1)]);
export const ACCT_DOWNLOAD_END = message(54, "ACCT_DOWNLOAD_END", [
  constant("version", 1),
  field("accountName", str),
]);
export const EXECUTION_DATA_END = message(55, "EXECUTION_DATA_END", [
  constant("version", 1),
  field("reqId", int),
]);
export const TICK_SNAPSHOT_END = message(57, "TICK_SNAPSHOT_END", [
  constant("version", 1),
  field("reqId", int),
]);
export const MARKET_DATA_TYPE = message(58, "MARKET_DATA_TYPE", [
  constant("version", 1),
  field("reqId", int),
  field("marketDataType", int),
]);

export const COMMISSION_REPORT = message(59, "COMMISSION_REPORT", [
  constant("version", 1),
  field("execId", str),
  field("commission", dblMax),
  field("currency", str),
  field("realizedPNL", dblMax),
  field("yield", dblMax),
  field("yieldRedemptionDate", str),
]);

/** A position's contract and holding, as POSITION and POSITION_MULTI both write them. */
const POSITION_FIELDS = [
  field("conId", int),
  field("symbol", str),
  field("secType", str),
  field("lastTradeDateOrContractMonth", str),
  field("strike", dbl),
  field("right", str),
  field("multiplier", str),
  field("exchange", str),
  field("currency", str),
  field("localSymbol", str),
  field("tradingClass", str),
  field("position", dec),
  field("avgCost", dbl),
];

export const POSITION = message(61, "POSITION", [
  constant("version", 3),
  field("account", str),
  ...POSITION_FIELDS,
]);

export const POSITION_END = message(62, "POSITION_END", [constant("version", 1)]);

export const ACCOUNT_SUMMARY = message(63, "ACCOUNT_SUMMARY", [
  constant("version", 1),
  field("reqId", int),
  field("account", str),
  field("tag", str),
  field("value", str),
  field("currency", str),
]);
export const ACCOUNT_SUMMARY_END = message(64, "ACCOUNT_SUMMARY_END", [
  constant("version", 1),
  field("reqId", int),
]);

export const POSITION_MULTI = message(71, "POSITION_MULTI", [
  constant("version", 1),
  field("reqId", int),
  field("account", str),
  ...POSITION_FIELDS,
  field("modelCode", str),
]);
export const POSITION_MULTI_END = message(72, "POSITION_MULTI_END", [
  constant("version", 1),
  field("reqId", int),
]);

export const ACCOUNT_UPDATE_MULTI = message(73, "ACCOUNT_UPDATE_MULTI", [
  constant("version", 1),
  field("reqId", int),
  field("account", str),
  field("modelCode", str),
  field("key", str),
  field("value", str),
  field("currency", str),
]);
export const ACCOUNT_UPDATE_MULTI_END = message(74, "ACCOUNT_UPDATE_MULTI_END", [
  constant("version", 1),
  field("reqId", int),
]);

export const SECURITY_DEFINITION_OPTION_PARAMETER = message(75, "SECURITY_DEFINITION_OPTION_PARAMETER", [
  field("reqId", int),
  field("exchange", str),
  field("underlyingConId", int),
  field("tradingClass", str),
  field("multiplier", str),
  group("expirations", [field("value", str)]),
  group("strikes", [field("value", dbl)]),
]);
export const SECURITY_DEFINITION_OPTION_PARAMETER_END = message(
  76,
  "SECURITY_DEFINITION_OPTION_PARAMETER_END",
  [field("reqId", int)],
);

export const TICK_REQ_PARAMS = message(81, "TICK_REQ_PARAMS", [
  field("tickerId", int),
  field("minTick", dbl),
  field("bboExchange", str),
  field("snapshotPermissions", int),
]);

export const PNL = message(94, "PNL", [
  field("reqId", int),
  field("dailyPnL", dbl),
  field("unrealizedPnL", dbl, { since: V.UNREALIZED_PNL }),
  field("realizedPnL", dbl, { since: V.REALIZED_PNL }),
]);

export const PNL_SINGLE = message(95, "PNL_SINGLE", [
  field("reqId", int),
  field("position", dec),
  field("dailyPnL", dbl),
  field("unrealizedPnL", dbl, { since: V.UNREALIZED_PNL }),
  field("realizedPnL", dbl, { since: V.REALIZED_PNL }),
  field("value", dbl),
]);

export const COMPLETED_ORDERS_END = message(102, "COMPLETED_ORDERS_END", []);

/** The handshake reply: not a message with an id, two bare fields. */
export const SERVER_HELLO_FIELDS = ["serverVersion", "connectionTime"] as const;
