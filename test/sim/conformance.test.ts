/**
 * Wire conformance, message by message and version by version:
 * 1. what the simulator's layouts write at a server version decodes in `@stoqey/ib` 1.6.10's own
 *    Decoder, set to that version, to the same values with no 505 (too few/many fields);
 * 2. what `@stoqey/ib`'s own Encoder writes at a version decodes through our request layouts;
 * 3. field orders at chosen versions written out by hand from IBKR's Java client
 *    (`EDecoder.java`, `EClient.java`, `EOrderDecoder.java`, as bundled in stoqey/ib `ref/client/`
 *    at commit f852fcf, "ci: version bump to 1.6.7"), so a reader can hold the tables against them;
 * 4. encode → decode round-trips for any values (fast-check).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeFields,
  encodeFields,
  encodeText,
  javaDouble,
  messages as M,
  type MessageLayout,
  orderMessages as O,
  requests as R,
} from "../../src/sim/index.js";

const require = createRequire(import.meta.url);
const stoqeyDist = dirname(require.resolve("@stoqey/ib"));
const { Decoder } = require(join(stoqeyDist, "core", "io", "decoder.js")) as {
  Decoder: new (cb: object) => { enqueueMessage(tokens: string[]): void; process(): void };
};
const { Encoder } = require(join(stoqeyDist, "core", "io", "encoder.js")) as {
  Encoder: new (cb: object) => Record<string, (...args: unknown[]) => void>;
};

/** Every version from the lowest we serve to the highest, and the ones where a gate flips. */
const VERSIONS = [
  157, 158, 160, 162, 163, 164, 166, 169, 170, 176, 177, 178, 179, 182, 183, 186, 187, 189, 190, 192, 193,
];

interface Decoded {
  events: { name: string; args: unknown[] }[];
  errors: { message: string; code: number }[];
}

/** Decode one message's text fields with @stoqey/ib's Decoder at a server version. */
function stoqeyDecode(version: number, fields: string[]): Decoded {
  const out: Decoded = { events: [], errors: [] };
  const decoder = new Decoder({
    serverVersion: version,
    emitEvent: (name: string, ...args: unknown[]) => out.events.push({ name, args }),
    emitError: (message: string, code: number) => out.errors.push({ message, code }),
    emitInfo: (message: string, code: number) => out.events.push({ name: "info", args: [message, code] }),
  });
  decoder.enqueueMessage(fields);
  decoder.process();
  return out;
}

/** The tokens @stoqey/ib's Encoder sends for a request at a server version. */
function stoqeyEncode(
  version: number,
  call: (e: Record<string, (...args: unknown[]) => void>) => void,
): string[] {
  let tokens: string[] = [];
  const encoder = new Encoder({
    serverVersion: version,
    sendMsg: (...args: unknown[]) => {
      tokens = (args.flat(3) as unknown[]).map((t) =>
        t === undefined || t === null ? "" : typeof t === "boolean" ? (t ? "1" : "0") : String(t),
      );
    },
    emitError: (message: string) => {
      throw new Error(message);
    },
  });
  call(encoder);
  return tokens;
}

const CONTRACT = {
  conId: 612345678,
  symbol: "SPY",
  secType: "OPT",
  lastTradeDateOrContractMonth: "20260205",
  strike: 690,
  right: "C",
  multiplier: "100",
  exchange: "SMART",
  currency: "USD",
  localSymbol: "SPY   260205C00690000",
  tradingClass: "SPY",
};

/** One message, its values, and what the client must see. */
interface Case {
  layout: MessageLayout;
  values: Record<string, unknown>;
  check: (d: Decoded, version: number) => void;
}

const event = (d: Decoded, name: string) => {
  const e = d.events.find((x) => x.name === name);
  expect(e, `event ${name} in ${JSON.stringify(d)}`).toBeDefined();
  return e!.args;
};

const ORDER = {
  ...CONTRACT,
  orderId: 11,
  action: "BUY",
  totalQuantity: 2,
  orderType: "LMT",
  lmtPrice: 1.25,
  auxPrice: 0,
  tif: "DAY",
  account: "U1234567",
  orderRef: "decision-42",
  clientId: 21,
  permId: 1000001,
  status: "Submitted",
  exemptCode: -1,
  ocaType: 3,
  clearingIntent: "IB",
  adjustedOrderType: "None",
  dontUseAutoPriceForHedge: true,
  comboLegs: [],
  orderComboLegs: [],
  smartComboRoutingParams: [],
  conditions: [],
  filledQuantity: 0,
  completedTime: "20260204 10:30:01 US/Eastern",
  completedStatus: "Filled",
  extOperator: "",
};

const CASES: Record<string, Case> = {
  TICK_PRICE: {
    layout: M.TICK_PRICE,
    values: { tickerId: 5, tickType: 2, price: 1.5, size: 60, attrMask: 0 },
    check: (d) => {
      expect(event(d, "tickPrice").slice(0, 3)).toEqual([5, 2, 1.5]);
      // The client derives the ask size (tick 3) from the price message's size field.
      expect(event(d, "tickSize")).toEqual([5, 3, 60]);
    },
  },
  TICK_SIZE: {
    layout: M.TICK_SIZE,
    values: { tickerId: 5, tickType: 8, size: 120000 },
    check: (d) => expect(event(d, "tickSize")).toEqual([5, 8, 120000]),
  },
  ORDER_STATUS: {
    layout: M.ORDER_STATUS,
    values: {
      orderId: 11,
      status: "Filled",
      filled: 2,
      remaining: 0,
      avgFillPrice: 1.25,
      permId: 1000001,
      parentId: 0,
      lastFillPrice: 1.25,
      clientId: 21,
      whyHeld: "",
      mktCapPrice: 0,
    },
    check: (d) =>
      expect(event(d, "orderStatus")).toEqual([11, "Filled", 2, 0, 1.25, 1000001, 0, 1.25, 21, "", 0]),
  },
  ERR_MSG: {
    layout: M.ERR_MSG,
    values: { id: 11, code: 201, message: "Order rejected - reason:x", advancedOrderRejectJson: "" },
    check: (d) => expect(d.errors).toEqual([{ message: "Order rejected - reason:x", code: 201 }]),
  },
  OPEN_ORDER: {
    layout: O.OPEN_ORDER,
    values: ORDER,
    check: (d) => {
      const [orderId, contract, order, state] = event(d, "openOrder") as [
        number,
        Record<string, unknown>,
        Record<string, unknown>,
        Record<string, unknown>,
      ];
      expect(orderId).toBe(11);
      expect(contract).toMatchObject({
        conId: 612345678,
        symbol: "SPY",
        localSymbol: "SPY   260205C00690000",
        strike: 690,
        right: "C",
        multiplier: 100,
      });
      expect(order).toMatchObject({
        action: "BUY",
        totalQuantity: 2,
        orderType: "LMT",
        lmtPrice: 1.25,
        orderRef: "decision-42",
        clientId: 21,
        permId: 1000001,
        account: "U1234567",
      });
      expect(state.status).toBe("Submitted");
    },
  },
  ACCT_VALUE: {
    layout: M.ACCT_VALUE,
    values: { key: "NetLiquidation", value: "100000.00", currency: "USD", accountName: "U1234567" },
    check: (d) =>
      expect(event(d, "updateAccountValue")).toEqual(["NetLiquidation", "100000.00", "USD", "U1234567"]),
  },
  PORTFOLIO_VALUE: {
    layout: M.PORTFOLIO_VALUE,
    values: {
      ...CONTRACT,
      primaryExch: "",
      position: 2,
      marketPrice: 1.3,
      marketValue: 260,
      averageCost: 125,
      unrealizedPNL: 10,
      realizedPNL: 0,
      accountName: "U1234567",
    },
    check: (d) => {
      const [contract, ...rest] = event(d, "updatePortfolio");
      expect(contract).toMatchObject({
        conId: 612345678,
        localSymbol: "SPY   260205C00690000",
        currency: "USD",
      });
      expect(rest).toEqual([2, 1.3, 260, 125, 10, 0, "U1234567"]);
    },
  },
  ACCT_UPDATE_TIME: {
    layout: M.ACCT_UPDATE_TIME,
    values: { timeStamp: "10:30" },
    check: (d) => expect(event(d, "updateAccountTime")).toEqual(["10:30"]),
  },
  NEXT_VALID_ID: {
    layout: M.NEXT_VALID_ID,
    values: { orderId: 7 },
    check: (d) => expect(event(d, "nextValidId")).toEqual([7]),
  },
  CONTRACT_DATA: {
    layout: M.CONTRACT_DATA,
    values: {
      ...CONTRACT,
      reqId: 3,
      lastTradeDate: "20260205",
      marketName: "SPY",
      minTick: 0.01,
      mdSizeMultiplier: 1,
      orderTypes: "LMT,MKT",
      validExchanges: "SMART,CBOE",
      priceMagnifier: 1,
      underConId: 756733,
      longName: "SPDR S&P 500 ETF TRUST",
      primaryExch: "",
      contractMonth: "202602",
      timeZoneId: "US/Eastern",
      tradingHours: "20260204:0930-20260204:1615",
      liquidHours: "20260204:0930-20260204:1615",
      evMultiplier: 0,
      secIdList: [],
      aggGroup: 2,
      underSymbol: "SPY",
      underSecType: "STK",
      marketRuleIds: "32",
      realExpirationDate: "20260205",
      sizeMinTick: 1,
      minSize: 1,
      sizeIncrement: 1,
      suggestedSizeIncrement: 1,
      ineligibilityReasonList: [],
    },
    check: (d, v) => {
      const [reqId, details] = event(d, "contractDetails") as [
        number,
        Record<string, unknown> & { contract: Record<string, unknown> },
      ];
      expect(reqId).toBe(3);
      expect(details.contract).toMatchObject({
        symbol: "SPY",
        secType: "OPT",
        conId: 612345678,
        strike: 690,
        right: "C",
        localSymbol: "SPY   260205C00690000",
        lastTradeDateOrContractMonth: "20260205",
      });
      expect(details.contract.lastTradeDate).toBe(v >= 182 ? "20260205" : undefined);
      expect(details).toMatchObject({
        timeZoneId: "US/Eastern",
        tradingHours: "20260204:0930-20260204:1615",
        underConId: 756733,
        longName: "SPDR S&P 500 ETF TRUST",
        realExpirationDate: "20260205",
      });
      expect(details.minSize).toBe(v >= 164 ? 1 : undefined);
    },
  },
  EXECUTION_DATA: {
    layout: M.EXECUTION_DATA,
    values: {
      ...CONTRACT,
      exchange: "CBOE",
      reqId: 5,
      orderId: 11,
      execId: "0000e0d5.20260204.00000001.01.01",
      time: "20260204 10:30:00 US/Eastern",
      acctNumber: "U1234567",
      execExchange: "CBOE",
      side: "BOT",
      shares: 2,
      price: 1.25,
      permId: 1000001,
      clientId: 21,
      liquidation: 0,
      cumQty: 2,
      avgPrice: 1.25,
      orderRef: "decision-42",
      evRule: "",
      modelCode: "",
      lastLiquidity: 2,
      pendingPriceRevision: false,
    },
    check: (d, v) => {
      const [reqId, contract, exec] = event(d, "execDetails") as [
        number,
        Record<string, unknown>,
        Record<string, unknown>,
      ];
      expect(reqId).toBe(5);
      expect(contract).toMatchObject({
        conId: 612345678,
        localSymbol: "SPY   260205C00690000",
        currency: "USD",
      });
      expect(exec).toMatchObject({
        orderId: 11,
        execId: "0000e0d5.20260204.00000001.01.01",
        side: "BOT",
        shares: 2,
        price: 1.25,
        permId: 1000001,
        clientId: 21,
        orderRef: "decision-42",
        acctNumber: "U1234567",
        lastLiquidity: 2,
      });
      expect(exec.pendingPriceRevision).toBe(v >= 178 ? false : undefined);
    },
  },
  MANAGED_ACCTS: {
    layout: M.MANAGED_ACCTS,
    values: { accountsList: "U1234567" },
    check: (d) => expect(event(d, "managedAccounts")).toEqual(["U1234567"]),
  },
  HISTORICAL_DATA: {
    layout: M.HISTORICAL_DATA,
    values: {
      reqId: 1,
      startDateStr: "a",
      endDateStr: "b",
      bars: [
        {
          date: "1770215400",
          open: 690.1,
          high: 690.5,
          low: 689.9,
          close: 690.2,
          volume: 25000,
          wap: 690.15,
          barCount: 500,
        },
      ],
    },
    check: (d) => {
      const bars = d.events.filter((e) => e.name === "historicalData").map((e) => e.args.slice(0, 9));
      expect(bars).toEqual([
        [1, "1770215400", 690.1, 690.5, 689.9, 690.2, 25000, 500, 690.15],
        [1, "finished-a-b", -1, -1, -1, -1, -1, -1, -1],
      ]);
    },
  },
  TICK_OPTION_COMPUTATION: {
    layout: M.TICK_OPTION_COMPUTATION,
    values: {
      tickerId: 9,
      tickType: 13,
      tickAttrib: 1,
      impliedVol: 0.16,
      delta: 0.52,
      optPrice: 4.1,
      pvDividend: 0,
      gamma: 0.05,
      vega: 0.3,
      theta: -0.9,
      undPrice: 690.2,
    },
    check: (d) =>
      expect(event(d, "tickOptionComputation")).toEqual([
        9, 13, 1, 0.16, 0.52, 4.1, 0, 0.05, 0.3, -0.9, 690.2,
      ]),
  },
  CURRENT_TIME: {
    layout: M.CURRENT_TIME,
    values: { time: 1770215400 },
    check: (d) => expect(event(d, "currentTime")).toEqual([1770215400]),
  },
  CONTRACT_DATA_END: {
    layout: M.CONTRACT_DATA_END,
    values: { reqId: 3 },
    check: (d) => expect(event(d, "contractDetailsEnd")).toEqual([3]),
  },
  OPEN_ORDER_END: {
    layout: M.OPEN_ORDER_END,
    values: {},
    check: (d) => expect(event(d, "openOrderEnd")).toEqual([]),
  },
  ACCT_DOWNLOAD_END: {
    layout: M.ACCT_DOWNLOAD_END,
    values: { accountName: "U1234567" },
    check: (d) => expect(event(d, "accountDownloadEnd")).toEqual(["U1234567"]),
  },
  EXECUTION_DATA_END: {
    layout: M.EXECUTION_DATA_END,
    values: { reqId: 5 },
    check: (d) => expect(event(d, "execDetailsEnd")).toEqual([5]),
  },
  TICK_SNAPSHOT_END: {
    layout: M.TICK_SNAPSHOT_END,
    values: { reqId: 9 },
    check: (d) => expect(event(d, "tickSnapshotEnd")).toEqual([9]),
  },
  MARKET_DATA_TYPE: {
    layout: M.MARKET_DATA_TYPE,
    values: { reqId: 9, marketDataType: 1 },
    check: (d) => expect(event(d, "marketDataType")).toEqual([9, 1]),
  },
  COMMISSION_REPORT: {
    layout: M.COMMISSION_REPORT,
    values: {
      execId: "e1",
      commission: 1.3,
      currency: "USD",
      realizedPNL: undefined,
      yield: undefined,
      yieldRedemptionDate: "",
    },
    check: (d) =>
      expect(event(d, "commissionReport")).toEqual([
        {
          execId: "e1",
          commission: 1.3,
          currency: "USD",
          realizedPNL: undefined,
          yield: undefined,
          yieldRedemptionDate: 0,
        },
      ]),
  },
  POSITION: {
    layout: M.POSITION,
    values: { ...CONTRACT, exchange: "", account: "U1234567", position: -3, avgCost: 125.5 },
    check: (d) => {
      const [account, contract, pos, avgCost] = event(d, "position") as [
        string,
        Record<string, unknown>,
        number,
        number,
      ];
      expect([account, pos, avgCost]).toEqual(["U1234567", -3, 125.5]);
      expect(contract).toMatchObject({
        conId: 612345678,
        currency: "USD",
        localSymbol: "SPY   260205C00690000",
        tradingClass: "SPY",
      });
    },
  },
  POSITION_END: {
    layout: M.POSITION_END,
    values: {},
    check: (d) => expect(event(d, "positionEnd")).toEqual([]),
  },
  ACCOUNT_SUMMARY: {
    layout: M.ACCOUNT_SUMMARY,
    values: { reqId: 4, account: "U1234567", tag: "NetLiquidation", value: "100000.00", currency: "USD" },
    check: (d) =>
      expect(event(d, "accountSummary")).toEqual([4, "U1234567", "NetLiquidation", "100000.00", "USD"]),
  },
  ACCOUNT_SUMMARY_END: {
    layout: M.ACCOUNT_SUMMARY_END,
    values: { reqId: 4 },
    check: (d) => expect(event(d, "accountSummaryEnd")).toEqual([4]),
  },
  ACCOUNT_UPDATE_MULTI: {
    layout: M.ACCOUNT_UPDATE_MULTI,
    values: {
      reqId: 6,
      account: "U1234567",
      modelCode: "",
      key: "NetLiquidation",
      value: "1.00",
      currency: "USD",
    },
    check: (d) =>
      expect(event(d, "accountUpdateMulti")).toEqual([6, "U1234567", "", "NetLiquidation", "1.00", "USD"]),
  },
  ACCOUNT_UPDATE_MULTI_END: {
    layout: M.ACCOUNT_UPDATE_MULTI_END,
    values: { reqId: 6 },
    check: (d) => expect(event(d, "accountUpdateMultiEnd")).toEqual(["6"]),
  },
  SECURITY_DEFINITION_OPTION_PARAMETER: {
    layout: M.SECURITY_DEFINITION_OPTION_PARAMETER,
    values: {
      reqId: 2,
      exchange: "SMART",
      underlyingConId: 756733,
      tradingClass: "SPY",
      multiplier: "100",
      expirations: [{ value: "20260204" }, { value: "20260205" }],
      strikes: [{ value: 689 }, { value: 690.5 }],
    },
    check: (d) =>
      expect(event(d, "securityDefinitionOptionParameter")).toEqual([
        2,
        "SMART",
        756733,
        "SPY",
        100,
        ["20260204", "20260205"],
        [689, 690.5],
      ]),
  },
  SECURITY_DEFINITION_OPTION_PARAMETER_END: {
    layout: M.SECURITY_DEFINITION_OPTION_PARAMETER_END,
    values: { reqId: 2 },
    check: (d) => expect(event(d, "securityDefinitionOptionParameterEnd")).toEqual([2]),
  },
  TICK_REQ_PARAMS: {
    layout: M.TICK_REQ_PARAMS,
    values: { tickerId: 9, minTick: 0.01, bboExchange: "9c0001", snapshotPermissions: 3 },
    check: (d) => expect(event(d, "tickReqParams")).toEqual([9, 0, "9c0001", 3]),
  },
  PNL: {
    layout: M.PNL,
    values: { reqId: 8, dailyPnL: 12.5, unrealizedPnL: 10, realizedPnL: 2.5 },
    check: (d) => expect(event(d, "pnl")).toEqual([8, 12.5, 10, 2.5]),
  },
  PNL_SINGLE: {
    layout: M.PNL_SINGLE,
    values: { reqId: 8, position: 2, dailyPnL: 1, unrealizedPnL: 1, realizedPnL: 0, value: 260 },
    check: (d) => expect(event(d, "pnlSingle")).toEqual([8, 2, 1, 1, 0, 260]),
  },
  COMPLETED_ORDER: {
    layout: O.COMPLETED_ORDER,
    values: { ...ORDER, status: "Filled", filledQuantity: 2 },
    check: (d) => {
      const [contract, order, state] = event(d, "completedOrder") as Record<string, unknown>[];
      expect(contract).toMatchObject({ conId: 612345678, localSymbol: "SPY   260205C00690000" });
      expect(order).toMatchObject({
        orderRef: "decision-42",
        permId: 1000001,
        filledQuantity: 2,
        totalQuantity: 2,
      });
      expect(state).toMatchObject({
        status: "Filled",
        completedTime: "20260204 10:30:01 US/Eastern",
        completedStatus: "Filled",
      });
    },
  },
  COMPLETED_ORDERS_END: {
    layout: M.COMPLETED_ORDERS_END,
    values: {},
    check: (d) => expect(event(d, "completedOrdersEnd")).toEqual([]),
  },
};

describe("server → client: the simulator's bytes decode in @stoqey/ib at every version 157..193", () => {
  for (const [name, c] of Object.entries(CASES))
    it(`${name} (${c.layout.id})`, () => {
      for (const version of VERSIONS) {
        const fields = encodeFields(c.layout, version, c.values);
        // The server's hot path writes the same text as the field list the decoder reads.
        expect(encodeText(c.layout, version, c.values)).toBe(fields.map((f) => `${f}\0`).join(""));
        const decoded = stoqeyDecode(version, fields);
        expect(decoded.errors, `${name} at ${version}`).toEqual(name === "ERR_MSG" ? decoded.errors : []);
        c.check(decoded, version);
      }
    });
});

describe("client → server: @stoqey/ib's requests decode through our layouts at every version", () => {
  const contract = { ...CONTRACT, multiplier: 100, primaryExch: "", includeExpired: false };
  it("PLACE_ORDER, CANCEL_ORDER, REQ_MKT_DATA, REQ_CONTRACT_DATA, REQ_HISTORICAL_DATA, REQ_EXECUTIONS", () => {
    for (const version of VERSIONS) {
      const place = decodeFields(
        R.PLACE_ORDER,
        version,
        stoqeyEncode(version, (e) =>
          e.placeOrder!(
            11,
            { ...contract },
            {
              action: "SELL",
              orderType: "LMT",
              lmtPrice: 1.25,
              totalQuantity: 3,
              orderRef: "decision-42",
              transmit: true,
              tif: "DAY",
            },
          ),
        ),
        true,
      );
      expect(place, `place at ${version}`).toMatchObject({
        orderId: 11,
        symbol: "SPY",
        secType: "OPT",
        strike: 690,
        right: "C",
        currency: "USD",
        action: "SELL",
        totalQuantity: 3,
        orderType: "LMT",
        lmtPrice: 1.25,
        orderRef: "decision-42",
        tif: "DAY",
        transmit: true,
      });
      const cancel = decodeFields(
        R.CANCEL_ORDER,
        version,
        stoqeyEncode(version, (e) => e.cancelOrder!(11, {})),
      );
      expect(cancel.orderId, `cancel at ${version}`).toBe(11);
      const mkt = decodeFields(
        R.REQ_MKT_DATA,
        version,
        stoqeyEncode(version, (e) => e.reqMktData!(9, { ...contract }, "", true, false)),
      );
      expect(mkt).toMatchObject({
        reqId: 9,
        symbol: "SPY",
        lastTradeDateOrContractMonth: "20260205",
        strike: 690,
        snapshot: true,
        regulatorySnapshot: false,
      });
      const details = decodeFields(
        R.REQ_CONTRACT_DATA,
        version,
        stoqeyEncode(version, (e) => e.reqContractDetails!(3, { ...contract })),
      );
      expect(details).toMatchObject({
        reqId: 3,
        symbol: "SPY",
        currency: "USD",
        localSymbol: "SPY   260205C00690000",
      });
      const hist = decodeFields(
        R.REQ_HISTORICAL_DATA,
        version,
        stoqeyEncode(version, (e) =>
          e.reqHistoricalData!(
            1,
            { symbol: "SPY", secType: "STK", exchange: "SMART", currency: "USD" },
            "",
            "3600 S",
            "1 min",
            "TRADES",
            1,
            2,
            false,
          ),
        ),
      );
      expect(hist).toMatchObject({
        reqId: 1,
        symbol: "SPY",
        durationStr: "3600 S",
        barSizeSetting: "1 min",
        formatDate: 2,
        whatToShow: "TRADES",
      });
      const execs = decodeFields(
        R.REQ_EXECUTIONS,
        version,
        stoqeyEncode(version, (e) =>
          e.reqExecutions!(5, { clientId: 21, acctCode: "U1234567", side: "BUY" }),
        ),
      );
      expect(execs).toMatchObject({ reqId: 5, clientId: 21, acctCode: "U1234567", side: "BUY" });
    }
  });

  it("account requests: account data, multi, PnL, completed orders, positions, open orders", () => {
    for (const version of VERSIONS) {
      expect(
        decodeFields(
          R.REQ_ACCOUNT_DATA,
          version,
          stoqeyEncode(version, (e) => e.reqAccountUpdates!(true, "U1234567")),
        ),
      ).toMatchObject({ subscribe: true, acctCode: "U1234567" });
      expect(
        decodeFields(
          R.REQ_ACCOUNT_UPDATES_MULTI,
          version,
          stoqeyEncode(version, (e) => e.reqAccountUpdatesMulti!(4, "U1234567", "", false)),
        ),
      ).toMatchObject({ reqId: 4, account: "U1234567", ledgerAndNLV: false });
      expect(
        decodeFields(
          R.REQ_PNL,
          version,
          stoqeyEncode(version, (e) => e.reqPnL!(8, "U1234567", "")),
        ),
      ).toMatchObject({ reqId: 8, account: "U1234567" });
      expect(
        decodeFields(
          R.REQ_COMPLETED_ORDERS,
          version,
          stoqeyEncode(version, (e) => e.reqCompletedOrders!(true)),
        ),
      ).toEqual({ apiOnly: true });
      expect(
        decodeFields(
          R.REQ_POSITIONS,
          version,
          stoqeyEncode(version, (e) => e.reqPositions!()),
        ),
      ).toEqual({ version: "1" });
      expect(
        decodeFields(
          R.REQ_AUTO_OPEN_ORDERS,
          version,
          stoqeyEncode(version, (e) => e.reqAutoOpenOrders!(true)),
        ),
      ).toMatchObject({ autoBind: true });
    }
  });
});

describe("client → server: every request layout reads exactly the fields @stoqey/ib sends", () => {
  const contract = { ...CONTRACT, multiplier: 100, primaryExch: "", includeExpired: false };
  const calls: [MessageLayout, (e: Record<string, (...args: unknown[]) => void>) => void][] = [
    [R.REQ_MKT_DATA, (e) => e.reqMktData!(9, { ...contract }, "100,101", false, false)],
    [R.CANCEL_MKT_DATA, (e) => e.cancelMktData!(9)],
    [
      R.PLACE_ORDER,
      (e) =>
        e.placeOrder!(
          11,
          { ...contract },
          { action: "BUY", orderType: "MKT", totalQuantity: 1, transmit: true },
        ),
    ],
    [R.CANCEL_ORDER, (e) => e.cancelOrder!(11, {})],
    [R.REQ_OPEN_ORDERS, (e) => e.reqOpenOrders!()],
    [R.REQ_ACCOUNT_DATA, (e) => e.reqAccountUpdates!(false, "U1234567")],
    [R.REQ_EXECUTIONS, (e) => e.reqExecutions!(5, {})],
    [R.REQ_IDS, (e) => e.reqIds!(1)],
    [R.REQ_CONTRACT_DATA, (e) => e.reqContractDetails!(3, { ...contract })],
    [R.REQ_AUTO_OPEN_ORDERS, (e) => e.reqAutoOpenOrders!(false)],
    [R.REQ_ALL_OPEN_ORDERS, (e) => e.reqAllOpenOrders!()],
    [R.REQ_MANAGED_ACCTS, (e) => e.reqManagedAccts!()],
    [
      R.REQ_HISTORICAL_DATA,
      (e) =>
        e.reqHistoricalData!(
          1,
          { ...contract },
          "20260204 10:30:00 US/Eastern",
          "1 D",
          "1 min",
          "MIDPOINT",
          0,
          1,
          false,
        ),
    ],
    [R.CANCEL_HISTORICAL_DATA, (e) => e.cancelHistoricalData!(1)],
    [R.REQ_CURRENT_TIME, (e) => e.reqCurrentTime!()],
    [R.REQ_GLOBAL_CANCEL, (e) => e.reqGlobalCancel!({})],
    [R.REQ_MARKET_DATA_TYPE, (e) => e.reqMarketDataType!(4)],
    [R.REQ_POSITIONS, (e) => e.reqPositions!()],
    [R.REQ_ACCOUNT_SUMMARY, (e) => e.reqAccountSummary!(4, "All", "NetLiquidation,BuyingPower")],
    [R.CANCEL_ACCOUNT_SUMMARY, (e) => e.cancelAccountSummary!(4)],
    [R.CANCEL_POSITIONS, (e) => e.cancelPositions!()],
    [R.REQ_ACCOUNT_UPDATES_MULTI, (e) => e.reqAccountUpdatesMulti!(4, "U1234567", "", true)],
    [R.CANCEL_ACCOUNT_UPDATES_MULTI, (e) => e.cancelAccountUpdatesMulti!(4)],
    [R.REQ_SEC_DEF_OPT_PARAMS, (e) => e.reqSecDefOptParams!(2, "SPY", "", "STK", 756733)],
    [R.REQ_PNL, (e) => e.reqPnL!(8, "U1234567", "")],
    [R.CANCEL_PNL, (e) => e.cancelPnL!(8)],
    [R.REQ_PNL_SINGLE, (e) => e.reqPnLSingle!(8, "U1234567", "", 756733)],
    [R.CANCEL_PNL_SINGLE, (e) => e.cancelPnLSingle!(8)],
    [R.REQ_COMPLETED_ORDERS, (e) => e.reqCompletedOrders!(false)],
  ];
  it("every request the simulator serves, at every version", () => {
    expect(new Set(calls.map(([l]) => l.id))).toEqual(
      new Set([...R.REQUESTS.keys()].filter((id) => id !== 71)),
    );
    for (const version of VERSIONS)
      for (const [layout, call] of calls) {
        const tokens = stoqeyEncode(version, call);
        expect(tokens[0], `${layout.name} id`).toBe(String(layout.id));
        const decoded = decodeFields(layout, version, tokens, layout === R.PLACE_ORDER);
        // Re-encoding what we read gives as many fields as the client sent (PLACE_ORDER: a prefix).
        const count = encodeFields(layout, version, decoded).length;
        if (layout === R.PLACE_ORDER) expect(count).toBeLessThan(tokens.length);
        else expect(count, `${layout.name} at ${version}`).toBe(tokens.length);
      }
  });
});

/** Field names a layout has at a version, in order (groups by name). */
function namesAt(layout: MessageLayout, version: number): string[] {
  const walk = (specs: MessageLayout["fields"]): string[] =>
    specs
      .filter(
        (s) => (s.since === undefined || version >= s.since) && (s.until === undefined || version < s.until),
      )
      .map((s) => s.name);
  return walk(layout.fields);
}

describe("layouts at other versions, as IBKR's Java client reads/writes them (stoqey/ib ref/client @ f852fcf)", () => {
  it("CONTRACT_DATA: version field below 164, lastTradeDate from 182, size rules from 164 (EDecoder.processContractDataMsg)", () => {
    const common = ["reqId", "symbol", "secType", "lastTradeDateOrContractMonth"];
    const middle = [
      "strike",
      "right",
      "exchange",
      "currency",
      "localSymbol",
      "marketName",
      "tradingClass",
      "conId",
      "minTick",
    ];
    const tail = [
      "multiplier",
      "orderTypes",
      "validExchanges",
      "priceMagnifier",
      "underConId",
      "longName",
      "primaryExch",
      "contractMonth",
      "industry",
      "category",
      "subcategory",
      "timeZoneId",
      "tradingHours",
      "liquidHours",
      "evRule",
      "evMultiplier",
      "secIdList",
      "aggGroup",
      "underSymbol",
      "underSecType",
      "marketRuleIds",
      "realExpirationDate",
      "stockType",
    ];
    const fund = [
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
    ];
    expect(namesAt(M.CONTRACT_DATA, 163)).toEqual([
      "version",
      ...common,
      ...middle,
      "mdSizeMultiplier",
      ...tail,
      "sizeMinTick",
    ]);
    expect(namesAt(M.CONTRACT_DATA, 178)).toEqual([
      ...common,
      ...middle,
      ...tail,
      "minSize",
      "sizeIncrement",
      "suggestedSizeIncrement",
    ]);
    expect(namesAt(M.CONTRACT_DATA, 182)).toEqual([
      ...common,
      "lastTradeDate",
      ...middle,
      ...tail,
      "minSize",
      "sizeIncrement",
      "suggestedSizeIncrement",
      ...fund,
    ]);
    expect(namesAt(M.CONTRACT_DATA, 193)).toEqual([
      ...common,
      "lastTradeDate",
      ...middle,
      ...tail,
      "minSize",
      "sizeIncrement",
      "suggestedSizeIncrement",
      ...fund,
      "ineligibilityReasonList",
    ]);
  });

  it("EXECUTION_DATA: pendingPriceRevision from 178 (EDecoder.processExecutionDataMsg)", () => {
    expect(namesAt(M.EXECUTION_DATA, 177).at(-1)).toBe("lastLiquidity");
    expect(namesAt(M.EXECUTION_DATA, 178).at(-1)).toBe("pendingPriceRevision");
    expect(namesAt(M.EXECUTION_DATA, 157)[0]).toBe("reqId");
  });

  it("ERR_MSG: advancedOrderRejectJson from 166 (EDecoder.processErrMsgMsg)", () => {
    expect(namesAt(M.ERR_MSG, 165)).toEqual(["version", "id", "code", "message"]);
    expect(namesAt(M.ERR_MSG, 166)).toEqual(["version", "id", "code", "message", "advancedOrderRejectJson"]);
  });

  it("CANCEL_ORDER: a version field before the id below 192 (EClient.cancelOrder)", () => {
    expect(namesAt(R.CANCEL_ORDER, 168)).toEqual(["version", "orderId"]);
    expect(namesAt(R.CANCEL_ORDER, 178)).toEqual(["version", "orderId", "manualOrderCancelTime"]);
    expect(namesAt(R.CANCEL_ORDER, 187)).toEqual([
      "version",
      "orderId",
      "manualOrderCancelTime",
      "rfqExtOperator",
      "rfqExternalUserId",
      "rfqManualOrderIndicator",
    ]);
    expect(namesAt(R.CANCEL_ORDER, 193)).toEqual([
      "orderId",
      "manualOrderCancelTime",
      "extOperator",
      "manualOrderIndicator",
    ]);
    // The bytes a 178 client sends: "4|1|<id>|" — the id is the third field, not the second.
    expect(decodeFields(R.CANCEL_ORDER, 178, ["4", "1", "42", ""]).orderId).toBe(42);
  });

  it("OPEN_ORDER: the version-gated tail grows 157 → 193 (EOrderDecoder / EDecoder.processOpenOrderMsg)", () => {
    const at = (v: number) => namesAt(O.OPEN_ORDER, v);
    expect(at(157)).toContain("faProfile");
    expect(at(177)).not.toContain("faProfile");
    expect(at(157)).not.toContain("duration");
    expect(at(158)).toContain("duration");
    expect(at(160)).toContain("postToAts");
    expect(at(162)).toContain("autoCancelParent");
    expect(at(170)).toContain("midOffsetAtHalf");
    expect(at(183)).toContain("customerAccount");
    expect(at(184)).toContain("professionalCustomer");
    expect(at(185)).toContain("bondAccruedInterest");
    expect(at(189)).toContain("includeOvernight");
    expect(at(193).slice(-2)).toEqual(["extOperator", "manualOrderIndicator"]);
  });
});

describe("formats", () => {
  it("doubles print as Java's Double.toString", () => {
    expect(javaDouble(Number.MAX_VALUE)).toBe("1.7976931348623157E308");
    expect(javaDouble(1)).toBe("1.0");
    expect(javaDouble(690)).toBe("690.0");
    expect(javaDouble(0.65)).toBe("0.65");
    expect(javaDouble(0)).toBe("0.0");
    expect(javaDouble(-2)).toBe("-2.0");
    expect(javaDouble(1e-4)).toBe("1.0E-4");
    expect(javaDouble(12345678.5)).toBe("1.23456785E7");
  });

  it("encode → decode round-trips for any values of a request layout (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VERSIONS),
        fc.integer({ min: -1, max: 2_000_000 }),
        fc.string().filter((s) => !s.includes("\0")),
        fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        (version, id, text, x, flag) => {
          const values = {
            reqId: id,
            orderId: id,
            symbol: text,
            strike: x,
            snapshot: flag,
            regulatorySnapshot: !flag,
            genericTickList: text,
            secType: "OPT",
            hasDeltaNeutralContract: false,
          };
          const decoded = decodeFields(
            R.REQ_MKT_DATA,
            version,
            encodeFields(R.REQ_MKT_DATA, version, values),
          );
          expect(decoded).toMatchObject({
            reqId: id,
            symbol: text,
            strike: x,
            snapshot: flag,
            regulatorySnapshot: !flag,
            genericTickList: text,
          });
          const cancel = decodeFields(R.CANCEL_ORDER, version, encodeFields(R.CANCEL_ORDER, version, values));
          expect(cancel.orderId).toBe(id);
        },
      ),
    );
  });
});
