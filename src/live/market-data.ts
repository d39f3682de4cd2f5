/**
 * The cycle's market data for one symbol: 1-minute RTH bars, the option chain (once per session),
 * an underlying snapshot and snapshots of the near-the-money options plus every option the book
 * holds. The near strikes are those the chosen expiry lists (its own contract details, once per
 * expiry per session): the chain's strikes are the union over all expiries, and a strike an expiry
 * does not list is IB's error 200 — journaled as the gateway's notice, and that strike skipped for
 * the rest of the session. Each answer is journaled as it arrives; the strategy sees it through the session's
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
import { type LocalTime, MACHINE_TIME } from "./local-time.js";
import type { MarketDataChoice } from "./market-data-type.js";

/** Requests, errors and timeouts of one cycle (journaled in CycleCompleted). */
export interface CycleCounts {
  requests: number;
  errors: number;
  timeouts: number;
}

export class MarketDataGatherer {
  private readonly chains = new Map<string, PayloadOf<"OptionChainReceived">>();
  /** The strikes each expiry lists, by `SYMBOL EXPIRY` (from OptionStrikesReceived). */
  private readonly listed = new Map<string, readonly number[]>();
  /** Strikes the gateway answered 200 for, by `SYMBOL EXPIRY`: not asked for again this session. */
  private readonly unlisted = new Map<string, Set<number>>();
  /** The kind of data of each contract's last quote, by contract key (the risk rules read it). */
  private readonly quotedAs = new Map<string, MarketDataType>();
  private pacingStrikes = 0;
  private pacingUntil = 0;
  /** The code of the last pacing violation (162, or 100 for too many messages). */
  private pacingCode = 162;

  constructor(
    private readonly config: LiveConfig,
    private readonly session: LiveSession,
    private readonly logger: Logger,
    private readonly choice: MarketDataChoice,
    private readonly time: LocalTime = MACHINE_TIME,
  ) {}

  /** The kind of data the contract's last quote was (live, delayed, frozen…); undefined before one. */
  marketDataOf(key: string): MarketDataType | undefined {
    return this.quotedAs.get(key);
  }

  /** A chain seen earlier in the session (restart: chains are not fetched twice). */
  rememberChain(chain: PayloadOf<"OptionChainReceived">): void {
    this.chains.set(chain.symbol, chain);
  }

  /** An expiry's strikes seen earlier in the session (restart: not fetched twice). */
  rememberStrikes(strikes: PayloadOf<"OptionStrikesReceived">): void {
    this.listed.set(`${strikes.symbol} ${strikes.expiry}`, strikes.strikes);
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
        if (error instanceof GatewayRequestError && isPacing(error)) this.backOffPacing(error.code);
        this.logger.warn({ symbol, what, requestedAtMs, err: (error as Error).message }, "request failed");
        if (!(error instanceof GatewayTimeout || error instanceof GatewayRequestError)) throw error;
        return null;
      }
    };

    // Bars: 1-minute, RTH only, at most one hour (alpha: longer requests timed out).
    const resumeInMs = this.pacingUntil - this.time.nowMs();
    if (resumeInMs > 0) {
      this.logger.info(
        { symbol, resumeInMs: Math.round(resumeInMs) },
        "historical requests paused after a pacing violation",
      );
      // Journaled, not only logged: the strategy is told, and the cycle is marked degraded.
      this.session.record([
        {
          type: "RequestSkipped",
          version: 1,
          ts: this.session.now(),
          payload: {
            symbol,
            request: "bars",
            reason: `paused after pacing violation ${this.pacingCode}`,
            code: this.pacingCode,
            untilMs: Math.round(this.session.now() + resumeInMs),
          },
        },
      ]);
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
    const { minDaysToExpiry } = this.config;
    const expiry = chain ? nearestExpiry(chain, minDaysToExpiry, this.session.id!) : undefined;
    const listed =
      chain && expiry && spot !== null
        ? await this.strikesOf(symbol, expiry, chain, () =>
            attempt("expiry strikes", () => gateway.optionStrikes(symbol, expiry, timeout)),
          )
        : undefined;
    const options =
      spot !== null && chain
        ? snapshotSet(chain, spot, this.config.strikes, minDaysToExpiry, this.session.id!, held, listed)
        : held;
    await Promise.all(options.map((contract) => this.snapshot(gateway, contract, counts)));
  }

  /**
   * The strikes `expiry` lists, less those the gateway refused: asked for once per expiry per session
   * and journaled. Without an answer (a timeout, an error) the chain's strikes stand in this cycle,
   * and the next cycle asks again.
   */
  private async strikesOf(
    symbol: string,
    expiry: string,
    chain: PayloadOf<"OptionChainReceived">,
    ask: () => Promise<{ reqId: number; strikes: number[] } | null>,
  ): Promise<readonly number[]> {
    const key = `${symbol} ${expiry}`;
    let strikes = this.listed.get(key);
    if (!strikes) {
      const start = this.session.now();
      const answer = await ask();
      if (answer) {
        const payload: PayloadOf<"OptionStrikesReceived"> = {
          symbol,
          expiry,
          strikes: answer.strikes,
          timing: { reqId: answer.reqId, requestedAtMs: start, latencyMs: this.session.now() - start },
        };
        this.session.record([{ type: "OptionStrikesReceived", version: 1, ts: this.session.now(), payload }]);
        this.listed.set(key, answer.strikes);
        strikes = answer.strikes;
      }
    }
    const refused = this.unlisted.get(key);
    const known = strikes ?? chain.strikes;
    return refused ? known.filter((k) => !refused.has(k)) : known;
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
      if (error instanceof GatewayRequestError && error.code === 200 && contract.secType === "OPT")
        this.skipStrike(contract);
      // Refused for want of a real-time subscription, and the bot has just switched to delayed.
      if (retry && error instanceof GatewayRequestError && this.choice.worthRetrying(askedAs, error.code))
        return this.snapshot(gateway, contract, counts, false);
      return null;
    }
  }

  /** The gateway has no such contract (200, journaled as its notice): that strike of that expiry is not asked for again. */
  private skipStrike(contract: OptionContract): void {
    const key = `${contract.symbol} ${contract.expiry}`;
    const refused = this.unlisted.get(key) ?? new Set<number>();
    refused.add(contract.strike);
    this.unlisted.set(key, refused);
    this.logger.warn(
      { contract: contractKey(contract) },
      "the gateway lists no such option (200): strike skipped for the rest of the session",
    );
  }

  /** Back off historical requests after a pacing violation: exponential, with jitter. */
  private backOffPacing(code: number): void {
    const { pacingBackoffSeconds, maxBackoffSeconds } = this.config;
    this.pacingStrikes += 1;
    this.pacingCode = code;
    const base = Math.min(maxBackoffSeconds, pacingBackoffSeconds * 2 ** (this.pacingStrikes - 1)) * 1000;
    // Local monotonic time: the gateway's pacing window is real time (a simulator's clock may run fast).
    this.pacingUntil = this.time.nowMs() + base * (0.5 + this.time.random() / 2);
  }
}

/**
 * A pacing error (100, or 162 saying "pacing violation"). HMDS also sends 162 for a window with no
 * bars ("HMDS query returned no data": before the open with useRTH) or a refused setting: no reason
 * to stop asking.
 */
function isPacing(error: GatewayRequestError): boolean {
  return error.code === 100 || (error.code === 162 && /pacing violation/i.test(error.message));
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
 * never more than the alpha's limit of 5, the held ones counted first. `listed`: the strikes the
 * chosen expiry lists (default: the chain's, the union over all expiries).
 */
export function snapshotSet(
  chain: PayloadOf<"OptionChainReceived">,
  spot: number,
  strikes: number,
  minDays: number,
  session: string,
  held: readonly OptionContract[],
  listed?: readonly number[],
): OptionContract[] {
  const heldHere = held.filter((c) => c.symbol === chain.symbol);
  const line = (c: OptionContract) => `${c.expiry} ${c.strike}`;
  const heldLines = new Set(heldHere.map(line));
  const budget = Math.min(strikes, LIMITS.maxStrikes.value);
  const near = pickOptions(chain, spot, budget, minDays, session, listed).filter(
    (c) => !heldLines.has(line(c)),
  );
  const nearStrikes = [...new Set(near.map((c) => c.strike))]
    .sort((a, b) => Math.abs(a - spot) - Math.abs(b - spot) || a - b)
    .slice(0, Math.max(0, budget - heldLines.size));
  const out = new Map<string, OptionContract>();
  for (const c of [...heldHere, ...near.filter((o) => nearStrikes.includes(o.strike))])
    out.set(contractKey(c), c);
  return [...out.values()];
}

/** The nearest expiry of the chain at least `minDays` calendar days after `session`. */
export function nearestExpiry(
  chain: PayloadOf<"OptionChainReceived">,
  minDays: number,
  session: string,
): string | undefined {
  const today = Number(session.replaceAll("-", ""));
  const [y, m, d] = session.split("-").map(Number) as [number, number, number];
  const earliest = Number(
    new Date(Date.UTC(y, m - 1, d + minDays)).toISOString().slice(0, 10).replaceAll("-", ""),
  );
  return chain.expirations.find((e) => Number(e) >= Math.max(today, earliest));
}

/**
 * The nearest expiry at least `minDays` out, and the `strikes` strikes nearest the spot, call and
 * put each, from `listed` (the expiry's own strikes; default the chain's).
 */
export function pickOptions(
  chain: PayloadOf<"OptionChainReceived">,
  spot: number,
  strikes: number,
  minDays: number,
  session: string,
  listed: readonly number[] = chain.strikes,
): OptionContract[] {
  const expiry = nearestExpiry(chain, minDays, session);
  if (!expiry) return [];
  const nearest = [...listed]
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
