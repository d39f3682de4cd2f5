/**
 * One client connection: the version handshake, the negotiated version (every message is encoded
 * and decoded by it), the client id, the connection's subscriptions, and the fault injection that
 * acts on this socket. The state it serves (orders, fills, positions) lives in the process-wide
 * SimContext, not here.
 */
import type { Socket } from "node:net";
import type { SimBook } from "../book/index.js";
import type { SimMarket } from "../market/index.js";
import {
  connectionTime,
  decodeFields,
  ERR_MSG,
  encodeText,
  type MessageLayout,
  PLACE_ORDER,
  REQUESTS,
  type Values,
} from "../protocol/index.js";
import type { Scenario } from "./scenario.js";
import { answerUnserved } from "./unserved.js";

/** The lowest server version we serve (ib_insync and IB's own clients ask at least this). */
export const MIN_SERVER_VERSION = 157;
/** What a gateway answers a pre-v100 client: the last version of the unframed protocol (pilwon/node-ib#155). */
export const LEGACY_SERVER_VERSION = 76;
/** The highest: `@stoqey/ib` 1.6.x's maximum; 194+ changes ERR_MSG, 201+ is protobuf. */
export const MAX_SERVER_VERSION = 193;

export interface SimStats {
  connections: number;
  requests: number;
  byKind: Record<string, number>;
}

/** Everything the request handlers share: the process's market, book and clock. */
export interface SimContext {
  readonly market: SimMarket;
  readonly book: SimBook;
  readonly scenario: Scenario;
  readonly account: string;
  readonly maxVersion: number;
  /** The host's zone for the handshake's time (see SimulatorOptions.hostTimeZone). */
  readonly hostTimeZone?: string;
  readonly stats: SimStats;
  readonly sessions: Set<Session>;
  readonly clientIdsInUse: Set<number>;
  readonly historicalTimes: number[];
  readonly kindCounts: Record<string, number>;
  nowMs(): number;
  realNow(): number;
  log(line: Record<string, unknown>): void;
  later(ms: number, fn: () => void): void;
  /**
   * Like `later`, for what happens in the market's time (an order reaching the exchange,
   * connectivity coming back): on a virtual clock it fires at the clock's steps, not on a timer.
   */
  atMarketTime(ms: number, fn: () => void): void;
  /** 1100 sent and 1102 not yet (the scenario's connectivity fault). */
  connectivity: { lost: boolean };
}

/** A request handler: the session it came on and the request's decoded values. */
export type Handler = (session: Session, values: Record<string, unknown>) => void;

/** Per-connection subscriptions. */
export interface Subscriptions {
  positions: boolean;
  accountUpdates: boolean;
  autoOpenOrders: boolean;
  accountMulti: Set<number>;
  /** reqPositionsMulti request ids under the empty model (a non-FA account's only one). */
  positionsMulti: Set<number>;
  pnl: Set<number>;
  /** keepUpToDate historical requests by id: each sends its bar under way when due (server's timer). */
  historyUpdates: Map<number, () => void>;
  /** Streaming market data lines by request id: each sends what changed when due (server's timer). */
  marketData: Map<number, () => void>;
}

export class Session {
  /** Negotiated server version; 0 until the handshake. */
  version = 0;
  clientId = -1;
  started = false;
  /** The market data type this connection asked for (REQ_MARKET_DATA_TYPE); IB's default is 1, real time. */
  marketDataType: 1 | 2 | 3 | 4 = 1;
  readonly subs: Subscriptions = {
    positions: false,
    accountUpdates: false,
    autoOpenOrders: false,
    accountMulti: new Set(),
    positionsMulti: new Set(),
    pnl: new Set(),
    historyUpdates: new Map(),
    marketData: new Map(),
  };

  constructor(
    readonly ctx: SimContext,
    private readonly socket: Socket,
    private readonly handlers: ReadonlyMap<number, Handler>,
  ) {}

  /** Send one message by its layout at this connection's version. */
  send(layout: MessageLayout, values: Values): void {
    if (this.socket.destroyed) return;
    this.socket.write(frameText(encodeText(layout, this.version, values)));
  }

  /** Run `fn` with the socket corked, so the messages it sends leave in one write. */
  batch(fn: () => void): void {
    this.socket.cork();
    try {
      fn();
    } finally {
      this.socket.uncork();
    }
  }

  /** ERR_MSG; id −1 reaches the client as info, not as an error. */
  error(id: number, code: number, message: string): void {
    this.send(ERR_MSG, { id, code, message, advancedOrderRejectJson: "" });
  }

  /** Close the socket after `ms` real milliseconds. */
  closeLater(ms: number): void {
    this.ctx.later(ms, () => this.socket.destroy());
  }

  /**
   * The client hello: `v<min>..<max>` (options after a space are ignored). Like a gateway, we
   * answer every hello with a version and the connection time, and let the client judge: a range
   * above ours gets our highest (the client reports the gateway out of date), one below our
   * lowest gets our lowest and, since we cannot speak it, a close shortly after.
   */
  hello(range: string): void {
    const match = /^v(\d+)(?:\.\.(\d+))?/.exec(range);
    const clientMin = Number(match?.[1] ?? 0);
    const clientMax = Number(match?.[2] ?? match?.[1] ?? 0);
    const tooOld = !match || clientMax < MIN_SERVER_VERSION;
    const version = tooOld ? MIN_SERVER_VERSION : Math.min(this.ctx.maxVersion, clientMax);
    this.version = version;
    this.ctx.log({ event: tooOld || version < clientMin ? "refused-version" : "hello", range, version });
    this.socket.write(frame([String(version), connectionTime(this.ctx.nowMs(), this.ctx.hostTimeZone)]));
    if (tooOld) this.closeLater(50);
  }

  /**
   * A pre-v100 client (`62\0`, no `API\0`): a gateway answers with server version 76, the last of
   * that protocol, and the connection time, unframed. We speak only the framed protocol, so its
   * client id gets an error saying so (unframed, as that protocol writes it) and a close.
   */
  private legacy(kind: string, text: string): void {
    if (kind === "LEGACY") {
      this.ctx.log({ event: "legacy-hello", clientVersion: text });
      this.socket.write(
        `${LEGACY_SERVER_VERSION}\0${connectionTime(this.ctx.nowMs(), this.ctx.hostTimeZone)}\0`,
      );
      return;
    }
    if (this.started) return;
    this.started = true;
    const message = `This gateway speaks the framed API (server versions ${MIN_SERVER_VERSION}..${this.ctx.maxVersion}, client API 9.72 or later); upgrade the client.`;
    this.socket.write(["4", "2", "-1", "503", message, ""].join("\0"));
    this.closeLater(50);
  }

  /** Decode one request by its layout at this version and run its handler. */
  handle(fields: string[]): void {
    if (fields[0] === "API") {
      this.hello(fields[1] ?? "");
      return;
    }
    if (fields[0] === "LEGACY" || fields[0] === "LEGACY_FIELD") {
      this.legacy(fields[0], fields[1] ?? "");
      return;
    }
    const id = Number(fields[0]);
    const layout = REQUESTS.get(id);
    const handler = this.handlers.get(id);
    if (!layout || !handler) {
      if (answerUnserved(this, id, fields)) return;
      this.ctx.log({ event: "unknown-message", id: fields[0] });
      this.error(-1, 503, `The TWS is out of date and must be upgraded (unknown message id ${fields[0]}).`);
      return;
    }
    // PLACE_ORDER carries ~90 fields after the ones we act on; the rest are read leniently.
    handler(this, decodeFields(layout, this.version, fields, layout === PLACE_ORDER));
  }

  /** Count a served request and fire the scenario's per-request faults. Returns the nth of its kind. */
  countRequest(kind: string): number {
    const { stats, scenario, kindCounts } = this.ctx;
    stats.requests += 1;
    stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
    kindCounts[kind] = (kindCounts[kind] ?? 0) + 1;
    if (scenario.dropAfterRequests !== undefined && stats.requests === scenario.dropAfterRequests) {
      this.ctx.log({ event: "fault", fault: "drop", request: stats.requests });
      this.closeLater(5);
    }
    const lost = scenario.connectivityLost;
    if (
      lost &&
      (stats.requests === lost.afterRequests || (kind === "place-order" && kindCounts[kind] === lost.atOrder))
    ) {
      this.ctx.log({ event: "fault", fault: "connectivity-lost", request: stats.requests });
      this.ctx.connectivity.lost = true;
      this.error(-1, 1100, "Connectivity between IB and Trader Workstation has been lost.");
      this.ctx.atMarketTime(lost.restoreAfterMs, () => {
        this.ctx.connectivity.lost = false;
        this.error(
          -1,
          1102,
          "Connectivity between IB and Trader Workstation has been restored - data maintained.",
        );
      });
    }
    return kindCounts[kind]!;
  }
}

/** Length-prefixed, NUL-terminated fields. */
export function frame(fields: readonly string[]): Buffer {
  let text = "";
  for (const f of fields) text += `${f}\0`;
  return frameText(text);
}

/** Length-prefix an already NUL-terminated payload. */
export function frameText(text: string): Buffer {
  const length = Buffer.byteLength(text, "utf8");
  const out = Buffer.allocUnsafe(4 + length);
  out.writeUInt32BE(length, 0);
  out.write(text, 4, "utf8");
  return out;
}
