/**
 * Delivery of alerts to one webhook: a bounded queue, one POST at a time (in order), each attempt
 * stopped at `timeoutSeconds`, retried with doubling waits on a timeout, a refused connection, 429
 * or 5xx. The live loop only enqueues (`push` never awaits): a webhook that hangs or answers 500
 * costs the cycle nothing. Every delivery and every failed attempt is reported (the bot journals
 * them); `flush` drains with a deadline, and what is left then is reported as not delivered.
 */
import type { AlertsConfig } from "./alert-config.js";
import type { Alert } from "./alert-rules.js";
import { alertBody } from "./alert-shapes.js";
import { type AlertTarget, scrub } from "./alert-target.js";

/** What became of each attempt (journaled as AlertDelivered / AlertFailed). */
export interface DeliveryReport {
  delivered(
    target: AlertTarget,
    alert: Alert,
    o: { attempts: number; status: number; latencyMs: number },
  ): void;
  failed(
    target: AlertTarget,
    alert: Alert,
    o: { attempt: number; status: number | null; error: string; willRetry: boolean },
  ): void;
}

interface Queued {
  readonly alert: Alert;
  readonly queuedAt: number;
}

/** Statuses worth another try: the service is busy or broken now, not refusing this request. */
const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500;

/** One webhook's queue and its worker. */
export class WebhookQueue {
  private readonly queue: Queued[] = [];
  private worker: Promise<void> | null = null;
  /** Aborts the attempt under way and the wait before a retry (at a flush's deadline). */
  private readonly stop = new AbortController();
  private closing: string | null = null;

  constructor(
    readonly target: AlertTarget,
    private readonly config: AlertsConfig,
    private readonly report: DeliveryReport,
  ) {}

  /** Enqueue; never waits. Past `queueSize` waiting, the oldest waiting alert is dropped (and reported). */
  push(alert: Alert): void {
    if (this.closing !== null) return;
    this.queue.push({ alert, queuedAt: performance.now() });
    if (this.queue.length > this.config.queueSize) {
      const dropped = this.queue.shift()!;
      // Reported after the caller's own journal write has finished (push runs inside a listener).
      queueMicrotask(() =>
        this.report.failed(this.target, dropped.alert, {
          attempt: 0,
          status: null,
          error: `queue full (${this.config.queueSize} waiting): dropped, the oldest first`,
          willRetry: false,
        }),
      );
    }
    this.worker ??= this.work().finally(() => {
      this.worker = null;
    });
  }

  /** True while alerts wait or one is being sent. */
  get busy(): boolean {
    return this.worker !== null;
  }

  /**
   * Give up: the attempt under way is aborted and everything still waiting is reported failed
   * with `why`; resolves once every report is made. Nothing is sent after.
   */
  async close(why: string): Promise<void> {
    this.closing ??= why;
    this.stop.abort();
    await this.worker;
    for (const left of this.queue.splice(0))
      this.report.failed(this.target, left.alert, { attempt: 0, status: null, error: why, willRetry: false });
  }

  /** Resolves when the queue is empty (or `close` was called). */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  private async work(): Promise<void> {
    // The alert under way is off the queue: only waiting ones count towards queueSize.
    while (this.queue.length > 0 && this.closing === null) {
      const next = this.queue.shift()!;
      try {
        await this.deliver(next);
      } catch (error) {
        // A bug here must cost this alert, never the bot (an unhandled rejection would end it).
        this.report.failed(this.target, next.alert, {
          attempt: 0,
          status: null,
          error: scrub(`could not send: ${(error as Error).message}`, this.target),
          willRetry: false,
        });
      }
    }
  }

  private async deliver({ alert, queuedAt }: Queued): Promise<void> {
    const { retries, retryBackoffSeconds, timeoutSeconds } = this.config;
    const body = JSON.stringify(alertBody(alert, this.target));
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(body, timeoutSeconds * 1000);
      if (outcome.ok) {
        this.report.delivered(this.target, alert, {
          attempts: attempt,
          status: outcome.status,
          latencyMs: Math.round(performance.now() - queuedAt),
        });
        return;
      }
      const closing = this.closing;
      const willRetry =
        closing === null && attempt <= retries && (outcome.status === null || RETRYABLE(outcome.status));
      this.report.failed(this.target, alert, {
        attempt,
        status: outcome.status,
        error: closing === null ? outcome.error : `${outcome.error}; ${closing}`,
        willRetry,
      });
      if (!willRetry) return;
      const waitMs = Math.max(retryBackoffSeconds * 1000 * 2 ** (attempt - 1), outcome.retryAfterMs ?? 0);
      await this.pause(Math.min(waitMs, 300_000));
      if (this.closing !== null) {
        this.report.failed(this.target, alert, {
          attempt: 0,
          status: null,
          error: this.closing,
          willRetry: false,
        });
        return;
      }
    }
  }

  private async attempt(
    body: string,
    timeoutMs: number,
  ): Promise<
    { ok: true; status: number } | { ok: false; status: number | null; error: string; retryAfterMs?: number }
  > {
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stop.signal]);
    try {
      const response = await fetch(this.target.postUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...this.target.headers },
        body,
        signal,
        redirect: "error",
      });
      const text = await response.text().catch(() => "");
      if (response.ok) return { ok: true, status: response.status };
      const retryAfter = Number(response.headers.get("retry-after"));
      return {
        ok: false,
        status: response.status,
        error: scrub(`HTTP ${response.status}${text ? `: ${oneLine(text).slice(0, 200)}` : ""}`, this.target),
        ...(Number.isFinite(retryAfter) && retryAfter > 0
          ? { retryAfterMs: Math.min(retryAfter, 60) * 1000 }
          : {}),
      };
    } catch (error) {
      const err = error as Error & { cause?: { code?: string; message?: string } };
      const why = this.stop.signal.aborted
        ? "aborted"
        : err.name === "TimeoutError"
          ? `no answer within ${timeoutMs} ms`
          : `${err.message}${err.cause?.code ? ` (${err.cause.code})` : err.cause?.message ? ` (${err.cause.message})` : ""}`;
      return { ok: false, status: null, error: scrub(why, this.target) };
    }
  }

  /** Wait before a retry; `close` cuts it short. */
  private pause(ms: number): Promise<void> {
    const signal = this.stop.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
    });
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
