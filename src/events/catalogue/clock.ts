/**
 * Time and identity are injected: strategies and projections never read the wall clock,
 * randomness or the network (STYLE: determinism enforced, not hoped for).
 */

/** A source of "now" in epoch milliseconds. Live mode uses the gateway's clock; replay the event times. */
export interface Clock {
  nowMs(): number;
}

/** A source of unique, sortable event ids (ULIDs in production). */
export interface IdGen {
  next(timeMs: number): string;
}

/** A clock that returns whatever it was last set to; replay and tests drive it. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  nowMs(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * Deterministic ULID-shaped ids: the time part from the event time and the random part from a
 * seeded counter, so that the same inputs give the same ids (replay, tests, the simulator).
 */
export class SeededIdGen implements IdGen {
  /** Events so far, modulo 2^48 (exact in a double: 48 bits < 53). */
  private counter = 0;
  /** The time part last built, for the time it was built for (a cycle's events share their time). */
  private lastTime = Number.NaN;
  private lastTimePart = "";
  constructor(private readonly seed: number) {}
  next(timeMs: number): string {
    this.counter = (this.counter + 1) % 2 ** 48;
    const ms = Math.max(0, Math.floor(timeMs));
    if (ms !== this.lastTime) {
      let time = "";
      for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
      this.lastTime = ms;
      this.lastTimePart = time;
    }
    // 80 bits of "randomness": 32 bits of seed above 48 bits of counter, 5 bits a character from
    // the right. In doubles and 32-bit integers: a BigInt per id was a run's costliest id step.
    const seed = this.seed >>> 0;
    let tail = "";
    let low = this.counter;
    for (let k = 0; k < 9; k++, low = Math.floor(low / 32)) tail = CROCKFORD[low % 32] + tail;
    // Bits 45–49: the counter's top 3, the seed's lowest 2.
    tail = CROCKFORD[(low & 7) | ((seed & 3) << 3)] + tail;
    for (let k = 10; k < 16; k++) tail = CROCKFORD[(seed >>> (5 * k - 48)) & 31] + tail;
    return this.lastTimePart + tail;
  }
}
