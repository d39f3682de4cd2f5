/**
 * Which market data the bot asks for (config `marketData`). Many accounts have no real-time
 * subscription for options (OPRA): IB then answers a snapshot with 354 (or 10089/10090/10167/
 * 10168), and sends delayed data only after `reqMarketDataType(3)`.
 *
 * - `live`: real time only (IB's default type 1); a request it is not subscribed for fails.
 * - `delayed`: type 3 on every connection (IB keeps the type per connection): real time where
 *   subscribed, delayed where not.
 * - `auto` (default): real time first; the first code saying it is not subscribed switches the
 *   connection to delayed, journaled as a notice (code −1, the bot's own), and the requests it
 *   failed are asked again once.
 *
 * Every quote records the kind it is (`QuoteSnapshot.marketData`), and the risk rules refuse
 * orders on anything but real time unless `risk.allowDelayedData` (paper only).
 */
import type { Logger } from "pino";
import type { GatewayClient, GatewayNotice } from "./gateway.js";
import type { LiveSession } from "./live-session.js";

/** The codes by which IB says real-time data is not subscribed for a request. */
export const NOT_SUBSCRIBED_CODES: ReadonlySet<number> = new Set([354, 10089, 10090, 10167, 10168]);

export type MarketDataSetting = "live" | "delayed" | "auto";

export class MarketDataChoice {
  private type: 1 | 3;
  private warnedLiveOnly = false;

  constructor(
    private readonly setting: MarketDataSetting,
    private readonly session: LiveSession,
    private readonly logger: Logger,
  ) {
    this.type = setting === "delayed" ? 3 : 1;
  }

  /** IB's type number snapshots are asked with now (1 real time, 3 delayed where not subscribed). */
  get requested(): 1 | 3 {
    return this.type;
  }

  /**
   * After every connect. Real time is IB's default and is not asked for, so a subscribed account
   * sends what it always sent; delayed is asked again, as IB forgets it with the connection.
   */
  connected(gateway: GatewayClient): void {
    if (this.type === 3) gateway.requestMarketDataType(3);
  }

  /**
   * A gateway notice, after it was journaled. In `auto`, the first that says real time is not
   * subscribed switches to delayed (journaled); returns true when it did.
   */
  noticed(notice: GatewayNotice, gateway: GatewayClient | null): boolean {
    if (!NOT_SUBSCRIBED_CODES.has(notice.code) || this.type === 3) return false;
    if (this.setting === "live") {
      if (!this.warnedLiveOnly)
        this.logger.warn(
          { code: notice.code, reqId: notice.reqId },
          "real-time market data is not subscribed and marketData is live: quotes fail; subscribe, or set marketData: auto (or delayed)",
        );
      this.warnedLiveOnly = true;
      return false;
    }
    this.type = 3;
    gateway?.requestMarketDataType(3);
    const message = `market data: real time is not subscribed (gateway code ${notice.code} on request ${notice.reqId}); asking for delayed data (reqMarketDataType 3) from now on. Quotes are marked delayed, and orders on them are refused unless risk.allowDelayedData (paper only)`;
    this.logger.warn({ code: notice.code, reqId: notice.reqId }, message);
    this.session.record([
      {
        type: "GatewayNotice",
        version: 2,
        ts: this.session.now(),
        payload: { code: -1, message, reqId: notice.reqId, severity: "warning" },
      },
    ]);
    return true;
  }

  /** True when a request asked as `askedAs` failed for want of a subscription that delayed data now covers. */
  worthRetrying(askedAs: 1 | 3, code: number): boolean {
    return askedAs === 1 && this.type === 3 && NOT_SUBSCRIBED_CODES.has(code);
  }
}
