/**
 * The cycle's market data for one symbol: 1-minute RTH bars, the option chain (once per session),
 * an underlying snapshot and snapshots of the near-the-money options plus every option the book
 * holds. Each answer is journaled as it arrives; the strategy sees it through the session's
 * listeners. Snapshots only, never streaming (alpha: streaming overflowed the gateway's buffer).
 */
import type { Logger } from "pino";
import {
  type Contract,
  contractKey,
  LIVE_STREAM,
  type MarketDataType,
  type OptionContract,
  type PayloadOf,
} from "../events/index.js";
import type { BookState } from "../projections/index.js";
import { LIMITS, type LiveConfig } from "./config.js";
import { type GatewayClient, GatewayRequestError, GatewayTimeout } from "./gateway.js";
import type { LiveSession } from "./live-session.js";
import type { MarketDataChoice } from "./market-data-type.js";

/** Requests, errors and timeouts of one cycle (journaled in CycleCompleted). */
export interface CycleCounts {
  requests: number;
  errors: number;
  timeouts: number;
}

export class MarketDataGatherer {
  private readonly chains = new Map<string, PayloadOf<"OptionChainReceived">>();
  /** The kind of data of each contract's last quote, by contract key (the risk rules read it). */
  private readonly quotedAs = new Map<string, MarketDataType>();
  private pacingStrikes = 0;
  private pacingUntil = 0;

  constructor(
    private readonly config: LiveConfig,
    private readonly session: LiveSession,
    private readonly logger: Logger,
    private readonly choice: MarketDataChoice,
  ) {}

  /** The kind of data the contract's last quote was (live, delayed, frozen…); undefined before one. */
  marketDataOf(key: string): MarketDataType | undefined {
    return this.quotedAs.get(key);
  }

  /** A chain seen earlier in the session (restart: chains are not fetched twice). */
  rememberChain(chain: PayloadOf<"OptionChainReceived">): void {
    this.chains.set(chain.symbol, chain);
  }

  /** Gather and journal one symbol's market data; `held` are the options the book holds. */
  async gather(
    gateway: GatewayClient,
    symbol: string,
    held: readonly OptionContract[],
    counts: CycleCounts,
  ): Promise<void> {
    const timeout = this.config.requestTimeoutSeconds * 1000;
    const stock: Contract = { secType: "STK", symbol, exchange: "SMART", currency: "USD" };
    const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
      counts.requests += 1;
      const requestedAtMs = this.session.now();
      try {
        return await fn();
      } catch (error) {
        if (error instanceof GatewayTimeout) counts.timeouts += 1;
        else counts.errors += 1;
        if (error instanceof GatewayRequestError && (error.code === 162 || error.code === 100))
          this.backOffPacing();
        this.logger.warn({ symbol, what, requestedAtMs, err: (error as Error).message }, "request failed");
        if (!(error instanceof GatewayTimeout || error instanceof GatewayRequestError)) throw error;
        return null;
      }
    };

    // Bars: 1-minute, RTH only, at most one hour (alpha: longer requests timed out).
    if (performance.now() < this.pacingUntil) {
      this.logger.info(
        { symbol, resumeInMs: Math.round(this.pacingUntil - performance.now()) },
        "historical requests paused after a pacing violation",
      );
    } else {
      const start = this.session.now();
      const bars = await attempt("bars", () =>
        gateway.historicalBars(stock, this.config.historySeconds, timeout),
      );
      if (bars) {
        this.pacingStrikes = 0;
        this.session.record([
          {
            type: "BarsReceived",
            version: 1,
            ts: this.session.now(),
            payload: {
              contract: stock,
              barSize: "1 min",
              whatToShow: "TRADES",
              useRth: true,
              timing: { reqId: bars.reqId, requestedAtMs: start, latencyMs: this.session.now() - start },
              bars: bars.bars.slice(-1000),
            },
          },
        ]);
      }
    }

    // The chain once per session (it does not change intraday).
    if (!this.chains.has(symbol)) {
      const start = this.session.now();
      const conId = await attempt("contract details", () => gateway.stockConId(symbol, timeout));
      const chain =
        conId === null
          ? null
          : await attempt("option chain", () => gateway.optionChain(symbol, conId, timeout));
      if (chain && conId !== null) {
        const payload: PayloadOf<"OptionChainReceived"> = {
          symbol,
          underlyingConId: conId,
          exchange: chain.exchange,
          tradingClass: chain.tradingClass,
          multiplier: chain.multiplier,
          expirations: chain.expirations,
          strikes: chain.strikes,
          timing: { reqId: chain.reqId, requestedAtMs: start, latencyMs: this.session.now() - start },
        };
        this.chains.set(symbol, payload);
        this.session.record([{ type: "OptionChainReceived", version: 1, ts: this.session.now(), payload }]);
      }
    }

    const underlying = await this.snapshot(gateway, stock, counts);
    const spot = underlying?.lastUsd ?? midOf(underlying) ?? null;
    const chain = this.chains.get(symbol);
    const options =
      spot !== null && chain
        ? snapshotSet(chain, spot, this.config.strikes, this.config.minDaysToExpiry, this.session.id!, held)
        : held;
    await Promise.all(options.map((contract) => this.snapshot(gateway, contract, counts)));
  }

  private async snapshot(
    gateway: GatewayClient,
    contract: Contract,
    counts: CycleCounts,
    retry = true,
  ): Promise<PayloadOf<"QuoteSnapshot"> | null> {
    const timeout = this.config.requestTimeoutSeconds * 1000;
    const start = this.session.now();
    const askedAs = this.choice.requested;
    counts.requests += 1;
    try {
      const { reqId, result } = await gateway.snapshot(contract, timeout);
      if (!result.complete) counts.timeouts += 1;
      const { marketData, ...quote } = result;
      const payload: PayloadOf<"QuoteSnapshot"> = {
        contract,
        ...quote,
        greeks: contract.secType === "OPT" ? result.greeks : null,
        timing: { reqId, requestedAtMs: start, latencyMs: this.session.now() - start },
        // What the gateway said it sent; with nothing at all, what was asked for.
        marketData: marketData ?? (askedAs === 3 ? "delayed" : "live"),
      };
      this.quotedAs.set(contractKey(contract), payload.marketData!);
      // An unanswered snapshot is journaled too, as an incomplete quote with no prices: what live
      // knew (nothing) shows in v_quotes, and the strategy and a replay see the same gap.
      this.session.record([{ type: "QuoteSnapshot", version: 1, ts: this.session.now(), payload }]);
      return payload;
    } catch (error) {
      counts.errors += 1;
      if (!(error instanceof GatewayRequestError || error instanceof GatewayTimeout)) throw error;
      // Refused for want of a real-time subscription, and the bot has just switched to delayed.
      if (retry && error instanceof GatewayRequestError && this.choice.worthRetrying(askedAs, error.code))
        return this.snapshot(gateway, contract, counts, false);
      return null;
    }
  }

  /** Back off historical requests after a pacing violation: exponential, with jitter. */
  private backOffPacing(): void {
    const { pacingBackoffSeconds, maxBackoffSeconds } = this.config;
    this.pacingStrikes += 1;
    const base = Math.min(maxBackoffSeconds, pacingBackoffSeconds * 2 ** (this.pacingStrikes - 1)) * 1000;
    this.pacingUntil = performance.now() + base * (0.5 + Math.random() / 2);
  }
}

/** Options the live book holds: their snapshots are always taken, so exits can be priced. */
export function heldOptions(book: BookState): OptionContract[] {
  const held: OptionContract[] = [];
  for (const p of book.positions.byKey.values())
    if (p.stream === LIVE_STREAM && p.quantity !== 0 && p.contract.secType === "OPT") held.push(p.contract);
  return held;
}

function midOf(quote: PayloadOf<"QuoteSnapshot"> | null): number | null {
  if (!quote || quote.bidUsd === null || quote.askUsd === null) return null;
  return (quote.bidUsd + quote.askUsd) / 2;
}

/**
 * The options to snapshot: every option the book holds (its exit must be priced), then calls and
 * puts of the strikes nearest the spot: `strikes` strike lines (expiry and strike) in all and
 * never more than the alpha's limit of 5, the held ones counted first.
 */
export function snapshotSet(
  chain: PayloadOf<"OptionChainReceived">,
  spot: number,
  strikes: number,
  minDays: number,
  session: string,
  held: readonly OptionContract[],
): OptionContract[] {
  const heldHere = held.filter((c) => c.symbol === chain.symbol);
  const line = (c: OptionContract) => `${c.expiry} ${c.strike}`;
  const heldLines = new Set(heldHere.map(line));
  const budget = Math.min(strikes, LIMITS.maxStrikes.value);
  const near = pickOptions(chain, spot, budget, minDays, session).filter((c) => !heldLines.has(line(c)));
  const nearStrikes = [...new Set(near.map((c) => c.strike))]
    .sort((a, b) => Math.abs(a - spot) - Math.abs(b - spot) || a - b)
    .slice(0, Math.max(0, budget - heldLines.size));
  const out = new Map<string, OptionContract>();
  for (const c of [...heldHere, ...near.filter((o) => nearStrikes.includes(o.strike))])
    out.set(contractKey(c), c);
  return [...out.values()];
}

/** The nearest expiry at least `minDays` out, and the `strikes` strikes nearest the spot, call and put each. */
export function pickOptions(
  chain: PayloadOf<"OptionChainReceived">,
  spot: number,
  strikes: number,
  minDays: number,
  session: string,
): OptionContract[] {
  const today = Number(session.replaceAll("-", ""));
  const [y, m, d] = session.split("-").map(Number) as [number, number, number];
  const earliest = Number(
    new Date(Date.UTC(y, m - 1, d + minDays)).toISOString().slice(0, 10).replaceAll("-", ""),
  );
  const expiry = chain.expirations.find((e) => Number(e) >= Math.max(today, earliest));
  if (!expiry) return [];
  const nearest = [...chain.strikes]
    .sort((a, b) => Math.abs(a - spot) - Math.abs(b - spot) || a - b)
    .slice(0, strikes)
    .sort((a, b) => a - b);
  return nearest.flatMap((strike) =>
    (["C", "P"] as const).map((right) => ({
      secType: "OPT" as const,
      symbol: chain.symbol,
      expiry,
      strike,
      right,
      multiplier: chain.multiplier,
      exchange: "SMART",
      currency: "USD",
    })),
  );
}
