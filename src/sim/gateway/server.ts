/**
 * The fake IB Gateway: a TCP server that a TWS API client (the unmodified `@stoqey/ib`, or any
 * client offering versions 157..193) talks to as it would to IB Gateway on port 4002. It wires the
 * process-wide state (market, book, account) to one Session per connection; the protocol tables,
 * handlers and book live in their own modules.
 */
import { createServer, type Server, type Socket } from "node:net";
import { SimBook } from "../book/index.js";
import { lastTradingDay, regularHours, SimMarket } from "../market/index.js";
import {
  CURRENT_TIME,
  FrameReader,
  isKnownTimeZone,
  listenOn,
  MANAGED_ACCTS,
  NEXT_VALID_ID,
} from "../protocol/index.js";
import { ACCOUNT_HANDLERS, routeAccountEvents } from "./account-handlers.js";
import { HISTORICAL_HANDLERS } from "./historical-handlers.js";
import { MARKET_DATA_HANDLERS } from "./market-data-handlers.js";
import { MARKET_HANDLERS } from "./market-handlers.js";
import { OPTION_CALC_HANDLERS } from "./option-calc-handlers.js";
import { ORDER_HANDLERS, routeOrderEvents } from "./order-handlers.js";
import { REFERENCE_HANDLERS } from "./reference-handlers.js";
import { type Scenario, type ScenarioInput, ScenarioSchema } from "./scenario.js";
import {
  type Handler,
  MAX_SERVER_VERSION,
  MIN_SERVER_VERSION,
  Session,
  type SimContext,
  type SimStats,
} from "./session.js";
import type { VirtualTime } from "./virtual-time.js";

export type { SimStats } from "./session.js";

/** The highest server version we speak: the highest `@stoqey/ib` 1.6.x accepts. */
export const SERVER_VERSION = MAX_SERVER_VERSION;
/** The lowest we accept. */
export const MIN_VERSION = MIN_SERVER_VERSION;
/** Managed accounts start with SIM by default: that is how live mode knows the other end is this simulator. */
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
  scenario?: ScenarioInput;
  /** One JSON line per served request. */
  log?: (line: Record<string, unknown>) => void;
  /**
   * The managed account to report (default SIM0000001); a live-style id (U…, DU…) makes the
   * simulator look like a real gateway to the bot. Executions, positions and account updates use it.
   */
  account?: string;
  /** The highest server version to negotiate (157..193; default 193): an older gateway for tests. */
  maxServerVersion?: number;
  /**
   * The simulated gateway host's time zone (IANA, e.g. Europe/London): the handshake then writes that
   * zone's clock and long name, as a gateway on such a host does. Default: New York, short name.
   */
  hostTimeZone?: string;
  /** Real-time source (injected so tests can drive it); default performance.now. */
  realNowMs?: () => number;
  /**
   * Virtual local time shared with a bot in this process (see VirtualTime): the clock then moves
   * only when the bot sleeps, and orders match at its steps, so a run is the same at any load.
   * Takes the place of `realNowMs`.
   */
  virtualTime?: VirtualTime;
}

export interface Simulator {
  readonly host: string;
  readonly port: number;
  readonly stats: SimStats;
  /** The simulated clock now, epoch ms. */
  nowMs(): number;
  close(): Promise<void>;
}

/** How often (real ms) working orders are matched against the moving quotes. */
const MATCH_EVERY_MS = 20;

const startApi: Handler = (session, v) => {
  const { ctx } = session;
  session.clientId = Number(v.clientId);
  ctx.log({ event: "start-api", clientId: session.clientId, version: session.version });
  const taken = [...ctx.sessions].some((s) => s !== session && s.started && s.clientId === session.clientId);
  if (ctx.clientIdsInUse.has(session.clientId) || taken) {
    session.error(
      -1,
      326,
      "Unable to connect as the client id is already in use. Retry with a unique client id.",
    );
    session.closeLater(5);
    return;
  }
  session.started = true;
  session.send(MANAGED_ACCTS, { accountsList: ctx.account });
  session.send(NEXT_VALID_ID, { orderId: ctx.book.nextOrderId(session.clientId) });
  session.error(-1, 2104, "Market data farm connection is OK:usfarm");
  session.error(-1, 2106, "HMDS data farm connection is OK:ushmds");
  // A gateway lists the farms it has not needed yet as inactive (2107) beside the live ones.
  session.error(
    -1,
    2107,
    "HMDS data farm connection is inactive but should be available upon demand.cashhmds",
  );
  session.error(-1, 2158, "Sec-def data farm connection is OK:secdefnj");
};

const BASIC_HANDLERS: ReadonlyArray<readonly [number, Handler]> = [
  [71, startApi],
  [
    8,
    (s) => {
      s.countRequest("ids");
      s.send(NEXT_VALID_ID, { orderId: s.ctx.book.nextOrderId(s.clientId) });
    },
  ],
  [17, (s) => s.send(MANAGED_ACCTS, { accountsList: s.ctx.account })],
  [
    49,
    (s) => {
      s.countRequest("current-time");
      s.send(CURRENT_TIME, { time: Math.floor(s.ctx.nowMs() / 1000) });
    },
  ],
];

const HANDLERS: ReadonlyMap<number, Handler> = new Map([
  ...BASIC_HANDLERS,
  ...MARKET_HANDLERS,
  ...HISTORICAL_HANDLERS,
  ...MARKET_DATA_HANDLERS,
  ...ORDER_HANDLERS,
  ...ACCOUNT_HANDLERS,
  ...REFERENCE_HANDLERS,
  ...OPTION_CALC_HANDLERS,
]);

/** Start the simulator; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const scenario: Scenario = ScenarioSchema.parse(options.scenario ?? {});
  const market = new SimMarket(options.seed ?? 42);
  const virtual = options.virtualTime;
  const realNow = virtual ? () => virtual.nowMs() : (options.realNowMs ?? (() => performance.now()));
  const realStart = realNow();
  const startMs = options.startMs ?? regularHours(lastTradingDay(Date.now())).openMs;
  const speed = options.speed ?? 1;
  const nowMs = () => Math.floor(startMs + (realNow() - realStart) * speed);
  const account = options.account ?? SIMULATOR_ACCOUNT;
  if (options.hostTimeZone !== undefined && !isKnownTimeZone(options.hostTimeZone))
    throw new Error(
      `hostTimeZone "${options.hostTimeZone}" is not an IANA time zone this Node knows: use a name such as Europe/London or America/Chicago.`,
    );
  const maxVersion = Math.min(
    MAX_SERVER_VERSION,
    Math.max(MIN_SERVER_VERSION, options.maxServerVersion ?? MAX_SERVER_VERSION),
  );
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const ctx: SimContext = {
    market,
    book: new SimBook({
      market,
      account,
      rejectShortOptions: scenario.rejectShortOptions,
      startingCashUsd: scenario.accountEquityUsd,
    }),
    scenario,
    account,
    maxVersion,
    ...(options.hostTimeZone !== undefined ? { hostTimeZone: options.hostTimeZone } : {}),
    stats: { connections: 0, requests: 0, byKind: {} },
    sessions: new Set(),
    clientIdsInUse: new Set(scenario.clientIdInUse ?? []),
    historicalTimes: [],
    kindCounts: {},
    nowMs,
    realNow,
    log: options.log ?? (() => {}),
    later,
    atMarketTime: virtual ? (ms, fn) => virtual.later(ms, fn) : later,
    connectivity: { lost: false },
  };
  routeOrderEvents(ctx);
  routeAccountEvents(ctx);
  // Working orders fill as the simulated quotes cross them while the clock advances; streaming
  // market data and the bars under way of keepUpToDate requests go out on the same beat.
  const beat = () => {
    if (ctx.book.working().length) ctx.book.match(nowMs());
    for (const session of ctx.sessions)
      session.batch(() => {
        for (const update of session.subs.marketData.values()) update();
        for (const update of session.subs.historyUpdates.values()) update();
      });
  };
  let closed = false;
  virtual?.onStep(() => {
    if (!closed) beat();
  });
  const matcher = virtual ? undefined : setInterval(beat, MATCH_EVERY_MS);
  matcher?.unref();

  const server: Server = createServer((socket) => {
    ctx.stats.connections += 1;
    sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader();
    const session = new Session(ctx, socket, HANDLERS);
    ctx.sessions.add(session);
    socket.on("data", (chunk: Buffer) => {
      let messages: string[][];
      try {
        messages = reader.push(chunk);
      } catch (e) {
        ctx.log({ event: "bad-frame", error: (e as Error).message });
        socket.destroy();
        return;
      }
      // Corked: the answers to one chunk of requests leave in one write.
      session.batch(() => handleAll(session, messages));
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      sockets.delete(socket);
      ctx.sessions.delete(session);
    });
  });
  function handleAll(session: Session, messages: string[][]): void {
    for (const fields of messages) {
      try {
        session.handle(fields);
      } catch (e) {
        // A malformed request gets the gateway's style of error; the server keeps serving.
        const reqId = Number(fields[2] ?? fields[1] ?? -1);
        ctx.log({ event: "bad-request", fields: fields.slice(0, 4), error: (e as Error).message });
        session.error(
          Number.isFinite(reqId) ? reqId : -1,
          320,
          `Error reading request: ${(e as Error).message}`,
        );
      }
    }
  }

  const address = await listenOn(server, options.host ?? "127.0.0.1", options.port ?? 0);
  return {
    host: address.address,
    port: address.port,
    stats: ctx.stats,
    nowMs,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        clearInterval(matcher);
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
