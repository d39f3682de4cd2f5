/**
 * Which journaled events a person should hear about, and in what words. Alerts are reactions to
 * what was journaled (record before you react): a fill, a loss-limit refusal, a mismatch, a
 * pacing notice, 1100/1101/1102 are turned into alerts after they are on disk. Pure: the state is
 * the dedup of one run (a mismatch or a loss limit repeats every cycle it holds; a person wants
 * to hear it once, and again only after it cleared).
 */
import { type AlertKind, contractKey, type PayloadOf, type StoredEvent } from "../events/index.js";

/** How urgent an alert is (ntfy priority, the generic JSON's `severity`). */
export type AlertSeverity = "info" | "warning" | "critical";

/** One message for a person, whatever the webhook's format. */
export interface Alert {
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  /** One line: what happened. */
  readonly title: string;
  /** A few lines: the detail and what to do. */
  readonly text: string;
  /** The trading session (`YYYY-MM-DD`). */
  readonly session: string;
  /** When it happened, epoch ms (the gateway's clock). */
  readonly ts: number;
  /** The journaled event it is about, when there is one. */
  readonly eventId?: string;
  /** Machine-readable facts (the generic JSON's `details`). */
  readonly details: Readonly<Record<string, unknown>>;
}

/** What a run has already said (so a condition is told once until it clears). */
export interface AlertRulesState {
  readonly mismatch: boolean;
  readonly lossLimit: boolean;
  /** A pacing violation seen and no bars received since: the backoff is under way. */
  readonly pacing: boolean;
}

export const INITIAL_ALERT_RULES: AlertRulesState = { mismatch: false, lossLimit: false, pacing: false };

/** Pacing violations (162 historical, 100 message rate): the bot backs off its requests. */
const PACING_CODES: ReadonlySet<number> = new Set([162, 100]);

/** The alerts one journaled event raises, and the state after it. */
export function alertsOf(
  state: AlertRulesState,
  event: StoredEvent,
  label: string,
): { state: AlertRulesState; alerts: Alert[] } {
  const base = { session: event.session, ts: event.ts, eventId: event.id };
  const one = (alert: Omit<Alert, "session" | "ts" | "eventId">, next = state) => ({
    state: next,
    alerts: [{ ...base, ...alert, title: `${label}: ${alert.title}` }],
  });
  const none = (next = state) => ({ state: next, alerts: [] });
  switch (event.type) {
    case "SessionOpened": {
      const p = event.payload;
      return one({
        kind: "start",
        severity: "info",
        title: `started (${p.mode}) for ${event.session}`,
        text: `${p.strategy.name} ${p.strategy.version} on ${p.symbols.join(", ")}, gateway ${p.gateway.host}:${p.gateway.port}${p.gateway.simulator ? " (simulator)" : ""}, accounts ${(p.accounts ?? []).join(", ") || "?"}`,
        details: { mode: p.mode, strategy: p.strategy, symbols: p.symbols, accounts: p.accounts ?? [] },
      });
    }
    case "OrderFilled": {
      const p = event.payload;
      if (p.simulated) return none();
      return one({
        kind: "fill",
        severity: "info",
        title: `filled ${p.side} ${p.quantity} ${contractKey(p.contract)} @ ${p.priceUsd}`,
        text: `order #${p.orderId}, exec ${p.execId} on ${p.exchange}${p.recovered ? " (recovered after a reconnect)" : ""}`,
        details: fillDetails(p),
      });
    }
    case "OrderRefused": {
      if (event.payload.rule !== "daily-loss-limit" || state.lossLimit) return none();
      const { intent, detail } = event.payload;
      return one(
        {
          kind: "loss-limit",
          severity: "critical",
          title: "daily loss limit reached: entries refused",
          text: `${intent.side} ${intent.quantity} ${contractKey(intent.contract)} refused: ${detail}. Exits still go; no new entries this session (told once)`,
          details: { rule: "daily-loss-limit", detail, intent },
        },
        { ...state, lossLimit: true },
      );
    }
    case "PositionMismatch": {
      if (state.mismatch) return none();
      const p = event.payload;
      return one(
        {
          kind: "position-mismatch",
          severity: "critical",
          title: `position mismatch in ${p.account}${p.entriesHalted ? ": entries halted" : ""}`,
          text: `${p.diffs.map((d) => `${d.contractKey}: journal ${d.ours}, broker ${d.broker}`).join("; ")}. Find who changed the position; entries resume when the two agree (told again only after they did)`,
          details: { account: p.account, diffs: p.diffs, entriesHalted: p.entriesHalted },
        },
        { ...state, mismatch: true },
      );
    }
    case "PositionsAgreed":
      return none({ ...state, mismatch: false });
    case "BarsReceived":
      return state.pacing ? none({ ...state, pacing: false }) : none();
    case "GatewayNotice":
      return noticeAlert(state, event.payload, one, none);
    default:
      return none();
  }
}

function noticeAlert(
  state: AlertRulesState,
  notice: PayloadOf<"GatewayNotice">,
  one: (
    alert: Omit<Alert, "session" | "ts" | "eventId">,
    next?: AlertRulesState,
  ) => {
    state: AlertRulesState;
    alerts: Alert[];
  },
  none: (next?: AlertRulesState) => { state: AlertRulesState; alerts: Alert[] },
) {
  const details = { code: notice.code, message: notice.message };
  if (notice.code === 1100)
    return one({
      kind: "connectivity-lost",
      severity: "critical",
      title: "the gateway lost its connection to IB (1100)",
      text: `${notice.message} Cycles skip trading until it is restored (1101/1102).`,
      details,
    });
  if (notice.code === 1101 || notice.code === 1102)
    return one({
      kind: "connectivity-restored",
      severity: "info",
      title: `the gateway's connection to IB is restored (${notice.code})`,
      text: `${notice.message} Fills made meanwhile are asked for again.`,
      details,
    });
  if (PACING_CODES.has(notice.code) && !state.pacing)
    return one(
      {
        kind: "pacing",
        severity: "warning",
        title: `pacing violation (${notice.code}): historical requests back off`,
        text: `${notice.message} The bot pauses its bar requests (pacingBackoffSeconds, doubling); told again only after bars came back`,
        details,
      },
      { ...state, pacing: true },
    );
  return none();
}

function fillDetails(p: PayloadOf<"OrderFilled">): Record<string, unknown> {
  return {
    orderId: p.orderId,
    execId: p.execId,
    contract: contractKey(p.contract),
    side: p.side,
    quantity: p.quantity,
    priceUsd: p.priceUsd,
    orderRef: p.orderRef ?? null,
    recovered: p.recovered ?? false,
  };
}

/** The stop alert, told before `SessionClosed` is journaled (its delivery is journaled first). */
export function stopAlert(
  close: {
    reason: PayloadOf<"SessionClosed">["reason"];
    cycles: number;
    detail?: string | undefined;
    /** The day's session closed at New York midnight and the bot goes on with the next day's. */
    dayEnded?: boolean;
  },
  at: { session: string; ts: number },
  label: string,
): Alert {
  return {
    ...at,
    kind: "stop",
    severity: close.reason === "error" ? "critical" : "info",
    // Every midnight: not worded as a stop, which a trader's phone would wake them for.
    title: close.dayEnded
      ? `${label}: the day ${at.session} closed after ${close.cycles} cycle(s); the bot goes on with the next day's session`
      : `${label}: stopped (${close.reason}) after ${close.cycles} cycle(s)`,
    text: close.detail ?? (close.reason === "signal" ? "stopped by a signal" : "the session closed"),
    details: {
      reason: close.reason,
      cycles: close.cycles,
      ...(close.detail ? { detail: close.detail } : {}),
    },
  };
}

/** The gateway has not been reachable for `seconds` (no connection since `since`, an event id). */
export function unreachableAlert(
  gateway: { host: string; port: number },
  seconds: number,
  at: { session: string; ts: number; eventId?: string | undefined },
  label: string,
): Alert {
  return {
    session: at.session,
    ts: at.ts,
    ...(at.eventId === undefined ? {} : { eventId: at.eventId }),
    kind: "gateway-unreachable",
    severity: "critical",
    title: `${label}: the gateway at ${gateway.host}:${gateway.port} is unreachable for ${seconds} s`,
    text: "The bot keeps reconnecting with backoff and trades nothing meanwhile. Is IB Gateway running and logged in (its nightly restart, a 2FA prompt)?",
    details: { host: gateway.host, port: gateway.port, seconds },
  };
}

/** The gateway is back after an unreachable alert. */
export function reachableAlert(
  gateway: { host: string; port: number },
  downMs: number,
  at: { session: string; ts: number; eventId?: string | undefined },
  label: string,
): Alert {
  return {
    session: at.session,
    ts: at.ts,
    ...(at.eventId === undefined ? {} : { eventId: at.eventId }),
    kind: "gateway-reachable",
    severity: "info",
    title: `${label}: the gateway at ${gateway.host}:${gateway.port} is back after ${Math.round(downMs / 1000)} s`,
    text: "Connected again (a fresh client id); fills made meanwhile are asked for.",
    details: { host: gateway.host, port: gateway.port, downMs: Math.round(downMs) },
  };
}
