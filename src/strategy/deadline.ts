/**
 * A strategy's deadline: every `evolve` and `decide` runs under a watchdog, so a strategy that
 * never returns cannot freeze the bot (its exits, its reconciliation, its SIGTERM) or a replay.
 *
 * Strategies are synchronous, so a hang blocks the event loop and no timer of ours could fire.
 * `vm`'s `timeout` runs a watchdog thread that terminates the JavaScript running inside the call,
 * whichever context its code came from; the call then throws, and the state it would have
 * returned is never assigned (states are immutable values, so nothing is half-changed).
 */
import { createContext, Script } from "node:vm";

/** The default deadline of one strategy call: far above what a cycle's decide needs on a Pi. */
export const DEFAULT_STRATEGY_DEADLINE_MS = 3000;

/** A strategy call ran past its deadline and was stopped. */
export class StrategyDeadlineExceeded extends Error {
  readonly code = "STRATEGY_DEADLINE";
  constructor(readonly deadlineMs: number) {
    super(`did not return within its deadline of ${deadlineMs} ms and was stopped`);
    this.name = "StrategyDeadlineExceeded";
  }
}

/** Runs a function under a deadline. */
export type DeadlineGuard = <T>(call: () => T) => T;

/** No deadline (tests that time strategies, and `deadlineMs: 0`). */
export const noDeadline: DeadlineGuard = (call) => call();

/**
 * A guard that stops a call after `deadlineMs`. One watchdog thread per call (about 9 µs on a
 * laptop core): cheap beside a 300 s cycle, and measured on replay by `npm run bench:replay`.
 *
 *   const guard = deadlineGuard(3000);
 *   guard(() => strategy.decide(state, input, params)); // throws StrategyDeadlineExceeded on a hang
 */
export function deadlineGuard(deadlineMs: number): DeadlineGuard {
  if (!(deadlineMs > 0)) return noDeadline;
  const sandbox: { call: (() => unknown) | null } = { call: null };
  const context = createContext(sandbox);
  const script = new Script("call()");
  return <T>(call: () => T): T => {
    const outer = sandbox.call;
    sandbox.call = call;
    try {
      return script.runInContext(context, { timeout: deadlineMs }) as T;
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT")
        throw new StrategyDeadlineExceeded(deadlineMs);
      throw error;
    } finally {
      sandbox.call = outer;
    }
  };
}
