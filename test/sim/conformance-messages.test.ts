/**
 * Wire conformance, server → client: what the simulator's layouts write at each server version
 * decodes in `@stoqey/ib` 1.6.10's own Decoder, set to that version, to the same values with no 505
 * (too few or too many fields); the server's one-walk text equals the field list.
 */
import { describe, expect, it } from "vitest";
import {
  encodeFields,
  encodeText,
  messages as M,
  type MessageLayout,
  orderMessages as O,
} from "../../src/sim/index.js";
import { CONTRACT, type Decoded, stoqeyDecode, VERSIONS } from "./stoqey-codec.js";

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

/**
 * What @stoqey/ib 1.6.10 can read of a message: below FA_PROFILE_DESUPPORT (177) it skips no
 * faProfile in COMPLETED_ORDER (it decodes completed orders at version MAX_VALUE), where the
 * official decoders and a gateway have one (golden-frames.test.ts pins it), so it is cut here.
 */
function stoqeyReads(layout: MessageLayout, version: number, fields: string[]): string[] {
  if (layout !== O.COMPLETED_ORDER || version >= 177) return fields;
  const at = 1 + O.COMPLETED_ORDER.fields.findIndex((s) => s.name === "faProfile");
  return [...fields.slice(0, at), ...fields.slice(at + 1)];
}

describe("server → client: the simulator's bytes decode in @stoqey/ib at every version 157..193", () => {
  for (const [name, c] of Object.entries(CASES))
    it(`${name} (${c.layout.id})`, () => {
      for (const version of VERSIONS) {
        const fields = encodeFields(c.layout, version, c.values);
        // The server's hot path writes the same text as the field list the decoder reads.
        expect(encodeText(c.layout, version, c.values)).toBe(fields.map((f) => `${f}\0`).join(""));
        const decoded = stoqeyDecode(version, stoqeyReads(c.layout, version, fields));
        expect(decoded.errors, `${name} at ${version}`).toEqual(name === "ERR_MSG" ? decoded.errors : []);
        c.check(decoded, version);
      }
    });
});
