/**
 * Who runs a session queued on a worker thread: the thread, or the main lane that took it back.
 *
 * Why take one back: a thread keeps a few sessions queued (`THREAD_QUEUE`, replay.ts) so it never
 * waits for the main thread, which is busy with sessions of its own. At the end of a replay that
 * queue was the main lane's idle time: it ran out of sessions while the thread still had two or
 * three to go (140–300 ms of a 5–7 s two-lane replay of 200 k events). Once the main lane has
 * nothing left, it takes back what the thread has not started.
 *
 * One cell per session in shared memory, changed only by compare-and-swap, so exactly one side
 * wins: the thread claims a session as it starts it, the main lane as it takes it back.
 */

const QUEUED = 0;
const STARTED = 1;
const TAKEN_BACK = 2;

/** A session's cell as a thread sees it: the shared cells and the session's index. */
export interface SessionClaim {
  readonly cells: Int32Array;
  readonly index: number;
}

export class SessionClaims {
  readonly cells: Int32Array;

  constructor(sessions: number) {
    this.cells = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * sessions));
  }

  /** What the thread that session `index` is queued on gets with it. */
  claim(index: number): SessionClaim {
    return { cells: this.cells, index };
  }

  /** The main lane takes session `index` back: true unless its thread has started it. */
  takeBack(index: number): boolean {
    return Atomics.compareExchange(this.cells, index, QUEUED, TAKEN_BACK) === QUEUED;
  }

  /** Session `index` was taken back by the main lane (its thread will skip it). */
  takenBack(index: number): boolean {
    return Atomics.load(this.cells, index) === TAKEN_BACK;
  }
}

/** In the thread, as it is about to run a session: true if it is still its to run. */
export function startClaimed(claim: SessionClaim): boolean {
  return Atomics.compareExchange(claim.cells, claim.index, QUEUED, STARTED) === QUEUED;
}
