/**
 * The bot's local time: a monotonic clock, sleeping and backoff jitter. Production uses the
 * machine's (performance.now, timers, Math.random); a recording beside the simulator in the same
 * process uses the simulator's VirtualTime, so a session recorded twice is the same session.
 * Request timeouts stay on real timers: they guard against a peer that never answers, which is
 * real time whatever the clock.
 */
export interface LocalTime {
  /** Monotonic milliseconds (the gateway's clock is anchored on them). */
  nowMs(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (a stopped bot leaves no timer behind). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** [0, 1): jitter for backoffs. */
  random(): number;
}

export const MACHINE_TIME: LocalTime = {
  nowMs: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
    }),
  random: () => Math.random(),
};
