/**
 * Wire conformance, client → server and by hand:
 * 1. what `@stoqey/ib`'s own Encoder writes at a version decodes through our request layouts;
 * 2. field orders at chosen versions written out by hand from IBKR's Java client
 *    (`EDecoder.java`, `EClient.java`, `EOrderDecoder.java`, as bundled in stoqey/ib `ref/client/`
 *    at commit f852fcf, "ci: version bump to 1.6.7"), so a reader can hold the tables against them;
 * 3. formats, and encode → decode round-trips for any values (fast-check).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newYorkTimeToMs } from "../../src/events/index.js";
import {
  connectionTime,
  decodeFields,
  encodeFields,
  referenceMessages as F,
  ibTime,
  javaDouble,
  messages as M,
  type MessageLayout,
  orderMessages as O,
  occLocalSymbol,
  requests as R,
  sessionHours,
} from "../../src/sim/index.js";
import { CONTRACT, stoqeyEncode, VERSIONS } from "./stoqey-codec.js";

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
    [R.REQ_POSITIONS_MULTI, (e) => e.reqPositionsMulti!(5, "U1234567", "")],
    [R.CANCEL_POSITIONS_MULTI, (e) => e.cancelPositionsMulti!(5)],
    [R.REQ_ACCOUNT_UPDATES_MULTI, (e) => e.reqAccountUpdatesMulti!(4, "U1234567", "", true)],
    [R.CANCEL_ACCOUNT_UPDATES_MULTI, (e) => e.cancelAccountUpdatesMulti!(4)],
    [R.REQ_SEC_DEF_OPT_PARAMS, (e) => e.reqSecDefOptParams!(2, "SPY", "", "STK", 756733)],
    [R.REQ_PNL, (e) => e.reqPnL!(8, "U1234567", "")],
    [R.CANCEL_PNL, (e) => e.cancelPnL!(8)],
    [R.REQ_PNL_SINGLE, (e) => e.reqPnLSingle!(8, "U1234567", "", 756733)],
    [R.CANCEL_PNL_SINGLE, (e) => e.cancelPnLSingle!(8)],
    [R.REQ_COMPLETED_ORDERS, (e) => e.reqCompletedOrders!(false)],
    [F.REQ_HEAD_TIMESTAMP, (e) => e.reqHeadTimestamp!(12, { ...contract }, "TRADES", true, 1)],
    [F.CANCEL_HEAD_TIMESTAMP, (e) => e.cancelHeadTimestamp!(12)],
    [F.REQ_MATCHING_SYMBOLS, (e) => e.reqMatchingSymbols!(13, "SP")],
    [F.REQ_MARKET_RULE, (e) => e.reqMarketRule!(26)],
    [F.REQ_USER_INFO, (e) => e.reqUserInfo!(14)],
    [F.REQ_SCANNER_PARAMETERS, (e) => e.reqScannerParameters!()],
    [F.REQ_NEWS_PROVIDERS, (e) => e.reqNewsProviders!()],
    [F.REQ_SOFT_DOLLAR_TIERS, (e) => e.reqSoftDollarTiers!(15)],
    [F.REQ_FAMILY_CODES, (e) => e.reqFamilyCodes!()],
    [F.REQ_CALC_IMPLIED_VOLAT, (e) => e.calculateImpliedVolatility!(16, { ...contract }, 1.5, 690)],
    [F.REQ_CALC_OPTION_PRICE, (e) => e.calculateOptionPrice!(17, { ...contract }, 0.2, 690)],
    [F.CANCEL_CALC_IMPLIED_VOLAT, (e) => e.cancelCalculateImpliedVolatility!(16)],
    [F.CANCEL_CALC_OPTION_PRICE, (e) => e.cancelCalculateOptionPrice!(17)],
  ];
  /** Requests @stoqey/ib refuses to send below the version that introduced them. */
  const since = new Map<MessageLayout, number>([[F.REQ_USER_INFO, 167]]);
  it("every request the simulator serves, at every version", () => {
    expect(new Set(calls.map(([l]) => l.id))).toEqual(
      new Set([...R.REQUESTS.keys()].filter((id) => id !== 71)),
    );
    for (const version of VERSIONS)
      for (const [layout, call] of calls) {
        if (version < (since.get(layout) ?? 0)) continue;
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

  it("times carry US/Eastern, the handshake EST/EDT, options the OCC symbol, hours the NYSE calendar", () => {
    const winter = newYorkTimeToMs("2026-02-04", 10, 30, 5);
    const summer = newYorkTimeToMs("2026-07-06", 9, 30);
    expect(ibTime(winter)).toBe("20260204 10:30:05 US/Eastern");
    expect(connectionTime(winter)).toBe("20260204 10:30:05 EST");
    expect(connectionTime(summer)).toBe("20260706 09:30:00 EDT");
    expect(occLocalSymbol("SPY", "20260205", "P", 687.5)).toBe("SPY   260205P00687500");
    // 2026-07-03 is the Independence Day holiday (observed), then a weekend.
    expect(sessionHours("2026-07-02", "0930", "1600", "1300", 5)).toBe(
      "20260702:0930-20260702:1600;20260703:CLOSED;20260704:CLOSED;20260705:CLOSED;20260706:0930-20260706:1600",
    );
    // The Friday after Thanksgiving closes at 13:00; Thanksgiving itself is closed.
    expect(sessionHours("2026-11-26", "0930", "1600", "1300", 3)).toBe(
      "20261126:CLOSED;20261127:0930-20261127:1300;20261128:CLOSED",
    );
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
