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
  private counter = 0n;
  constructor(private readonly seed: number) {}
  next(timeMs: number): string {
    this.counter += 1n;
    let time = "";
    let t = Math.max(0, Math.floor(timeMs));
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD[t % 32] + time;
      t = Math.floor(t / 32);
    }
    // 80 bits of "randomness": 32 bits of seed, 48 bits of counter.
    let rand = (BigInt(this.seed >>> 0) << 48n) | (this.counter & 0xffffffffffffn);
    let tail = "";
    for (let i = 0; i < 16; i++) {
      tail = CROCKFORD[Number(rand & 31n)] + tail;
      rand >>= 5n;
    }
    return time + tail;
  }
}
