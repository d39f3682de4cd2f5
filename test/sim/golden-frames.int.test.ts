/**
 * Golden frames: the exact fields the simulator sends at server versions 165, 173, 178 and 193, as
 * a raw socket sees them — written out from the official API's layouts (EDecoder/EOrderDecoder,
 * each gated field named by its MIN_SERVER_VER) and the formats of real gateway captures: empty
 * evMultiplier, `0` for zero order-status prices, `1.7976931348623157E308` for unset doubles,
 * execution times `yyyyMMdd  HH:mm:ss` (two spaces, no zone below 200), `None` and the
 * delta-neutral block, `2147483647` for unset sizes, `?` as a stock's right, faProfile below 177.
 */
import { afterEach, describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import { encodeFields, javaDouble, requests as R, SimMarket, startSimulator } from "../../src/sim/index.js";
import { type RawClient, rawClient } from "./raw-client.js";

const START = newYorkTimeToMs("2026-02-04", 10, 30);
const VERSIONS = [165, 173, 178, 193] as const;
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const SPY = {
  conId: 0,
  symbol: "SPY",
  secType: "STK",
  lastTradeDateOrContractMonth: "",
  strike: 0,
  right: "",
  multiplier: "",
  exchange: "SMART",
  primaryExch: "",
  currency: "USD",
  localSymbol: "",
  tradingClass: "",
};
const MAX = "1.7976931348623157E308";
const UNSET_INT = "2147483647";
/** A gated field list: `[since, until, fields]` rows are kept when the version is in range. */
type Row = string | readonly [since: number, until: number, fields: readonly string[]];
const at = (version: number, rows: readonly Row[]): string[] =>
  rows.flatMap((r) => (typeof r === "string" ? [r] : version >= r[0] && version < r[1] ? [...r[2]] : []));
const ALWAYS = 10_000;

const week = (open: string, close: string) =>
  ["20260204", "20260205", "20260206", "20260207", "20260208", "20260209", "20260210"]
    .map((d) => (d === "20260207" || d === "20260208" ? `${d}:CLOSED` : `${d}:${open}-${d}:${close}`))
    .join(";");

/** CONTRACT_DATA (10) for SPY: no version field from SIZE_RULES (164). */
const contractData = (v: number) =>
  at(v, [
    "10",
    "1",
    "SPY",
    "STK",
    "",
    [182, ALWAYS, [""]], // LAST_TRADE_DATE
    "0.0",
    "",
    "SMART",
    "USD",
    "SPY",
    "SPY",
    "SPY",
    "756733",
    "0.01",
    "",
    "ACTIVETIM,AD,ADJUST,ALERT,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,GAT,GTC,GTD,LIT,LMT,MIT,MKT,NONALGO,OCA,REL,STP,STPLMT,TRAIL,WHATIF",
    "SMART,AMEX,ARCA,BATS,EDGX,IEX,ISLAND,NYSE",
    "1",
    "0",
    "SPDR S&P 500 ETF TRUST",
    "ARCA",
    "",
    "Funds",
    "Equity Fund",
    "Growth-Large Cap",
    "US/Eastern",
    week("0400", "2000"),
    week("0930", "1600"),
    "", // evRule
    "", // evMultiplier: empty, as real captures (never 0.0)
    "0", // secIdList
    "1", // AGG_GROUP
    "", // UNDERLYING_INFO
    "",
    "26,26,26,26,26,26,26,26", // MARKET_RULES
    "", // REAL_EXPIRATION_DATE
    "ETF", // STOCK_TYPE
    "1", // SIZE_RULES: minSize, sizeIncrement, suggestedSizeIncrement
    "1",
    "100",
    [186, ALWAYS, ["0"]], // INELIGIBILITY_REASONS
  ]);

/** The contract as order messages carry it: a stock's right is "?". */
const ORDER_CONTRACT = ["756733", "SPY", "STK", "", "0.0", "?", "", "SMART", "USD", "SPY", "SPY"];

/** OPEN_ORDER (5) of a working MKT BUY 1 (ORDER_CONTAINER: no version field). */
const openOrder = (v: number, status: string) =>
  at(v, [
    "5",
    "4",
    ...ORDER_CONTRACT,
    ...[
      "BUY",
      "1",
      "MKT",
      "",
      "0.0",
      "DAY",
      "",
      "U1234567",
      "",
      "0",
      "",
      "5",
      "1000001",
      "0",
      "0",
      "0.0",
      "",
    ],
    ...["", "", "", ""], // sharesAllocation, faGroup, faMethod, faPercentage
    [0, 177, [""]], // faProfile until FA_PROFILE_DESUPPORT
    ...["", "", "", "", "", "0", "", "-1", "0", "", "", "", "", ""], // modelCode … stockRangeUpper
    ...[UNSET_INT, "0", "0", "0", "", "3", "0", "0", "", "0", "0"], // displaySize … triggerMethod
    ...["", "0", "None", "", "0", "", "", "", "", "0", "0", "", "0", "0"], // vol params with the DN block
    ...["", "", "", "", "", "0", "0", "0", UNSET_INT, UNSET_INT, "", ""], // trail … scale, hedgeType
    ...["0", "", "IB", "0", "0", "", "0", "0", status], // optOutSmartRouting … status
    ...[MAX, MAX, MAX, MAX, MAX, MAX, MAX, MAX, MAX], // margins before/change/after
    ...["", "", "", "", "", "0", "0", "0"], // commissions, warning, randomize, conditions
    ...["None", "", "", "", "", "", "", "0", "", "", "", ""], // adjusted params, soft dollar tier
    ...["1", "0", "0", "0", UNSET_INT, UNSET_INT, "0"], // dontUseAutoPriceForHedge … autoCancelParent
    [170, ALWAYS, ["", "", "", "", ""]], // PEGBEST_PEGMID_OFFSETS
    [183, ALWAYS, [""]], // CUSTOMER_ACCOUNT
    [184, ALWAYS, ["0"]], // PROFESSIONAL_CUSTOMER
    [185, ALWAYS, [""]], // BOND_ACCRUED_INTEREST
    [189, ALWAYS, ["0"]], // INCLUDE_OVERNIGHT
    [193, ALWAYS, ["", UNSET_INT]], // CME_TAGGING_FIELDS_IN_OPEN_ORDER
  ]);

/** COMPLETED_ORDER (101) of the filled MKT BUY 1. */
const completedOrder = (v: number) =>
  at(v, [
    "101",
    ...ORDER_CONTRACT,
    ...["BUY", "1", "MKT", "", "0.0", "DAY", "", "U1234567", "", "0", "", "1000001", "0", "0", "0.0", ""],
    ...["", "", ""], // faGroup, faMethod, faPercentage
    [0, 177, [""]], // faProfile until FA_PROFILE_DESUPPORT, read by the server version as for open orders
    ...["", "", "", "", "", "0", "", "-1", "", "", "", "", ""], // modelCode … stockRangeUpper
    ...[UNSET_INT, "0", "0", "", "3", "0"], // displaySize … triggerMethod
    ...["", "0", "None", "", "0", "0", "0", "", "0", "0"], // vol params with the DN block
    ...["", "", "", "0", "0", "0", UNSET_INT, UNSET_INT, "", ""], // trail … scale, hedgeType
    ...["", "IB", "0", "0", "", "0", "Filled", "0", "0", "0"], // clearing … conditions
    ...["", "", "", "1", "0", "", "1", UNSET_INT, "0"], // trailStopPrice … autoCancelParent
    ...["Not an insider or substantial shareholder", "0", "0", UNSET_INT],
    ...["20260204 10:30:00 US/Eastern", "Filled"],
    [170, ALWAYS, ["", "", "", "", ""]], // PEGBEST_PEGMID_OFFSETS
    [183, ALWAYS, [""]], // CUSTOMER_ACCOUNT
    [184, ALWAYS, ["0"]], // PROFESSIONAL_CUSTOMER
  ]);

async function session(version: number): Promise<RawClient> {
  // speed 0: the simulated clock stands at START, so every time and price below is fixed.
  const sim = await startSimulator({ seed: 42, startMs: START, speed: 0, account: "U1234567" });
  closers.push(() => sim.close());
  const client = await rawClient(sim.port, `v157..${version}`, 5);
  closers.push(() => client.close());
  return client;
}

describe("the handshake's time, as a gateway on the host's zone writes it", () => {
  const hello = async (startMs: number, hostTimeZone?: string) => {
    const sim = await startSimulator({
      seed: 42,
      startMs,
      speed: 0,
      ...(hostTimeZone ? { hostTimeZone } : {}),
    });
    closers.push(() => sim.close());
    const client = await rawClient(sim.port, "v157..193", 5);
    closers.push(() => client.close());
    return client.hello[1];
  };
  it("a London host: its clock and its long zone name, summer and winter, as in real captures", async () => {
    expect(await hello(newYorkTimeToMs("2025-06-12", 10, 3, 11), "Europe/London")).toBe(
      "20250612 15:03:11 British Summer Time",
    );
    expect(await hello(START, "Europe/London")).toBe("20260204 15:30:00 Greenwich Mean Time");
  });
  it("the default New York host writes the short zone, EDT in summer", async () => {
    expect(await hello(newYorkTimeToMs("2025-06-12", 10, 3, 11))).toBe("20250612 10:03:11 EDT");
    expect(await hello(START)).toBe("20260204 10:30:00 EST");
  });
  it("refuses a zone name it does not know, saying what to give instead", async () => {
    await expect(startSimulator({ seed: 42, startMs: START, hostTimeZone: "Mars/Olympus" })).rejects.toThrow(
      /not an IANA time zone.*Europe\/London/,
    );
  });
});

describe("golden frames at server versions 165, 173, 178, 193", () => {
  for (const v of VERSIONS)
    it(`at ${v}: handshake, farm notices, contract details, an order's life, a completed order`, async () => {
      const c = await session(v);
      expect(c.hello).toEqual([String(v), "20260204 10:30:00 EST"]);
      const tail = v >= 166 ? [""] : []; // ERR_MSG: advancedOrderRejectJson from ADVANCED_ORDER_REJECT
      expect(c.frames.slice(0, 6)).toEqual([
        ["15", "1", "U1234567"],
        ["9", "1", "1"],
        ["4", "2", "-1", "2104", "Market data farm connection is OK:usfarm", ...tail],
        ["4", "2", "-1", "2106", "HMDS data farm connection is OK:ushmds", ...tail],
        [
          "4",
          "2",
          "-1",
          "2107",
          "HMDS data farm connection is inactive but should be available upon demand.cashhmds",
          ...tail,
        ],
        ["4", "2", "-1", "2158", "Sec-def data farm connection is OK:secdefnj", ...tail],
      ]);

      c.send(encodeFields(R.REQ_CONTRACT_DATA, v, { reqId: 1, ...SPY, issuerId: "" }));
      expect(await c.next((f) => f[0] === "10")).toEqual(contractData(v));
      expect(await c.next((f) => f[0] === "52")).toEqual(["52", "1", "1"]);

      const order = { ...SPY, action: "BUY", totalQuantity: 1, tif: "DAY", transmit: true };
      c.send(encodeFields(R.PLACE_ORDER, v, { orderId: 4, ...order, orderType: "MKT" }));
      const from = c.frames.length;
      const execution = await c.next((f) => f[0] === "11", from);
      const ask = javaDouble(new SimMarket(42).stockQuote("SPY", START).ask);
      const placed = c.frames.slice(from, from + 4);
      expect(placed).toEqual([
        openOrder(v, "PreSubmitted"),
        ["3", "4", "PreSubmitted", "0", "1", "0", "1000001", "0", "0", "5", "", "0"],
        openOrder(v, "Submitted"),
        ["3", "4", "Submitted", "0", "1", "0", "1000001", "0", "0", "5", "", "0"],
      ]);
      const execId = execution[14]!;
      expect(execId).toMatch(/^[0-9a-f]{8}\.20260204\./);
      expect(execution).toEqual(
        at(v, [
          "11",
          "-1",
          "4",
          "756733",
          "SPY",
          "STK",
          "",
          "0.0",
          "",
          "",
          "ARCA",
          "USD",
          "SPY",
          "SPY",
          execId,
          "20260204  10:30:00",
          "U1234567",
          "ARCA",
          "BOT",
          "1",
          ask,
          "1000001",
          "5",
          "0",
          "1",
          ask,
          "",
          "",
          "", // evMultiplier
          "", // MODELS_SUPPORT
          "2", // LAST_LIQUIDITY
          [178, ALWAYS, ["0"]], // PENDING_PRICE_REVISION
        ]),
      );
      const commission = await c.next((f) => f[0] === "59", from);
      expect(commission).toEqual(["59", "1", execId, "1.0", "USD", MAX, MAX, ""]);
      const i = c.frames.indexOf(execution);
      expect(c.frames[i + 1]).toEqual(["3", "4", "Filled", "1", "0", ask, "1000001", "0", ask, "5", "", "0"]);
      expect(c.frames[i + 2]).toEqual(openOrder(v, "Filled"));

      c.send([99, 0]);
      expect(await c.next((f) => f[0] === "101")).toEqual(completedOrder(v));
    });
});
