/**
 * The fake IB Gateway: a TCP server that the unmodified `@stoqey/ib` client talks to as it would
 * to IB Gateway on port 4002, at server version 193 (classic text protocol).
 */
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { newYorkParts } from "../events/index.js";
import { lastTradingDay, regularHours } from "./calendar.js";
import { SimMarket, type SimOption } from "./market.js";
import { type Scenario, ScenarioSchema } from "./scenario.js";
import { encodeMessage, FrameReader } from "./wire.js";

/** The server version we speak: the highest `@stoqey/ib` 1.6.x accepts. */
export const SERVER_VERSION = 193;
/** Managed accounts start with SIM: that is how live mode knows the other end is this simulator. */
export const SIMULATOR_ACCOUNT = "SIM0000001";

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  seed?: number;
  /** Simulated clock start, epoch ms (default: the last trading day's 09:30 New York). */
  startMs?: number;
  /** Simulated seconds per real second. */
  speed?: number;
  scenario?: Partial<Scenario>;
  /** One JSON line per served request. */
  log?: (line: Record<string, unknown>) => void;
  /**
   * The managed account to report. Default SIM0000001; a test can pass a paper-style id (DU…) to
   * make the simulator look like a real gateway to the bot.
   */
  account?: string;
  /** Real-time source (injected so tests can drive it); default performance.now. */
  realNowMs?: () => number;
}

export interface SimStats {
  connections: number;
  requests: number;
  byKind: Record<string, number>;
}

export interface Simulator {
  readonly host: string;
  readonly port: number;
  readonly stats: SimStats;
  /** The simulated clock now, epoch ms. */
  nowMs(): number;
  close(): Promise<void>;
}

const OUT = {
  TICK_PRICE: 1,
  TICK_SIZE: 2,
  ORDER_STATUS: 3,
  ERR_MSG: 4,
  NEXT_VALID_ID: 9,
  CONTRACT_DATA: 10,
  EXECUTION_DATA: 11,
  MANAGED_ACCTS: 15,
  HISTORICAL_DATA: 17,
  TICK_OPTION_COMPUTATION: 21,
  CURRENT_TIME: 49,
  CONTRACT_DATA_END: 52,
  EXECUTION_DATA_END: 55,
  TICK_SNAPSHOT_END: 57,
  MARKET_DATA_TYPE: 58,
  COMMISSION_REPORT: 59,
  POSITION_DATA: 61,
  POSITION_END: 62,
  ACCOUNT_SUMMARY: 63,
  ACCOUNT_SUMMARY_END: 64,
  SECURITY_DEFINITION_OPTION_PARAMETER: 75,
  SECURITY_DEFINITION_OPTION_PARAMETER_END: 76,
  TICK_REQ_PARAMS: 81,
  OPEN_ORDER_END: 53,
} as const;

const IN = {
  REQ_MKT_DATA: 1,
  CANCEL_MKT_DATA: 2,
  PLACE_ORDER: 3,
  CANCEL_ORDER: 4,
  REQ_OPEN_ORDERS: 5,
  REQ_EXECUTIONS: 7,
  REQ_IDS: 8,
  REQ_CONTRACT_DATA: 9,
  REQ_MANAGED_ACCTS: 17,
  REQ_HISTORICAL_DATA: 20,
  CANCEL_HISTORICAL_DATA: 25,
  REQ_CURRENT_TIME: 49,
  REQ_MARKET_DATA_TYPE: 59,
  REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62,
  CANCEL_ACCOUNT_SUMMARY: 63,
  CANCEL_POSITIONS: 64,
  START_API: 71,
  REQ_SEC_DEF_OPT_PARAMS: 78,
  REQ_ALL_OPEN_ORDERS: 16,
  REQ_AUTO_OPEN_ORDERS: 15,
} as const;

interface ContractFields {
  conId: number;
  symbol: string;
  secType: string;
  expiry: string;
  strike: number;
  right: string;
  multiplier: string;
  exchange: string;
  currency: string;
}

interface Holding {
  contract: ContractFields;
  quantity: number;
  avgCost: number;
}

type Field = string | number | boolean | null | undefined;

/** Start the simulator; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const scenario: Scenario = ScenarioSchema.parse(options.scenario ?? {});
  const market = new SimMarket(options.seed ?? 42);
  const realNow = options.realNowMs ?? (() => performance.now());
  const realStart = realNow();
  const startMs = options.startMs ?? regularHours(lastTradingDay(Date.now())).openMs;
  const speed = options.speed ?? 1;
  const nowMs = () => Math.floor(startMs + (realNow() - realStart) * speed);
  const log = options.log ?? (() => {});
  const stats: SimStats = { connections: 0, requests: 0, byKind: {} };
  const clientIdsInUse = new Set(scenario.clientIdInUse ?? []);
  const account = options.account ?? SIMULATOR_ACCOUNT;
  const historicalTimes: number[] = [];
  const kindCounts: Record<string, number> = {};
  const holdings = new Map<string, Holding>();
  let nextOrderId = 1;
  const workingOrders = new Map<number, { quantity: number; permId: number }>();
  let permId = 1_000_000;
  let execSeq = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const server: Server = createServer((socket) => {
    stats.connections += 1;
    sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader();
    let clientId = -1;
    const send = (fields: Field[]) => {
      if (!socket.destroyed) socket.write(encodeMessage(fields));
    };
    const error = (id: number, code: number, text: string) => send([OUT.ERR_MSG, 2, id, code, text, ""]);

    socket.on("data", (chunk: Buffer) => {
      let messages: string[][];
      try {
        messages = reader.push(chunk);
      } catch (e) {
        log({ event: "bad-frame", error: (e as Error).message });
        socket.destroy();
        return;
      }
      for (const fields of messages) {
        try {
          handle(fields);
        } catch (e) {
          // A malformed request gets the gateway's style of error; the server keeps serving.
          const reqId = Number(fields[2] ?? fields[1] ?? -1);
          log({ event: "bad-request", fields: fields.slice(0, 4), error: (e as Error).message });
          error(Number.isFinite(reqId) ? reqId : -1, 320, `Error reading request: ${(e as Error).message}`);
        }
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));

    function countRequest(kind: string): number {
      stats.requests += 1;
      stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
      kindCounts[kind] = (kindCounts[kind] ?? 0) + 1;
      if (scenario.dropAfterRequests !== undefined && stats.requests === scenario.dropAfterRequests) {
        log({ event: "fault", fault: "drop", request: stats.requests });
        later(5, () => socket.destroy());
      }
      const lost = scenario.connectivityLost;
      if (lost && stats.requests === lost.afterRequests) {
        log({ event: "fault", fault: "connectivity-lost", request: stats.requests });
        error(-1, 1100, "Connectivity between IB and Trader Workstation has been lost.");
        later(lost.restoreAfterMs, () =>
          error(
            -1,
            1102,
            "Connectivity between IB and Trader Workstation has been restored - data maintained.",
          ),
        );
      }
      return kindCounts[kind]!;
    }

    function handle(fields: string[]): void {
      const id = fields[0] === "API" ? -100 : Number(fields[0]);
      switch (id) {
        case -100: {
          const [, range] = fields;
          const match = /^v(\d+)(?:\.\.(\d+))?/.exec(range ?? "");
          const max = Number(match?.[2] ?? match?.[1] ?? 0);
          if (!match || max < 100) {
            socket.destroy();
            return;
          }
          const version = Math.min(SERVER_VERSION, max);
          const p = newYorkParts(nowMs());
          const pad = (n: number) => String(n).padStart(2, "0");
          send([
            version,
            `${p.date.replaceAll("-", "")} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} America/New_York`,
          ]);
          return;
        }
        case IN.START_API: {
          clientId = Number(fields[2]);
          log({ event: "start-api", clientId });
          if (clientIdsInUse.has(clientId)) {
            error(
              -1,
              326,
              `Unable to connect as the client id is already in use. Retry with a unique client id.`,
            );
            later(5, () => socket.destroy());
            return;
          }
          send([OUT.MANAGED_ACCTS, 1, account]);
          send([OUT.NEXT_VALID_ID, 1, nextOrderId]);
          error(-1, 2104, "Market data farm connection is OK:usfarm");
          error(-1, 2106, "HMDS data farm connection is OK:ushmds");
          error(-1, 2158, "Sec-def data farm connection is OK:secdefnj");
          return;
        }
        case IN.REQ_IDS:
          countRequest("ids");
          send([OUT.NEXT_VALID_ID, 1, nextOrderId]);
          return;
        case IN.REQ_MANAGED_ACCTS:
          send([OUT.MANAGED_ACCTS, 1, account]);
          return;
        case IN.REQ_CURRENT_TIME:
          countRequest("current-time");
          send([OUT.CURRENT_TIME, 1, Math.floor(nowMs() / 1000)]);
          return;
        case IN.REQ_MARKET_DATA_TYPE:
        case IN.CANCEL_MKT_DATA:
        case IN.CANCEL_HISTORICAL_DATA:
        case IN.CANCEL_ACCOUNT_SUMMARY:
        case IN.CANCEL_POSITIONS:
        case IN.REQ_AUTO_OPEN_ORDERS:
          return;
        case IN.REQ_OPEN_ORDERS:
        case IN.REQ_ALL_OPEN_ORDERS:
          send([OUT.OPEN_ORDER_END, 1]);
          return;
        case IN.REQ_CONTRACT_DATA:
          contractData(fields);
          return;
        case IN.REQ_SEC_DEF_OPT_PARAMS:
          optionParams(fields);
          return;
        case IN.REQ_HISTORICAL_DATA:
          historical(fields);
          return;
        case IN.REQ_MKT_DATA:
          marketData(fields);
          return;
        case IN.PLACE_ORDER:
          placeOrder(fields);
          return;
        case IN.CANCEL_ORDER: {
          const orderId = Number(fields[1]);
          countRequest("cancel-order");
          const working = workingOrders.get(orderId);
          if (working) {
            // A working (unfilled limit) order: PendingCancel, Cancelled, then error 202, as a gateway does.
            workingOrders.delete(orderId);
            send([
              OUT.ORDER_STATUS,
              orderId,
              "PendingCancel",
              0,
              working.quantity,
              0,
              working.permId,
              0,
              0,
              clientId,
              "",
              0,
            ]);
            send([
              OUT.ORDER_STATUS,
              orderId,
              "Cancelled",
              0,
              working.quantity,
              0,
              working.permId,
              0,
              0,
              clientId,
              "",
              0,
            ]);
            error(orderId, 202, "Order Canceled - reason:");
            return;
          }
          error(
            orderId,
            10148,
            `OrderId ${orderId} that needs to be cancelled cannot be cancelled, state: Filled.`,
          );
          return;
        }
        case IN.REQ_POSITIONS:
          countRequest("positions");
          for (const h of holdings.values()) {
            const c = h.contract;
            send([
              OUT.POSITION_DATA,
              3,
              account,
              c.conId,
              c.symbol,
              c.secType,
              c.expiry,
              c.strike || 0,
              c.right,
              c.multiplier,
              c.exchange,
              c.currency,
              localSymbol(c),
              c.symbol,
              h.quantity,
              h.avgCost,
            ]);
          }
          send([OUT.POSITION_END, 1]);
          return;
        case IN.REQ_ACCOUNT_SUMMARY: {
          countRequest("account-summary");
          const reqId = Number(fields[2]);
          for (const [tag, value] of [
            ["NetLiquidation", "100000.00"],
            ["BuyingPower", "400000.00"],
            ["AvailableFunds", "100000.00"],
          ] as const) {
            send([OUT.ACCOUNT_SUMMARY, 1, reqId, account, tag, value, "USD"]);
          }
          send([OUT.ACCOUNT_SUMMARY_END, 1, reqId]);
          return;
        }
        case IN.REQ_EXECUTIONS: {
          const reqId = Number(fields[2]);
          send([OUT.EXECUTION_DATA_END, 1, reqId]);
          return;
        }
        default:
          log({ event: "unknown-message", id: fields[0] });
          error(-1, 503, `The TWS is out of date and must be upgraded (unknown message id ${fields[0]}).`);
      }
    }

    /** Contract fields in the order every request carries them, starting at `at`. */
    function contractAt(fields: string[], at: number): ContractFields {
      return {
        conId: Number(fields[at] || 0),
        symbol: fields[at + 1] ?? "",
        secType: fields[at + 2] ?? "",
        expiry: fields[at + 3] ?? "",
        strike: Number(fields[at + 4] || 0),
        right: normalRight(fields[at + 5] ?? ""),
        multiplier: fields[at + 6] ?? "",
        exchange: fields[at + 7] ?? "",
        currency: fields[at + 10] ?? "USD",
      };
    }

    function known(reqId: number, c: ContractFields): boolean {
      if (
        market.spec(c.symbol) &&
        (c.secType === "STK" ||
          (c.secType === "OPT" &&
            c.expiry.length === 8 &&
            c.strike > 0 &&
            (c.right === "C" || c.right === "P")))
      )
        return true;
      error(reqId, 200, "No security definition has been found for the request");
      return false;
    }

    function contractData(fields: string[]): void {
      countRequest("contract-details");
      const reqId = Number(fields[2]);
      const c = contractAt(fields, 3);
      if (!known(reqId, c)) return;
      const spec = market.spec(c.symbol)!;
      const isOption = c.secType === "OPT";
      const conId = isOption ? market.optionConId(asOption(c)) : spec.conId;
      send([
        OUT.CONTRACT_DATA,
        reqId,
        c.symbol,
        c.secType,
        isOption ? c.expiry : "",
        isOption ? c.expiry : "",
        isOption ? c.strike : 0,
        isOption ? c.right : "",
        "SMART",
        "USD",
        isOption ? localSymbol(c) : c.symbol,
        c.symbol,
        c.symbol,
        conId,
        0.01,
        isOption ? 100 : "",
        "ACTVTIME,LMT,MKT,STP",
        "SMART,AMEX,ARCA,BATS,CBOE,ISE",
        1,
        isOption ? spec.conId : 0,
        spec.longName,
        "ARCA",
        isOption ? c.expiry.slice(0, 6) : "",
        "",
        "",
        "",
        "US/Eastern",
        "",
        "",
        "",
        "",
        0,
        1,
        isOption ? c.symbol : "",
        isOption ? "STK" : "",
        "26,26",
        isOption ? c.expiry : "",
        isOption ? "" : "ETF",
        1,
        1,
        1,
        0,
      ]);
      send([OUT.CONTRACT_DATA_END, 1, reqId]);
    }

    function optionParams(fields: string[]): void {
      countRequest("option-params");
      const reqId = Number(fields[1]);
      const symbol = fields[2] ?? "";
      const spec = market.spec(symbol);
      if (!spec) {
        error(reqId, 200, "No security definition has been found for the request");
        return;
      }
      const now = nowMs();
      const expirations = market.expirations(now);
      const strikes = market.strikes(symbol, now);
      for (const exchange of ["SMART", "CBOE"]) {
        send([
          OUT.SECURITY_DEFINITION_OPTION_PARAMETER,
          reqId,
          exchange,
          spec.conId,
          symbol,
          100,
          expirations.length,
          ...expirations,
          strikes.length,
          ...strikes,
        ]);
      }
      send([OUT.SECURITY_DEFINITION_OPTION_PARAMETER_END, reqId]);
    }

    function historical(fields: string[]): void {
      const nth = countRequest("historical");
      const reqId = Number(fields[1]);
      const c = contractAt(fields, 2);
      const barSize = fields[16] ?? "";
      const duration = fields[17] ?? "";
      const formatDate = Number(fields[20] ?? 1);
      log({ event: "request", kind: "historical", reqId, symbol: c.symbol, barSize, duration, clientId });
      if (scenario.unanswered?.kind === "historical" && scenario.unanswered.nth === nth) {
        log({ event: "fault", fault: "unanswered", kind: "historical", reqId });
        return;
      }
      const pacing = scenario.pacing;
      if (pacing) {
        const real = realNow();
        while (historicalTimes.length && real - historicalTimes[0]! > pacing.windowSeconds * 1000)
          historicalTimes.shift();
        historicalTimes.push(real);
        if (historicalTimes.length > pacing.maxRequests) {
          log({ event: "fault", fault: "pacing", reqId });
          error(
            reqId,
            162,
            "Historical Market Data Service error message:Historical data request pacing violation",
          );
          return;
        }
      }
      if (!known(reqId, c)) return;
      if (c.secType !== "STK") {
        error(
          reqId,
          162,
          "Historical Market Data Service error message:No data of type TRADES is available for OPT in the sim",
        );
        return;
      }
      const seconds = parseDuration(duration);
      const count = Math.min(Math.floor(seconds / 60), 1000);
      const bars = market.bars(c.symbol, nowMs(), count);
      const fmt = (ms: number) => (formatDate === 2 ? String(Math.floor(ms / 1000)) : ibTime(ms));
      const end = nowMs();
      const out: Field[] = [OUT.HISTORICAL_DATA, reqId, fmt(bars[0]?.timeMs ?? end), fmt(end), bars.length];
      for (const b of bars) out.push(fmt(b.timeMs), b.open, b.high, b.low, b.close, b.volume, b.wap, b.count);
      send(out);
    }

    function marketData(fields: string[]): void {
      const reqId = Number(fields[2]);
      const c = contractAt(fields, 3);
      // The last four fields are genericTicks, snapshot, regulatorySnapshot, options (BAG legs sit before them).
      const snapshot = fields[fields.length - 3] === "1";
      const nth = countRequest("snapshot");
      log({
        event: "request",
        kind: snapshot ? "snapshot" : "streaming",
        reqId,
        symbol: c.symbol,
        secType: c.secType,
        strike: c.strike,
        right: c.right,
        clientId,
      });
      const competing = scenario.competingSession;
      if (competing && nth >= competing.fromRequest && nth < competing.fromRequest + competing.count) {
        error(reqId, 10197, "No market data during competing live session");
        return;
      }
      if (!known(reqId, c)) return;
      if (scenario.unanswered?.kind === "snapshot" && scenario.unanswered.nth === nth) {
        log({ event: "fault", fault: "unanswered", kind: "snapshot", reqId });
        return;
      }
      const now = nowMs();
      const quote =
        c.secType === "OPT" ? market.optionQuote(asOption(c), now) : market.stockQuote(c.symbol, now);
      const ticks = (): void => {
        send([OUT.TICK_PRICE, 6, reqId, 1, quote.bid, quote.bidSize, 0]);
        send([OUT.TICK_PRICE, 6, reqId, 2, quote.ask, quote.askSize, 0]);
        send([OUT.TICK_PRICE, 6, reqId, 4, quote.last, quote.lastSize, 0]);
        send([OUT.TICK_SIZE, 6, reqId, 8, 120_000]);
        if (c.secType === "OPT") {
          const m = market.optionModel(asOption(c), now);
          for (const tickType of [10, 11, 12, 13]) {
            const price =
              tickType === 10
                ? quote.bid
                : tickType === 11
                  ? quote.ask
                  : tickType === 12
                    ? quote.last
                    : round6(m.price);
            send([
              OUT.TICK_OPTION_COMPUTATION,
              reqId,
              tickType,
              1,
              round6(m.impliedVol),
              round6(m.delta),
              price,
              0,
              round6(m.gamma),
              round6(m.vega),
              round6(m.theta),
              round6(m.underlying),
            ]);
          }
        }
      };
      send([OUT.TICK_REQ_PARAMS, reqId, 0.01, "9c0001", 3]);
      send([OUT.MARKET_DATA_TYPE, 1, reqId, 1]);
      if (!snapshot) {
        // alpha: streaming subscriptions piled up and overflowed the gateway's output buffer.
        if (scenario.streamingFlood) {
          for (let i = 0; i < 200; i++) ticks();
          error(
            -1,
            2100,
            "API client has been unsubscribed from account data. Output exceeded limit (was: 100413), removed first half",
          );
        } else ticks();
        return;
      }
      later(scenario.snapshotDelayMs, () => {
        ticks();
        send([OUT.TICK_SNAPSHOT_END, 1, reqId]);
      });
    }

    function placeOrder(fields: string[]): void {
      countRequest("place-order");
      const orderId = Number(fields[1]);
      const c = contractAt(fields, 2);
      const action = fields[16] ?? "";
      const quantity = Number(fields[17]);
      const orderType = fields[18] ?? "";
      const limit = Number(fields[19] || 0);
      log({
        event: "request",
        kind: "order",
        orderId,
        symbol: c.symbol,
        action,
        quantity,
        orderType,
        clientId,
      });
      nextOrderId = Math.max(nextOrderId, orderId + 1);
      if (!known(orderId, c)) return;
      if (
        (action !== "BUY" && action !== "SELL") ||
        !(quantity > 0) ||
        (orderType !== "MKT" && orderType !== "LMT")
      ) {
        error(orderId, 201, `Order rejected - reason:unsupported order (${action} ${quantity} ${orderType})`);
        return;
      }
      const now = nowMs();
      const quote =
        c.secType === "OPT" ? market.optionQuote(asOption(c), now) : market.stockQuote(c.symbol, now);
      const price = action === "BUY" ? quote.ask : quote.bid;
      const perm = ++permId;
      send([OUT.ORDER_STATUS, orderId, "Submitted", 0, quantity, 0, perm, 0, 0, clientId, "", 0]);
      if (
        orderType === "LMT" &&
        ((action === "BUY" && limit < price) || (action === "SELL" && limit > price))
      ) {
        // Not marketable: the order works until it is cancelled (the simulator does not re-cross it).
        workingOrders.set(orderId, { quantity, permId: perm });
        return;
      }
      const conId = c.secType === "OPT" ? market.optionConId(asOption(c)) : market.spec(c.symbol)!.conId;
      const execId = `0000e0d5.${String(++execSeq).padStart(8, "0")}.01.01`;
      const mult = c.secType === "OPT" ? 100 : 1;
      const commission = c.secType === "OPT" ? Math.max(1, 0.65 * quantity) : Math.max(1, 0.005 * quantity);
      later(5, () => {
        send([
          OUT.EXECUTION_DATA,
          -1,
          orderId,
          conId,
          c.symbol,
          c.secType,
          c.expiry,
          c.strike || 0,
          c.right,
          c.secType === "OPT" ? 100 : "",
          "SMART",
          "USD",
          localSymbol(c),
          c.symbol,
          execId,
          ibTime(now),
          account,
          "CBOE",
          action === "BUY" ? "BOT" : "SLD",
          quantity,
          price,
          perm,
          clientId,
          0,
          quantity,
          price,
          "",
          "",
          "",
          "",
          1,
          "",
        ]);
        send([OUT.ORDER_STATUS, orderId, "Filled", quantity, 0, price, perm, 0, price, clientId, "", 0]);
        send([
          OUT.COMMISSION_REPORT,
          1,
          execId,
          round6(commission),
          "USD",
          Number.MAX_VALUE,
          Number.MAX_VALUE,
          "",
        ]);
        const key = `${c.symbol}|${c.secType}|${c.expiry}|${c.strike}|${c.right}`;
        const held = holdings.get(key) ?? { contract: { ...c, conId }, quantity: 0, avgCost: 0 };
        const signed = action === "BUY" ? quantity : -quantity;
        const total = held.quantity + signed;
        const avgCost =
          total === 0
            ? 0
            : Math.sign(total) === Math.sign(signed) && held.quantity * signed >= 0
              ? (held.avgCost * held.quantity + price * mult * signed) / total
              : held.avgCost;
        if (total === 0) holdings.delete(key);
        else holdings.set(key, { contract: held.contract, quantity: total, avgCost: round6(avgCost) });
      });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    stats,
    nowMs,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function asOption(c: ContractFields): SimOption {
  return { symbol: c.symbol, expiry: c.expiry, strike: c.strike, right: c.right as "C" | "P" };
}

function normalRight(right: string): string {
  if (right === "CALL") return "C";
  if (right === "PUT") return "P";
  return right;
}

function localSymbol(c: ContractFields): string {
  if (c.secType !== "OPT") return c.symbol;
  const strike = String(Math.round(c.strike * 1000)).padStart(8, "0");
  return `${c.symbol.padEnd(6)}${c.expiry.slice(2)}${c.right}${strike}`;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** IB duration strings: "3600 S", "1 D", "2 W". */
function parseDuration(duration: string): number {
  const [n, unit] = duration.trim().split(/\s+/);
  const value = Number(n);
  const seconds = unit === "S" ? 1 : unit === "D" ? 86_400 : unit === "W" ? 604_800 : Number.NaN;
  if (!Number.isFinite(value) || !Number.isFinite(seconds)) throw new Error(`bad duration "${duration}"`);
  // A "day" of 1-minute RTH bars is 390 bars, not 1440.
  return unit === "S" ? value : value * 390 * 60 * (unit === "W" ? 5 : 1);
}

/** `yyyyMMdd HH:mm:ss America/New_York`, IB's formatDate=1 style. */
function ibTime(ms: number): string {
  const p = newYorkParts(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.date.replaceAll("-", "")} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} America/New_York`;
}
