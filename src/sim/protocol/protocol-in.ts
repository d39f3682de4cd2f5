/**
 * Client → server request layouts, field for field as `EClient.java` and `@stoqey/ib` 1.6.10
 * `core/io/encoder.ts` write them, with their `MIN_SERVER_VER_*` gates. Only versions ≥ 157 are
 * served, so gates below that are written where they bound a field we read, for a reader's check.
 */
import {
  bool,
  constant,
  dbl,
  field,
  group,
  int,
  intOpt,
  type MessageLayout,
  message,
  type Spec,
  str,
} from "./layout.js";
import { MIN_SERVER_VER as V } from "./protocol-out.js";
import { REFERENCE_REQUESTS } from "./protocol-reference.js";

const isBag = (v: Readonly<Record<string, unknown>>) => String(v.secType ?? "").toUpperCase() === "BAG";
const dnOrder = (v: Readonly<Record<string, unknown>>) => Boolean(v.deltaNeutralOrderType);
// Java writes the scale details only for a positive increment (`@stoqey/ib` for any it was given).
const scaled = (v: Readonly<Record<string, unknown>>) => Number(v.scalePriceIncrement ?? 0) > 0;

/** conId … tradingClass, the contract as most requests carry it. */
const CONTRACT: Spec[] = [
  field("conId", int),
  field("symbol", str),
  field("secType", str),
  field("lastTradeDateOrContractMonth", str),
  field("strike", dbl),
  field("right", str),
  field("multiplier", str),
  field("exchange", str),
  field("primaryExch", str),
  field("currency", str),
  field("localSymbol", str),
  field("tradingClass", str),
];

export const REQ_MKT_DATA = message(1, "REQ_MKT_DATA", [
  constant("version", 11),
  field("reqId", int),
  ...CONTRACT,
  group(
    "comboLegs",
    [field("conId", int), field("ratio", int), field("action", str), field("exchange", str)],
    {
      when: isBag,
    },
  ),
  field("hasDeltaNeutralContract", bool),
  field("deltaNeutralConId", int, { when: (v) => v.hasDeltaNeutralContract === true }),
  field("deltaNeutralDelta", dbl, { when: (v) => v.hasDeltaNeutralContract === true }),
  field("deltaNeutralPrice", dbl, { when: (v) => v.hasDeltaNeutralContract === true }),
  field("genericTickList", str),
  field("snapshot", bool),
  field("regulatorySnapshot", bool),
  field("mktDataOptions", str),
]);

export const CANCEL_MKT_DATA = message(2, "CANCEL_MKT_DATA", [constant("version", 1), field("reqId", int)]);

/**
 * PLACE_ORDER (3): the fields up to `whatIf` (type, prices, tif, transmit, parentId, outsideRth,
 * whatIf are the ones the simulator acts on); the ~40 that follow (conditions, adjusted-order,
 * MiFID, …) are read leniently and ignored.
 */
export const PLACE_ORDER = message(3, "PLACE_ORDER", [
  constant("version", 45, { until: 145 /* ORDER_CONTAINER */ }),
  field("orderId", int),
  ...CONTRACT,
  field("secIdType", str),
  field("secId", str),
  field("action", str),
  field("totalQuantity", dbl),
  field("orderType", str),
  field("lmtPrice", dbl),
  field("auxPrice", dbl),
  field("tif", str),
  field("ocaGroup", str),
  field("account", str),
  field("openClose", str),
  field("origin", int),
  field("orderRef", str),
  field("transmit", bool),
  field("parentId", int),
  field("blockOrder", bool),
  field("sweepToFill", bool),
  field("displaySize", intOpt),
  field("triggerMethod", int),
  field("outsideRth", bool),
  field("hidden", bool),
  // From here to whatIf as `EClient.placeOrder` writes them at ≥ 157 (the gates below that hold).
  group(
    "comboLegs",
    [
      field("conId", int),
      field("ratio", int),
      field("action", str),
      field("exchange", str),
      field("openClose", int),
      field("shortSaleSlot", int),
      field("designatedLocation", str),
      field("exemptCode", int),
    ],
    { when: isBag },
  ),
  group("orderComboLegs", [field("price", dbl)], { when: isBag }),
  group("smartComboRoutingParams", [field("tag", str), field("value", str)], { when: isBag }),
  field("sharesAllocation", str),
  field("discretionaryAmt", dbl),
  field("goodAfterTime", str),
  field("goodTillDate", str),
  field("faGroup", str),
  field("faMethod", str),
  field("faPercentage", str),
  field("faProfile", str, { until: 177 /* FA_PROFILE_DESUPPORT */ }),
  field("modelCode", str, { since: 103 /* MODELS_SUPPORT */ }),
  field("shortSaleSlot", int),
  field("designatedLocation", str),
  field("exemptCode", int),
  field("ocaType", int),
  field("rule80A", str),
  field("settlingFirm", str),
  field("allOrNone", bool),
  field("minQty", intOpt),
  field("percentOffset", dbl),
  field("eTradeOnly", bool),
  field("firmQuoteOnly", bool),
  field("nbboPriceCap", dbl),
  field("auctionStrategy", intOpt),
  field("startingPrice", dbl),
  field("stockRefPrice", dbl),
  field("delta", dbl),
  field("stockRangeLower", dbl),
  field("stockRangeUpper", dbl),
  field("overridePercentageConstraints", bool),
  field("volatility", dbl),
  field("volatilityType", intOpt),
  field("deltaNeutralOrderType", str),
  field("deltaNeutralAuxPrice", dbl),
  field("deltaNeutralConId", int, { when: dnOrder }),
  field("deltaNeutralSettlingFirm", str, { when: dnOrder }),
  field("deltaNeutralClearingAccount", str, { when: dnOrder }),
  field("deltaNeutralClearingIntent", str, { when: dnOrder }),
  field("deltaNeutralOpenClose", str, { when: dnOrder }),
  field("deltaNeutralShortSale", bool, { when: dnOrder }),
  field("deltaNeutralShortSaleSlot", int, { when: dnOrder }),
  field("deltaNeutralDesignatedLocation", str, { when: dnOrder }),
  field("continuousUpdate", int),
  field("referencePriceType", intOpt),
  field("trailStopPrice", dbl),
  field("trailingPercent", dbl),
  field("scaleInitLevelSize", intOpt),
  field("scaleSubsLevelSize", intOpt),
  field("scalePriceIncrement", dbl),
  field("scalePriceAdjustValue", dbl, { when: scaled }),
  field("scalePriceAdjustInterval", intOpt, { when: scaled }),
  field("scaleProfitOffset", dbl, { when: scaled }),
  field("scaleAutoReset", bool, { when: scaled }),
  field("scaleInitPosition", intOpt, { when: scaled }),
  field("scaleInitFillQty", intOpt, { when: scaled }),
  field("scaleRandomPercent", bool, { when: scaled }),
  field("scaleTable", str),
  field("activeStartTime", str),
  field("activeStopTime", str),
  field("hedgeType", str),
  field("hedgeParam", str, { when: (v) => Boolean(v.hedgeType) }),
  field("optOutSmartRouting", bool),
  field("clearingAccount", str),
  field("clearingIntent", str),
  field("notHeld", bool),
  field("hasDeltaNeutralContract", bool),
  field("deltaNeutralContractConId", int, { when: (v) => v.hasDeltaNeutralContract === true }),
  field("deltaNeutralContractDelta", dbl, { when: (v) => v.hasDeltaNeutralContract === true }),
  field("deltaNeutralContractPrice", dbl, { when: (v) => v.hasDeltaNeutralContract === true }),
  field("algoStrategy", str),
  group("algoParams", [field("tag", str), field("value", str)], { when: (v) => Boolean(v.algoStrategy) }),
  field("algoId", str),
  field("whatIf", bool),
]);

export const CANCEL_ORDER = message(4, "CANCEL_ORDER", [
  constant("version", 1, { until: V.CME_TAGGING_FIELDS }),
  field("orderId", int),
  field("manualOrderCancelTime", str, { since: V.MANUAL_ORDER_TIME }),
  field("rfqExtOperator", str, { since: V.RFQ_FIELDS, until: V.UNDO_RFQ_FIELDS }),
  field("rfqExternalUserId", str, { since: V.RFQ_FIELDS, until: V.UNDO_RFQ_FIELDS }),
  field("rfqManualOrderIndicator", intOpt, { since: V.RFQ_FIELDS, until: V.UNDO_RFQ_FIELDS }),
  field("extOperator", str, { since: V.CME_TAGGING_FIELDS }),
  field("manualOrderIndicator", intOpt, { since: V.CME_TAGGING_FIELDS }),
]);

export const REQ_OPEN_ORDERS = message(5, "REQ_OPEN_ORDERS", [constant("version", 1)]);

export const REQ_ACCOUNT_DATA = message(6, "REQ_ACCOUNT_DATA", [
  constant("version", 2),
  field("subscribe", bool),
  field("acctCode", str),
]);

export const REQ_EXECUTIONS = message(7, "REQ_EXECUTIONS", [
  constant("version", 3),
  field("reqId", int),
  field("clientId", intOpt),
  field("acctCode", str),
  field("time", str),
  field("symbol", str),
  field("secType", str),
  field("exchange", str),
  field("side", str),
]);

export const REQ_IDS = message(8, "REQ_IDS", [constant("version", 1), field("numIds", int)]);

export const REQ_CONTRACT_DATA = message(9, "REQ_CONTRACT_DATA", [
  constant("version", 8),
  field("reqId", int),
  ...CONTRACT,
  field("includeExpired", bool),
  field("secIdType", str),
  field("secId", str),
  field("issuerId", str, { since: V.BOND_ISSUERID }),
]);

export const REQ_AUTO_OPEN_ORDERS = message(15, "REQ_AUTO_OPEN_ORDERS", [
  constant("version", 1),
  field("autoBind", bool),
]);
export const REQ_ALL_OPEN_ORDERS = message(16, "REQ_ALL_OPEN_ORDERS", [constant("version", 1)]);
export const REQ_MANAGED_ACCTS = message(17, "REQ_MANAGED_ACCTS", [constant("version", 1)]);

export const REQ_HISTORICAL_DATA = message(20, "REQ_HISTORICAL_DATA", [
  constant("version", 6, { until: V.SYNT_REALTIME_BARS }),
  field("reqId", int),
  ...CONTRACT,
  field("includeExpired", bool),
  field("endDateTime", str),
  field("barSizeSetting", str),
  field("durationStr", str),
  field("useRTH", int),
  field("whatToShow", str),
  field("formatDate", int),
  group(
    "comboLegs",
    [field("conId", int), field("ratio", int), field("action", str), field("exchange", str)],
    {
      when: isBag,
    },
  ),
  field("keepUpToDate", bool, { since: V.SYNT_REALTIME_BARS }),
  field("chartOptions", str),
]);

export const CANCEL_HISTORICAL_DATA = message(25, "CANCEL_HISTORICAL_DATA", [
  constant("version", 1),
  field("reqId", int),
]);
export const REQ_CURRENT_TIME = message(49, "REQ_CURRENT_TIME", [constant("version", 1)]);
export const REQ_GLOBAL_CANCEL = message(58, "REQ_GLOBAL_CANCEL", [
  constant("version", 1, { until: V.CME_TAGGING_FIELDS }),
  field("extOperator", str, { since: V.CME_TAGGING_FIELDS }),
  field("manualOrderIndicator", intOpt, { since: V.CME_TAGGING_FIELDS }),
]);
export const REQ_MARKET_DATA_TYPE = message(59, "REQ_MARKET_DATA_TYPE", [
  constant("version", 1),
  field("marketDataType", int),
]);
export const REQ_POSITIONS = message(61, "REQ_POSITIONS", [constant("version", 1)]);
export const REQ_ACCOUNT_SUMMARY = message(62, "REQ_ACCOUNT_SUMMARY", [
  constant("version", 1),
  field("reqId", int),
  field("group", str),
  field("tags", str),
]);
export const CANCEL_ACCOUNT_SUMMARY = message(63, "CANCEL_ACCOUNT_SUMMARY", [
  constant("version", 1),
  field("reqId", int),
]);
export const CANCEL_POSITIONS = message(64, "CANCEL_POSITIONS", [constant("version", 1)]);
export const START_API = message(71, "START_API", [
  constant("version", 2),
  field("clientId", int),
  field("optionalCapabilities", str),
]);
export const REQ_POSITIONS_MULTI = message(74, "REQ_POSITIONS_MULTI", [
  constant("version", 1),
  field("reqId", int),
  field("account", str),
  field("modelCode", str),
]);
export const CANCEL_POSITIONS_MULTI = message(75, "CANCEL_POSITIONS_MULTI", [
  constant("version", 1),
  field("reqId", int),
]);
export const REQ_ACCOUNT_UPDATES_MULTI = message(76, "REQ_ACCOUNT_UPDATES_MULTI", [
  constant("version", 1),
  field("reqId", int),
  field("account", str),
  field("modelCode", str),
  field("ledgerAndNLV", bool),
]);
export const CANCEL_ACCOUNT_UPDATES_MULTI = message(77, "CANCEL_ACCOUNT_UPDATES_MULTI", [
  constant("version", 1),
  field("reqId", int),
]);
export const REQ_SEC_DEF_OPT_PARAMS = message(78, "REQ_SEC_DEF_OPT_PARAMS", [
  field("reqId", int),
  field("underlyingSymbol", str),
  field("futFopExchange", str),
  field("underlyingSecType", str),
  field("underlyingConId", int),
]);
export const REQ_PNL = message(92, "REQ_PNL", [
  field("reqId", int),
  field("account", str),
  field("modelCode", str),
]);
export const CANCEL_PNL = message(93, "CANCEL_PNL", [field("reqId", int)]);
export const REQ_PNL_SINGLE = message(94, "REQ_PNL_SINGLE", [
  field("reqId", int),
  field("account", str),
  field("modelCode", str),
  field("conId", int),
]);
export const CANCEL_PNL_SINGLE = message(95, "CANCEL_PNL_SINGLE", [field("reqId", int)]);
export const REQ_COMPLETED_ORDERS = message(99, "REQ_COMPLETED_ORDERS", [field("apiOnly", bool)]);

/** Every request the simulator understands, by message id. */
export const REQUESTS: ReadonlyMap<number, MessageLayout> = new Map(
  [
    REQ_MKT_DATA,
    CANCEL_MKT_DATA,
    PLACE_ORDER,
    CANCEL_ORDER,
    REQ_OPEN_ORDERS,
    REQ_ACCOUNT_DATA,
    REQ_EXECUTIONS,
    REQ_IDS,
    REQ_CONTRACT_DATA,
    REQ_AUTO_OPEN_ORDERS,
    REQ_ALL_OPEN_ORDERS,
    REQ_MANAGED_ACCTS,
    REQ_HISTORICAL_DATA,
    CANCEL_HISTORICAL_DATA,
    REQ_CURRENT_TIME,
    REQ_GLOBAL_CANCEL,
    REQ_MARKET_DATA_TYPE,
    REQ_POSITIONS,
    REQ_ACCOUNT_SUMMARY,
    CANCEL_ACCOUNT_SUMMARY,
    CANCEL_POSITIONS,
    START_API,
    REQ_POSITIONS_MULTI,
    CANCEL_POSITIONS_MULTI,
    REQ_ACCOUNT_UPDATES_MULTI,
    CANCEL_ACCOUNT_UPDATES_MULTI,
    REQ_SEC_DEF_OPT_PARAMS,
    REQ_PNL,
    CANCEL_PNL,
    REQ_PNL_SINGLE,
    CANCEL_PNL_SINGLE,
    REQ_COMPLETED_ORDERS,
    ...REFERENCE_REQUESTS,
  ].map((m) => [m.id, m]),
);
