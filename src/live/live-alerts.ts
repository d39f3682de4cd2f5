/**
 * The bot's alerts: it listens to what the session journals (alert-rules.ts turns events into
 * alerts), times the gateway's absence, and hands each alert to every webhook's queue
 * (alert-queue.ts). Deliveries and failures are journaled as `AlertDelivered` / `AlertFailed`,
 * caused by the event the alert is about.
 *
 * Nothing is journaled after `SessionClosed`: at stop, the stop alert is queued and every queue
 * drained for at most `closeFlushSeconds` *before* the close is journaled; what has not gone out
 * by then is aborted and journaled as failed. So every alert has its outcome in the session, and
 * a hanging webhook delays a stop by that bound, never a cycle.
 */
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { PayloadOf, StoredEvent } from "../events/index.js";
import { type AlertsConfig, alertTargets } from "./alert-config.js";
import { type DeliveryReport, WebhookQueue } from "./alert-queue.js";
import {
  type Alert,
  type AlertRulesState,
  alertsOf,
  INITIAL_ALERT_RULES,
  reachableAlert,
  stopAlert,
  unreachableAlert,
} from "./alert-rules.js";
import type { LiveSession } from "./live-session.js";

export class LiveAlerts {
  private readonly queues: WebhookQueue[];
  private readonly wanted: ReadonlySet<string>;
  private readonly label = `ib-journal@${hostname()}`;
  private rules: AlertRulesState = INITIAL_ALERT_RULES;
  private session: LiveSession | null = null;
  /** Set once the close is near: alerts after it are logged, not sent or journaled. */
  private closed = false;
  private unreachable: { timer: NodeJS.Timeout | null; since: number; told: boolean } | null = null;

  constructor(
    private readonly config: AlertsConfig,
    private readonly gateway: { host: string; port: number },
    private readonly logger: Logger,
  ) {
    this.wanted = new Set(config.on);
    const report: DeliveryReport = {
      delivered: (target, alert, o) => {
        this.logger.info({ alert: alert.kind, webhook: target.masked, ...o }, "alert delivered");
        this.journal(alert, { type: "AlertDelivered", payload: { ...this.about(target, alert), ...o } });
      },
      failed: (target, alert, o) => {
        this.logger.warn({ alert: alert.kind, webhook: target.masked, ...o }, "alert not delivered");
        this.journal(alert, { type: "AlertFailed", payload: { ...this.about(target, alert), ...o } });
      },
    };
    this.queues = alertTargets(config).map((target) => new WebhookQueue(target, config, report));
    if (this.queues.length > 0)
      logger.info(
        { webhooks: this.queues.map((q) => `${q.target.format} ${q.target.masked}`), on: config.on },
        "alerts go to these webhooks",
      );
  }

  /** Listen to `session`: every journaled batch is checked for alerts. */
  attach(session: LiveSession): void {
    this.session = session;
    if (this.queues.length === 0) return;
    session.onRecorded((events) => {
      for (const event of events) this.observe(event);
    });
  }

  /**
   * Before `SessionClosed`: queue the stop alert, give every webhook up to `closeFlushSeconds`
   * (none when `urgent`), then abort and journal what is left.
   */
  async beforeClose(
    close: {
      reason: PayloadOf<"SessionClosed">["reason"];
      cycles: number;
      detail?: string | undefined;
      dayEnded?: boolean;
    },
    urgent: boolean,
  ): Promise<void> {
    this.clearUnreachable();
    if (this.queues.length === 0 || this.closed || !this.session?.id) return;
    this.send(stopAlert(close, { session: this.session.id, ts: this.session.now() }, this.label));
    const waitMs = urgent ? 0 : this.config.closeFlushSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    await Promise.race([Promise.all(this.queues.map((q) => q.idle())), deadline]);
    clearTimeout(timer);
    const why = `not delivered before the session closed (alerts.closeFlushSeconds ${this.config.closeFlushSeconds})`;
    await Promise.all(this.queues.map((q) => q.close(why)));
    this.closed = true;
  }

  /** On the way out whatever happened: abort any attempt still under way (nothing is journaled). */
  abandon(): void {
    this.clearUnreachable();
    this.closed = true;
    for (const q of this.queues) void q.close("the bot stopped");
  }

  private observe(event: StoredEvent): void {
    if (this.closed) return;
    const { state, alerts } = alertsOf(this.rules, event, this.label);
    this.rules = state;
    for (const alert of alerts) this.send(alert);
    if (event.type === "GatewayDisconnected" && event.payload.willReconnect) this.armUnreachable(event);
    if (event.type === "GatewayConnected") this.gatewayBack(event);
  }

  private send(alert: Alert): void {
    if (!this.wanted.has(alert.kind)) return;
    for (const q of this.queues) q.push(alert);
  }

  /** The gateway went away: after `gatewayUnreachableSeconds` without a connection, say so once. */
  private armUnreachable(event: StoredEvent): void {
    if (this.unreachable) return;
    const since = performance.now();
    const seconds = this.config.gatewayUnreachableSeconds;
    const timer = setTimeout(() => {
      const session = this.session;
      if (!this.unreachable || this.closed || !session?.id) return;
      this.unreachable.told = true;
      this.unreachable.timer = null;
      const at = { session: session.id, ts: session.now(), eventId: event.id };
      this.send(unreachableAlert(this.gateway, seconds, at, this.label));
    }, seconds * 1000);
    // A bot that is otherwise done must not stay up for this timer.
    timer.unref();
    this.unreachable = { timer, since, told: false };
  }

  private gatewayBack(event: StoredEvent): void {
    const down = this.unreachable;
    this.clearUnreachable();
    if (!down?.told) return;
    const at = { session: event.session, ts: event.ts, eventId: event.id };
    this.send(reachableAlert(this.gateway, performance.now() - down.since, at, this.label));
  }

  private clearUnreachable(): void {
    if (this.unreachable?.timer) clearTimeout(this.unreachable.timer);
    this.unreachable = null;
  }

  private about(target: WebhookQueue["target"], alert: Alert) {
    return { kind: alert.kind, webhook: target.index, target: target.masked, format: target.format };
  }

  /** Journal a delivery's outcome in the session, caused by the event the alert is about. */
  private journal(
    alert: Alert,
    body:
      | { type: "AlertDelivered"; payload: PayloadOf<"AlertDelivered"> }
      | { type: "AlertFailed"; payload: PayloadOf<"AlertFailed"> },
  ): void {
    const session = this.session;
    if (!session?.id || this.closed) return;
    try {
      session.record([
        { ...body, version: 1, ts: session.now(), ...(alert.eventId ? { causation: alert.eventId } : {}) },
      ]);
    } catch (error) {
      this.logger.error(
        { err: (error as Error).message, alert: alert.kind },
        "could not journal an alert's delivery",
      );
    }
  }
}
