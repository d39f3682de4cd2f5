/**
 * The day's hours from the gateway: each symbol's contract details (`liquidHours`, `tradingHours`,
 * `timeZoneId`) asked for at session open and journaled as `TradingHoursReceived`. The cycle's
 * trading-hours check reads them (a 13:00 close ends trading at 13:00, not 16:00), the strategy
 * gets the day's session through its input, and a replay reads the same events.
 *
 * Where the gateway gave no hours (a timeout, an error, text that covers no such day), the day is
 * 09:30–16:00 New York, Monday to Friday: what live checked before it asked.
 */
import type { Logger } from "pino";
import {
  type DayHours,
  dayHoursOf,
  defaultDayHours,
  describeDayHours,
  isWithinHours,
  type NewEvent,
  type PayloadOf,
  parseHours,
  type SessionId,
} from "../events/index.js";
import { type GatewayClient, GatewayRequestError, GatewayTimeout } from "./gateway.js";

/** On a closed day a bot left running comes back this long before the next session's open. */
const WAKE_BEFORE_OPEN_MS = 10 * 60_000;
/** Timers hold at most 2^31 − 1 ms (about 24 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The gateway's hours say none of the symbols trades today (a holiday, a weekend): no session is
 * opened and nothing is journaled. `next` is the next session the hours list, if any.
 */
export class MarketClosedToday extends Error {
  readonly code = "MARKET_CLOSED";
  constructor(
    message: string,
    readonly next: DayHours | undefined,
  ) {
    super(message);
  }

  /** How long to wait at `nowMs` to be back shortly before the next open; null when none is known. */
  waitMs(nowMs: number): number | null {
    if (this.next?.openMs == null) return null;
    return Math.min(MAX_TIMER_MS, Math.max(60_000, this.next.openMs - WAKE_BEFORE_OPEN_MS - nowMs));
  }
}

export class SessionHours {
  private readonly bySymbol = new Map<string, PayloadOf<"TradingHoursReceived">>();

  constructor(private readonly logger: Logger) {}

  /**
   * Ask for each symbol's hours, `pauseMs` apart (alpha: one symbol at a time). Returns the events
   * to journal; a symbol whose request failed is left out (its days are the default ones).
   */
  async fetch(
    gateway: GatewayClient,
    symbols: readonly string[],
    timeoutMs: number,
    pauseMs: number,
    now: () => number,
    sleep: (ms: number) => Promise<void>,
  ): Promise<NewEvent[]> {
    const events: NewEvent[] = [];
    for (const [i, symbol] of symbols.entries()) {
      if (i > 0) await sleep(pauseMs);
      const requestedAtMs = now();
      try {
        const answer = await gateway.contractHours(symbol, timeoutMs);
        const payload: PayloadOf<"TradingHoursReceived"> = {
          symbol,
          conId: answer.conId,
          timeZoneId: answer.timeZoneId,
          tradingHours: answer.tradingHours,
          liquidHours: answer.liquidHours,
          timing: { reqId: answer.reqId, requestedAtMs, latencyMs: now() - requestedAtMs },
        };
        const { problems } = parseHours(payload.liquidHours, payload.timeZoneId);
        if (problems.length > 0)
          this.logger.warn(
            { symbol, problems },
            "the gateway's liquid hours have entries the bot cannot read",
          );
        this.remember(payload);
        events.push({ type: "TradingHoursReceived", version: 1, ts: now(), payload });
      } catch (error) {
        if (!(error instanceof GatewayTimeout || error instanceof GatewayRequestError)) throw error;
        this.logger.warn(
          { symbol, err: error.message },
          "no trading hours from the gateway: trading 09:30–16:00 New York, Monday to Friday, for this symbol",
        );
      }
    }
    return events;
  }

  /** Hours journaled earlier in the session (a restart). */
  remember(payload: PayloadOf<"TradingHoursReceived">): void {
    this.bySymbol.set(payload.symbol, payload);
  }

  /** The regular session of `symbol` on `date`. */
  day(symbol: string, date: SessionId): DayHours {
    const known = this.bySymbol.get(symbol);
    return (known && dayHoursOf(known, date)) ?? defaultDayHours(date);
  }

  /** True when the gateway's hours say no symbol opens on `date` (a holiday, a weekend). */
  closedOn(symbols: readonly string[], date: SessionId): boolean {
    return symbols.every((symbol) => this.day(symbol, date).openMs === null);
  }

  /** Why there is no session on `date`, naming the next one. */
  closedToday(symbols: readonly string[], date: SessionId): MarketClosedToday {
    const next = this.nextSession(symbols, date);
    return new MarketClosedToday(
      `the gateway's liquid hours say ${symbols.join(", ")} do${symbols.length === 1 ? "es" : ""} not trade on ${date} (a holiday or a weekend): no session opened, nothing journaled${next ? `; the next session is ${next.session}, ${describeDayHours(next)}` : ""} — start journal live again then`,
      next,
    );
  }

  /** The first day after `date` that one of the symbols trades, by the gateway's hours (undefined past them). */
  nextSession(symbols: readonly string[], date: SessionId): DayHours | undefined {
    const later = symbols.flatMap((symbol) => {
      const known = this.bySymbol.get(symbol);
      const spans = known ? parseHours(known.liquidHours, known.timeZoneId).spans : [];
      return spans.filter((span) => span.session > date).map((span) => ({ symbol, span }));
    });
    const first = later.sort((a, b) => a.span.openMs - b.span.openMs)[0];
    return first && this.day(first.symbol, first.span.session);
  }

  /** The first symbol's session on `date` that is open at `timeMs`, or undefined when none is. */
  openAt(symbols: readonly string[], date: SessionId, timeMs: number): DayHours | undefined {
    return symbols.map((symbol) => this.day(symbol, date)).find((hours) => isWithinHours(hours, timeMs));
  }
}
