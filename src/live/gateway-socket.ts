/**
 * GatewaySocket: the connection half of our gateway interface over `@stoqey/ib`'s plain `IBApi` —
 * the handshake, every error or warning (including those the client emits as `info`: 326, 1100,
 * 2104…) delivered to one notice handler, the order events, and `request`, the one way a request
 * gets the timeout and cancellation the client lacks. `GatewayClient` adds the requests.
 *
 * Request ids and order ids are kept in separate spaces: order errors carry the orderId in the id
 * field, and a shared counter would make them collide with requests.
 */
import { EventName, IBApi } from "@stoqey/ib";
import {
  type ConnectInfo,
  GatewayDisconnected,
  type GatewayNotice,
  GatewayRequestError,
  GatewayTimeout,
  type OrderEvents,
} from "./gateway-types.js";
import { executionReport, openOrderReport } from "./ib-contracts.js";
import { priceOrNull } from "./snapshot-ticks.js";

/**
 * Codes that are warnings about a request that goes on: 2100–2199, 10167 (not subscribed:
 * "displaying delayed market data", the data follows), 10090 (part of the data is not
 * subscribed, the rest follows), and an order's 399 (not placed until the open) and 10349 (TIF
 * set from the preset). Every other code on a request (or what-if order) id ends it.
 */
export function endsNoRequest(code: number): boolean {
  return (code >= 2100 && code < 2200) || code === 10167 || code === 10090 || code === 399 || code === 10349;
}

interface Pending {
  reject(error: Error): void;
}

export class GatewaySocket {
  protected readonly ib: IBApi;
  protected nextReqId = 1_000_000;
  protected nextOrderId = 0;
  protected readonly pending = new Map<number, Pending>();
  private connected = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly onNotice: (notice: GatewayNotice) => void,
    private readonly onClose: (reason: string) => void,
    private readonly orderEvents: OrderEvents,
    maxReqPerSec = 40,
  ) {
    this.ib = new IBApi({ host, port, maxReqPerSec });
    const notice = (code: number | undefined, message: string, reqId: number | undefined) => {
      const n = { code: code ?? 0, message, reqId: reqId ?? -1 };
      this.onNotice(n);
      const p = reqId !== undefined && reqId >= 0 ? this.pending.get(reqId) : undefined;
      if (p && !endsNoRequest(n.code)) p.reject(new GatewayRequestError(n.code, n.reqId, message));
    };
    this.ib.on(EventName.error, (err: Error, code: number, reqId: number) =>
      notice(code, err.message, reqId),
    );
    this.ib.on(EventName.info, (message: string, code: number) => notice(code, message, -1));
    this.ib.on(EventName.disconnected, () => {
      const wasConnected = this.connected;
      this.connected = false;
      for (const [, p] of this.pending)
        p.reject(new GatewayDisconnected("the gateway closed the connection"));
      this.pending.clear();
      if (wasConnected) this.onClose("socket closed");
    });
    this.ib.on(
      EventName.orderStatus,
      (orderId, status, filled, remaining, avgFillPrice, permId, _parentId, lastFillPrice) =>
        this.orderEvents.status(
          orderId,
          String(status),
          Number(filled),
          Number(remaining),
          avgFillPrice ?? 0,
          permId ?? 0,
          lastFillPrice ?? 0,
        ),
    );
    this.ib.on(EventName.execDetails, (reqId, contract, execution) =>
      this.orderEvents.execution(executionReport(reqId, contract, execution)),
    );
    this.ib.on(EventName.openOrder, (orderId, contract, order, state) =>
      this.orderEvents.openOrder(openOrderReport(orderId, contract, order, state)),
    );
    this.ib.on(EventName.commissionReport, (report) =>
      this.orderEvents.commission(
        report.execId ?? "",
        report.commission ?? 0,
        report.currency ?? "USD",
        priceOrNull(report.realizedPNL ?? undefined),
      ),
    );
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Connect with `clientId`; resolves on next valid id, rejects on 326 or timeout. */
  connect(clientId: number, timeoutMs: number): Promise<ConnectInfo> {
    return new Promise((resolve, reject) => {
      let accounts: string[] = [];
      const timer = setTimeout(
        () => finish(new GatewayTimeout(`connect to ${this.host}:${this.port}`, timeoutMs)),
        timeoutMs,
      );
      const onAccounts = (list: string) => {
        accounts = list.split(",").filter(Boolean);
      };
      const onId = (id: number) => {
        this.nextOrderId = id;
        this.connected = true;
        finish(null);
      };
      const onInfo = (message: string, code: number) => {
        if (code === 326) finish(new GatewayRequestError(326, -1, message));
      };
      const onDisconnect = () =>
        finish(
          new GatewayDisconnected(
            `the gateway at ${this.host}:${this.port} closed the connection during the handshake`,
          ),
        );
      const onError = (err: Error, code: number) => {
        if (code === 502 || code === 504 || code === 326)
          finish(new GatewayRequestError(code, -1, err.message));
      };
      const finish = (error: Error | null) => {
        clearTimeout(timer);
        this.ib
          .off(EventName.managedAccounts, onAccounts)
          .off(EventName.nextValidId, onId)
          .off(EventName.info, onInfo);
        this.ib.off(EventName.disconnected, onDisconnect).off(EventName.error, onError);
        if (error) {
          this.ib.disconnect();
          reject(error);
        } else
          resolve({ accounts, nextOrderId: this.nextOrderId, serverVersion: this.ib.serverVersion ?? 0 });
      };
      this.ib
        .on(EventName.managedAccounts, onAccounts)
        .on(EventName.nextValidId, onId)
        .on(EventName.info, onInfo);
      this.ib.on(EventName.disconnected, onDisconnect).on(EventName.error, onError);
      this.ib.connect(clientId);
    });
  }

  disconnect(): void {
    this.connected = false;
    this.ib.disconnect();
  }

  /** One request with a timeout that cancels it, and rejection on a gateway error for its id. */
  protected request<T>(
    what: string,
    timeoutMs: number,
    start: (reqId: number, resolve: (value: T) => void) => () => void,
    cancel?: (reqId: number) => void,
  ): Promise<T> {
    const reqId = this.nextReqId++;
    return new Promise<T>((resolve, reject) => {
      let detach: () => void = () => {};
      const finish = () => {
        clearTimeout(timer);
        this.pending.delete(reqId);
        detach();
      };
      const timer = setTimeout(() => {
        finish();
        cancel?.(reqId);
        reject(new GatewayTimeout(what, timeoutMs));
      }, timeoutMs);
      this.pending.set(reqId, {
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      detach = start(reqId, (value) => {
        finish();
        resolve(value);
      });
    });
  }
}
