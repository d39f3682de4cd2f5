/**
 * The live session's journal edge: the session id, the gateway-anchored clock and `record`, the
 * one way the bot appends. Every part of the bot records through it, so "record before you react"
 * has a single door, and listeners (the strategy runner) see exactly what was journaled.
 */
import { type Journal, LIVE_STREAM, type NewEvent, type StoredEvent } from "../events/index.js";
import { type LocalTime, MACHINE_TIME } from "./local-time.js";

export class LiveSession {
  /** The trading session (New York date) the gateway's clock said at the first connect. */
  id: string | null = null;
  private anchor = { gatewayMs: 0, localMs: 0 };
  private readonly listeners: ((events: readonly StoredEvent[]) => void)[] = [];

  constructor(
    readonly journal: Journal,
    private readonly time: LocalTime = MACHINE_TIME,
  ) {}

  /** Re-anchor the clock on the gateway's time (at each connect and each cycle start). */
  anchorClock(gatewayMs: number): void {
    this.anchor = { gatewayMs, localMs: this.time.nowMs() };
  }

  /** The gateway's clock: its time at the last anchor plus local monotonic time since. */
  now(): number {
    return Math.round(this.anchor.gatewayMs + (this.time.nowMs() - this.anchor.localMs));
  }

  /** The gateway's clock at a past local monotonic instant (LocalTime ms). */
  at(localMs: number): number {
    return Math.round(this.anchor.gatewayMs + (localMs - this.anchor.localMs));
  }

  /** Call `listener` with every batch right after it is journaled. */
  onRecorded(listener: (events: readonly StoredEvent[]) => void): void {
    this.listeners.push(listener);
  }

  /** Append to the live stream of this session; listeners see the stored events after the commit. */
  record(events: NewEvent[]): StoredEvent[] {
    if (events.length === 0) return [];
    if (this.id === null) throw new Error("no trading session yet: connect to the gateway first");
    const stored = this.journal.append(LIVE_STREAM, this.id, events);
    for (const listener of this.listeners) listener(stored);
    return stored;
  }
}
