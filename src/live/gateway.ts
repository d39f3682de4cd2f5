/**
 * GatewayClient: the requests of our gateway interface — clock, contract details, bars, option
 * chain, snapshots, positions, account summary, orders, executions, open orders — each with a
 * timeout (snapshot and history calls have none of their own in `@stoqey/ib` and would hang
 * forever) and cancellation of what timed out. The connection itself is `GatewaySocket`.
 */
import {
  type ContractDetails,
  EventName,
  type Contract as IbContract,
  type Order as IbOrder,
  type OrderState as IbOrderState,
  OptionType,
  SecType,
} from "@stoqey/ib";
import type { Bar, Contract, PayloadOf } from "../events/index.js";
import { GatewaySocket } from "./gateway-socket.js";
import {
  type ContractHours,
  GatewayTimeout,
  type MarginPreview,
  type OpenOrderReport,
  type OrderRequest,
  type SnapshotResult,
} from "./gateway-types.js";
import { fromIbContract, marginPreview, openOrderReport, toIbContract, toIbOrder } from "./ib-contracts.js";
import { SnapshotTicks } from "./snapshot-ticks.js";

export * from "./gateway-types.js";
export { toIbContract } from "./ib-contracts.js";

export class GatewayClient extends GatewaySocket {
  /** The gateway's clock, epoch ms. */
  currentTimeMs(timeoutMs: number): Promise<number> {
    return this.request("current time", timeoutMs, (_reqId, resolve) => {
      const on = (seconds: number) => {
        this.ib.off(EventName.currentTime, on);
        resolve(seconds * 1000);
      };
      this.ib.on(EventName.currentTime, on);
      this.ib.reqCurrentTime();
      return () => this.ib.off(EventName.currentTime, on);
    });
  }

  /** The underlying's conId (needed for the option chain request). */
  stockConId(symbol: string, timeoutMs: number): Promise<number> {
    return this.request(`contract details ${symbol}`, timeoutMs, (reqId, resolve) => {
      let conId = 0;
      const onDetails = (id: number, details: { contract: IbContract }) => {
        if (id === reqId) conId = details.contract.conId ?? 0;
      };
      const onEnd = (id: number) => {
        if (id === reqId) resolve(conId);
      };
      this.ib.on(EventName.contractDetails, onDetails).on(EventName.contractDetailsEnd, onEnd);
      this.ib.reqContractDetails(reqId, { symbol, secType: SecType.STK, exchange: "SMART", currency: "USD" });
      return () => this.ib.off(EventName.contractDetails, onDetails).off(EventName.contractDetailsEnd, onEnd);
    });
  }

  /**
   * A stock's trading and liquid hours and their time zone, from its contract details (IB's text,
   * about a week ahead): what the day's session is, early closes and holidays included.
   */
  contractHours(symbol: string, timeoutMs: number): Promise<ContractHours> {
    return this.request(`contract details ${symbol}`, timeoutMs, (reqId, resolve) => {
      let found: ContractHours | null = null;
      const onDetails = (id: number, details: ContractDetails) => {
        if (id !== reqId || found) return;
        found = {
          reqId,
          conId: details.contract.conId ?? 0,
          timeZoneId: details.timeZoneId ?? "",
          tradingHours: details.tradingHours ?? "",
          liquidHours: details.liquidHours ?? "",
        };
      };
      const onEnd = (id: number) => {
        if (id === reqId)
          resolve(found ?? { reqId, conId: 0, timeZoneId: "", tradingHours: "", liquidHours: "" });
      };
      this.ib.on(EventName.contractDetails, onDetails).on(EventName.contractDetailsEnd, onEnd);
      this.ib.reqContractDetails(reqId, { symbol, secType: SecType.STK, exchange: "SMART", currency: "USD" });
      return () => this.ib.off(EventName.contractDetails, onDetails).off(EventName.contractDetailsEnd, onEnd);
    });
  }

  /**
   * The strikes listed for one expiry: the contract details of its calls (IB lists every contract of
   * an expiry asked for without a strike; the puts have the same strikes). The option chain's
   * strikes are the union over all expiries, so some of them do not exist for a given expiry.
   */
  optionStrikes(
    symbol: string,
    expiry: string,
    timeoutMs: number,
  ): Promise<{ reqId: number; strikes: number[] }> {
    return this.request(`contract details ${symbol} ${expiry}`, timeoutMs, (reqId, resolve) => {
      const strikes = new Set<number>();
      const onDetails = (id: number, details: ContractDetails) => {
        if (id === reqId && details.contract.strike) strikes.add(details.contract.strike);
      };
      const onEnd = (id: number) => {
        if (id === reqId) resolve({ reqId, strikes: [...strikes].sort((a, b) => a - b) });
      };
      this.ib.on(EventName.contractDetails, onDetails).on(EventName.contractDetailsEnd, onEnd);
      this.ib.reqContractDetails(reqId, {
        symbol,
        secType: SecType.OPT,
        lastTradeDateOrContractMonth: expiry,
        right: OptionType.Call,
        exchange: "SMART",
        currency: "USD",
      });
      return () => this.ib.off(EventName.contractDetails, onDetails).off(EventName.contractDetailsEnd, onEnd);
    });
  }

  /**
   * The market data type this connection's snapshots ask for (1 real time, 3 delayed where real
   * time is not subscribed). IB keeps it per connection: ask again after every connect.
   */
  requestMarketDataType(type: 1 | 2 | 3 | 4): void {
    this.ib.reqMarketDataType(type);
  }

  /** 1-minute RTH trade bars covering `durationSeconds` up to now. */
  historicalBars(
    contract: Contract,
    durationSeconds: number,
    timeoutMs: number,
  ): Promise<{ reqId: number; bars: Bar[] }> {
    return this.request(
      `historical bars ${contract.symbol}`,
      timeoutMs,
      (reqId, resolve) => {
        const bars: Bar[] = [];
        const on = (
          id: number,
          time: string,
          open: number,
          high: number,
          low: number,
          close: number,
          volume: number,
          count: number | undefined,
          wap: number,
        ) => {
          if (id !== reqId) return;
          if (String(time).startsWith("finished")) {
            resolve({ reqId, bars });
            return;
          }
          bars.push({
            timeMs: Number(time) * 1000,
            openUsd: open,
            highUsd: high,
            lowUsd: low,
            closeUsd: close,
            volume: Math.max(0, volume),
            vwapUsd: wap,
            count: Math.max(0, count ?? 0),
          });
        };
        this.ib.on(EventName.historicalData, on);
        // formatDate 2: epoch seconds, no time-zone parsing on our side.
        this.ib.reqHistoricalData(
          reqId,
          toIbContract(contract),
          "",
          `${durationSeconds} S`,
          "1 min" as never,
          "TRADES",
          1,
          2,
          false,
        );
        return () => {
          this.ib.off(EventName.historicalData, on);
        };
      },
      (reqId) => this.ib.cancelHistoricalData(reqId),
    );
  }

  /** Option expirations and strikes of an underlying (SMART exchange entry). */
  optionChain(
    symbol: string,
    conId: number,
    timeoutMs: number,
  ): Promise<{
    reqId: number;
    exchange: string;
    tradingClass: string;
    multiplier: number;
    expirations: string[];
    strikes: number[];
  }> {
    return this.request(`option chain ${symbol}`, timeoutMs, (reqId, resolve) => {
      let found: {
        exchange: string;
        tradingClass: string;
        multiplier: number;
        expirations: string[];
        strikes: number[];
      } | null = null;
      const on = (
        id: number,
        exchange: string,
        _conId: number,
        tradingClass: string,
        multiplier: string,
        expirations: string[],
        strikes: number[],
      ) => {
        if (id !== reqId) return;
        if (found === null || exchange === "SMART")
          found = {
            exchange,
            tradingClass,
            multiplier: Number(multiplier),
            expirations: [...expirations].sort(),
            strikes: [...strikes].sort((a, b) => a - b),
          };
      };
      const onEnd = (id: number) => {
        if (id !== reqId) return;
        if (found) resolve({ reqId, ...found });
        else
          resolve({
            reqId,
            exchange: "SMART",
            tradingClass: symbol,
            multiplier: 100,
            expirations: [],
            strikes: [],
          });
      };
      this.ib
        .on(EventName.securityDefinitionOptionParameter, on)
        .on(EventName.securityDefinitionOptionParameterEnd, onEnd);
      this.ib.reqSecDefOptParams(reqId, symbol, "", "STK", conId);
      return () =>
        this.ib
          .off(EventName.securityDefinitionOptionParameter, on)
          .off(EventName.securityDefinitionOptionParameterEnd, onEnd);
    });
  }

  /**
   * A market data **snapshot** (never streaming: alpha-learnings §2, streaming subscriptions
   * overflowed the gateway's buffer). On timeout resolves with what arrived, `complete: false`.
   */
  snapshot(contract: Contract, timeoutMs: number): Promise<{ reqId: number; result: SnapshotResult }> {
    const reqId = this.nextReqId++;
    const ticks = new SnapshotTicks();
    const result = ticks.result;
    return new Promise((resolve, reject) => {
      const onPrice = (id: number, tickType: number, value: number) => {
        if (id === reqId) ticks.price(tickType, value);
      };
      const onSize = (id: number, tickType: number | undefined, value: number | undefined) => {
        if (id === reqId) ticks.size(tickType, value);
      };
      const onType = (id: number, type: number) => {
        if (id === reqId) ticks.dataType(type);
      };
      const onOption = (
        id: number,
        tickType: number,
        _attrib: number | undefined,
        iv?: number,
        delta?: number,
        optPrice?: number,
        _pv?: number,
        gamma?: number,
        vega?: number,
        theta?: number,
        und?: number,
      ) => {
        if (id === reqId) ticks.option(tickType, { iv, delta, optPrice, gamma, vega, theta, und });
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.pending.delete(reqId);
        this.ib
          .off(EventName.tickPrice, onPrice)
          .off(EventName.tickSize, onSize)
          .off(EventName.marketDataType, onType)
          .off(EventName.tickOptionComputation, onOption)
          .off(EventName.tickSnapshotEnd, onEnd);
      };
      const onEnd = (id: number) => {
        if (id !== reqId) return;
        cleanup();
        resolve({ reqId, result: { ...result, complete: true } });
      };
      const timer = setTimeout(() => {
        cleanup();
        this.ib.cancelMktData(reqId);
        resolve({ reqId, result });
      }, timeoutMs);
      this.pending.set(reqId, {
        reject: (error) => {
          cleanup();
          reject(error);
        },
      });
      this.ib
        .on(EventName.tickPrice, onPrice)
        .on(EventName.tickSize, onSize)
        .on(EventName.marketDataType, onType)
        .on(EventName.tickOptionComputation, onOption)
        .on(EventName.tickSnapshotEnd, onEnd);
      this.ib.reqMktData(reqId, toIbContract(contract), "", true, false);
    });
  }

  /** Positions the gateway holds for the account(s). */
  positions(timeoutMs: number): Promise<PayloadOf<"PositionsReported">[]> {
    return this.request("positions", timeoutMs, (_reqId, resolve) => {
      const byAccount = new Map<string, PayloadOf<"PositionsReported">>();
      const on = (account: string, contract: IbContract, pos: number, avgCost?: number) => {
        const entry = byAccount.get(account) ?? { account, positions: [] };
        const c = fromIbContract(contract);
        entry.positions.push({ contract: c, quantity: Number(pos), avgCostUsd: avgCost ?? 0 });
        byAccount.set(account, entry);
      };
      const onEnd = () => {
        this.ib.cancelPositions();
        resolve([...byAccount.values()]);
      };
      this.ib.on(EventName.position, on).on(EventName.positionEnd, onEnd);
      this.ib.reqPositions();
      return () => this.ib.off(EventName.position, on).off(EventName.positionEnd, onEnd);
    });
  }

  /** Account summary values (net liquidation, buying power, available funds). */
  accountSummary(timeoutMs: number): Promise<PayloadOf<"AccountReported">[]> {
    return this.request("account summary", timeoutMs, (reqId, resolve) => {
      const byAccount = new Map<string, PayloadOf<"AccountReported">>();
      const on = (id: number, account: string, tag: string, value: string, currency: string) => {
        if (id !== reqId) return;
        const entry = byAccount.get(account) ?? { account, values: {} };
        entry.values[tag] = { value, currency };
        byAccount.set(account, entry);
      };
      const onEnd = (id: number) => {
        if (id !== reqId) return;
        this.ib.cancelAccountSummary(reqId);
        resolve([...byAccount.values()]);
      };
      this.ib.on(EventName.accountSummary, on).on(EventName.accountSummaryEnd, onEnd);
      this.ib.reqAccountSummary(reqId, "All", "NetLiquidation,BuyingPower,AvailableFunds");
      return () => this.ib.off(EventName.accountSummary, on).off(EventName.accountSummaryEnd, onEnd);
    });
  }

  /** Never hand out an order id at or below `orderId` (ids journaled by an earlier run of the session). */
  reserveOrderIdsAbove(orderId: number): void {
    this.nextOrderId = Math.max(this.nextOrderId, orderId + 1);
  }

  /** Take the next order id (from the order id space, never a request id) — journal it, then send. */
  allocateOrderId(): number {
    return this.nextOrderId++;
  }

  /**
   * Send an order under an id from `allocateOrderId`, to `account`, tagged with `orderRef` (the
   * decision's id) so its fills can be linked back after a restart or from another client id.
   */
  sendOrder(order: OrderRequest): void {
    this.ib.placeOrder(order.orderId, toIbContract(order.contract), toIbOrder(order));
  }

  /**
   * Ask what `order` would do to the account's margin (IB's what-if: answered by an open order
   * carrying the figures; nothing is placed). Takes its own order id. An order error on that id
   * (201 for too little equity, 110 off the price grid…) rejects with GatewayRequestError.
   */
  whatIf(order: Omit<OrderRequest, "orderId">, timeoutMs: number): Promise<MarginPreview> {
    const orderId = this.allocateOrderId();
    return new Promise((resolve, reject) => {
      const on = (id: number, _contract: IbContract, sent: IbOrder, state: IbOrderState) => {
        if (id !== orderId || sent.whatIf !== true) return;
        finish();
        resolve(marginPreview(orderId, state));
      };
      const finish = () => {
        clearTimeout(timer);
        this.pending.delete(orderId);
        this.ib.off(EventName.openOrder, on);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new GatewayTimeout(`what-if order ${orderId}`, timeoutMs));
      }, timeoutMs);
      // Order errors carry the order id where request errors carry the request id.
      this.pending.set(orderId, {
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      this.ib.on(EventName.openOrder, on);
      this.ib.placeOrder(orderId, toIbContract(order.contract), toIbOrder({ ...order, orderId }, true));
    });
  }

  /**
   * Today's executions of `account` from every client id, each delivered to the order events as
   * `recovered` (commission reports follow on their own); resolves with how many came.
   */
  executions(account: string, timeoutMs: number): Promise<number> {
    return this.request("executions", timeoutMs, (reqId, resolve) => {
      let count = 0;
      const on = (id: number) => {
        if (id === reqId) count += 1;
      };
      const onEnd = (id: number) => {
        if (id === reqId) resolve(count);
      };
      this.ib.on(EventName.execDetails, on).on(EventName.execDetailsEnd, onEnd);
      this.ib.reqExecutions(reqId, account ? { acctCode: account } : {});
      return () => this.ib.off(EventName.execDetails, on).off(EventName.execDetailsEnd, onEnd);
    });
  }

  /** Every working order of the account, from all client ids (`reqAllOpenOrders`). */
  openOrders(timeoutMs: number): Promise<OpenOrderReport[]> {
    return this.request("open orders", timeoutMs, (_reqId, resolve) => {
      const seen = new Map<number, OpenOrderReport>();
      const on = (orderId: number, contract: IbContract, order: IbOrder, state: IbOrderState) => {
        const report = openOrderReport(orderId, contract, order, state);
        seen.set(report.permId || -report.orderId, report);
      };
      const onEnd = () => resolve([...seen.values()]);
      this.ib.on(EventName.openOrder, on).on(EventName.openOrderEnd, onEnd);
      this.ib.reqAllOpenOrders();
      return () => this.ib.off(EventName.openOrder, on).off(EventName.openOrderEnd, onEnd);
    });
  }
}
