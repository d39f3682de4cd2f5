/**
 * The reference-data requests a gateway answers from its own tables (head timestamp, matching
 * symbols, market rules, user info, scanner parameters, news providers, soft-dollar tiers, family
 * codes) and their answers, field for field as `EClient.java` writes and `EDecoder.java` reads
 * them, with their `MIN_SERVER_VER_*` gates. None has a version field at the versions we serve.
 */
import { constant, dbl, field, group, int, message, str } from "./layout.js";
import { MIN_SERVER_VER as V } from "./protocol-out.js";

/** conId … tradingClass then includeExpired: the contract of REQ_HEAD_TIMESTAMP (`encodeContract` + includeExpired). */
const CONTRACT = [
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
  field("includeExpired", int),
];

export const REQ_HEAD_TIMESTAMP = message(87, "REQ_HEAD_TIMESTAMP", [
  field("reqId", int),
  ...CONTRACT,
  field("useRTH", int),
  field("whatToShow", str),
  field("formatDate", int),
]);
export const CANCEL_HEAD_TIMESTAMP = message(90, "CANCEL_HEAD_TIMESTAMP", [field("reqId", int)]);
export const REQ_MATCHING_SYMBOLS = message(81, "REQ_MATCHING_SYMBOLS", [
  field("reqId", int),
  field("pattern", str),
]);
export const REQ_MARKET_RULE = message(91, "REQ_MARKET_RULE", [field("marketRuleId", int)]);
export const REQ_USER_INFO = message(104, "REQ_USER_INFO", [field("reqId", int)]);
export const REQ_SCANNER_PARAMETERS = message(24, "REQ_SCANNER_PARAMETERS", [constant("version", 1)]);
export const REQ_NEWS_PROVIDERS = message(85, "REQ_NEWS_PROVIDERS", []);
export const REQ_SOFT_DOLLAR_TIERS = message(79, "REQ_SOFT_DOLLAR_TIERS", [field("reqId", int)]);
export const REQ_FAMILY_CODES = message(80, "REQ_FAMILY_CODES", []);

/** The option contract and two inputs of the option calculators (`EClient.calculateImpliedVolatility`). */
const OPTION_CALC = (first: string, second: string) => [
  constant("version", 2),
  field("reqId", int),
  ...CONTRACT.slice(0, -1),
  field(first, dbl),
  field(second, dbl),
  field("options", str),
];
export const REQ_CALC_IMPLIED_VOLAT = message(
  54,
  "REQ_CALC_IMPLIED_VOLAT",
  OPTION_CALC("optionPrice", "underPrice"),
);
export const REQ_CALC_OPTION_PRICE = message(
  55,
  "REQ_CALC_OPTION_PRICE",
  OPTION_CALC("volatility", "underPrice"),
);
export const CANCEL_CALC_IMPLIED_VOLAT = message(56, "CANCEL_CALC_IMPLIED_VOLAT", [
  constant("version", 1),
  field("reqId", int),
]);
export const CANCEL_CALC_OPTION_PRICE = message(57, "CANCEL_CALC_OPTION_PRICE", [
  constant("version", 1),
  field("reqId", int),
]);

/** The reference requests, by message id. */
export const REFERENCE_REQUESTS = [
  REQ_HEAD_TIMESTAMP,
  CANCEL_HEAD_TIMESTAMP,
  REQ_MATCHING_SYMBOLS,
  REQ_MARKET_RULE,
  REQ_USER_INFO,
  REQ_SCANNER_PARAMETERS,
  REQ_NEWS_PROVIDERS,
  REQ_SOFT_DOLLAR_TIERS,
  REQ_FAMILY_CODES,
  REQ_CALC_IMPLIED_VOLAT,
  REQ_CALC_OPTION_PRICE,
  CANCEL_CALC_IMPLIED_VOLAT,
  CANCEL_CALC_OPTION_PRICE,
] as const;

export const SCANNER_PARAMETERS = message(19, "SCANNER_PARAMETERS", [
  constant("version", 1),
  field("xml", str),
]);

export const SOFT_DOLLAR_TIERS = message(77, "SOFT_DOLLAR_TIERS", [
  field("reqId", int),
  group("tiers", [field("name", str), field("value", str), field("displayName", str)]),
]);

export const FAMILY_CODES = message(78, "FAMILY_CODES", [
  group("familyCodes", [field("accountId", str), field("familyCode", str)]),
]);

/** SYMBOL_SAMPLES (79): description and issuerId from BOND_ISSUERID (176). */
export const SYMBOL_SAMPLES = message(79, "SYMBOL_SAMPLES", [
  field("reqId", int),
  group("descriptions", [
    field("conId", int),
    field("symbol", str),
    field("secType", str),
    field("primaryExch", str),
    field("currency", str),
    group("derivativeSecTypes", [field("value", str)]),
    field("description", str, { since: V.BOND_ISSUERID }),
    field("issuerId", str, { since: V.BOND_ISSUERID }),
  ]),
]);

export const NEWS_PROVIDERS = message(85, "NEWS_PROVIDERS", [
  group("providers", [field("code", str), field("name", str)]),
]);

export const HEAD_TIMESTAMP = message(88, "HEAD_TIMESTAMP", [
  field("reqId", int),
  field("headTimestamp", str),
]);

export const MARKET_RULE = message(93, "MARKET_RULE", [
  field("marketRuleId", int),
  group("priceIncrements", [field("lowEdge", dbl), field("increment", dbl)]),
]);

export const USER_INFO = message(107, "USER_INFO", [field("reqId", int), field("whiteBrandingId", str)]);

/** The answers, for the gateway → client message table (playback, `journal wire`). */
export const REFERENCE_MESSAGES = [
  SCANNER_PARAMETERS,
  SOFT_DOLLAR_TIERS,
  FAMILY_CODES,
  SYMBOL_SAMPLES,
  NEWS_PROVIDERS,
  HEAD_TIMESTAMP,
  MARKET_RULE,
  USER_INFO,
] as const;
