/**
 * Virtual local time for a bot and a simulator that run in one process: time passes only when the
 * bot sleeps, in steps, so what the simulator quotes and fills at each moment is decided by the
 * bot's own sequence of requests and sleeps, never by how busy the machine is. This is what makes
 * a recording (scripts/record-sample.ts) the same twice: at 300 simulated seconds per real second,
 * one millisecond of scheduling jitter used to move a quote by five minutes of market.
 *
 * The bot takes it as its local time (nowMs, sleep, random: the LocalTime of src/live); the
 * simulator as `virtualTime`, reading its clock from it and matching working orders, releasing
 * orders and restoring connectivity at its steps instead of on real timers.
 */
import { mulberry32 } from "../market/index.js";

/** Virtual milliseconds per step: the simulator's matching beat (20 real ms at any speed). */
const STEP_MS = 20;

interface Timer {
  dueMs: number;
  order: number;
  fn: () => void;
}

export class VirtualTime {
  private current = 0;
  private readonly timers: Timer[] = [];
  private readonly listeners: ((nowMs: number) => void)[] = [];
  private scheduled = 0;
  private readonly draw: () => number;

  /**
   * `settle` runs (really awaited) after every step: it gives the other end of a socket the real
   * time to read what the step sent, so a fill reaches the bot at the step it was made in.
   */
  constructor(
    seed = 1,
    private readonly settle: () => Promise<void> = () => new Promise((r) => setImmediate(r)),
  ) {
    this.draw = mulberry32(seed);
  }

  /** Virtual monotonic milliseconds since the start. */
  nowMs(): number {
    return this.current;
  }

  /** Seeded: the bot's jitter (backoffs) is the same in every run. */
  random(): number {
    return this.draw();
  }

  /** Call `listener` with the time after every step (the simulator's matcher). */
  onStep(listener: (nowMs: number) => void): void {
    this.listeners.push(listener);
  }

  /** Run `fn` when virtual time reaches now + `ms` (inside a later sleep's steps). */
  later(ms: number, fn: () => void): void {
    this.timers.push({ dueMs: this.current + Math.max(0, ms), order: this.scheduled++, fn });
  }

  /** Let `ms` of virtual time pass, step by step (timers fire at their own due times); `signal` stops it. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const end = this.current + Math.max(0, ms);
    do {
      if (signal?.aborted) return;
      const stepEnd = Math.min(end, this.current + STEP_MS);
      for (let timer = this.nextDue(stepEnd); timer; timer = this.nextDue(stepEnd)) {
        this.current = Math.max(this.current, timer.dueMs);
        timer.fn();
      }
      this.current = stepEnd;
      for (const listener of this.listeners) listener(this.current);
      await this.settle();
    } while (this.current < end);
  }

  /** The earliest timer due by `byMs` (first scheduled first among equals), removed from the queue. */
  private nextDue(byMs: number): Timer | undefined {
    let best = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i]!;
      if (t.dueMs > byMs) continue;
      const b = this.timers[best];
      if (!b || t.dueMs < b.dueMs || (t.dueMs === b.dueMs && t.order < b.order)) best = i;
    }
    return best < 0 ? undefined : this.timers.splice(best, 1)[0];
  }
}
