/**
 * The events of a live session's life, built from what the bot knows: opened (mode and where it
 * came from), connected, a gateway notice, closed. Pure builders; the bot records them.
 */
import { type NewEvent, noticeSeverity, type PayloadOf } from "../events/index.js";
import { type AnyStrategy, strategyRef } from "../strategy/index.js";
import type { TradingMode } from "./account-guard.js";
import { configHash, type LiveConfig, type ModeSources } from "./config.js";
import type { GatewayConnection } from "./connection.js";
import type { GatewayNotice } from "./gateway.js";

/** What `SessionOpened` says of the run. */
export interface OpenedRun {
  readonly config: LiveConfig;
  readonly mode: TradingMode;
  readonly modeSources: ModeSources;
  readonly strategy: AnyStrategy;
  readonly params: Record<string, unknown>;
  readonly codeVersion: string;
}

export function sessionOpened(run: OpenedRun, connection: GatewayConnection, ts: number): NewEvent {
  const { config } = run;
  return {
    type: "SessionOpened",
    version: 1,
    ts,
    payload: {
      mode: run.mode,
      modeSources: { ...run.modeSources },
      strategy: strategyRef(run.strategy),
      params: run.params,
      configHash: configHash(config),
      codeVersion: run.codeVersion,
      symbols: config.symbols,
      gateway: {
        host: config.gateway.host,
        port: config.gateway.port,
        clientId: connection.clientId,
        simulator: connection.simulator,
      },
      accounts: connection.accounts,
      risk: config.risk,
      marketData: config.marketData,
      strategyDeadlineMs: config.strategy.deadlineMs,
      cycleSeconds: config.intervalSeconds,
    },
  };
}

export function gatewayConnected(config: LiveConfig, connection: GatewayConnection, ts: number): NewEvent {
  return {
    type: "GatewayConnected",
    version: 1,
    ts,
    payload: {
      host: config.gateway.host,
      port: config.gateway.port,
      clientId: connection.clientId,
      serverVersion: connection.serverVersion,
      accounts: connection.accounts,
      simulator: connection.simulator,
      attempt: connection.attempts,
    },
  };
}

export function gatewayNotice(notice: GatewayNotice, ts: number): NewEvent {
  return {
    type: "GatewayNotice",
    version: 2,
    ts,
    payload: {
      code: notice.code,
      message: notice.message,
      reqId: notice.reqId,
      severity: noticeSeverity(notice.code),
    },
  };
}

export function sessionClosed(
  reason: PayloadOf<"SessionClosed">["reason"],
  cycles: number,
  ts: number,
  detail?: string,
): NewEvent {
  return {
    type: "SessionClosed",
    version: 1,
    ts,
    payload: { reason, cycles, ...(detail === undefined ? {} : { detail }) },
  };
}
