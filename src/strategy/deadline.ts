/**
 * A strategy's deadline: every `evolve` and `decide` runs under a watchdog, so a strategy that
 * never returns cannot freeze the bot (its exits, its reconciliation, its SIGTERM) or a replay.
 *
 * Strategies are synchronous, so a hang blocks the event loop and no timer of ours could fire.
 * `vm`'s `timeout` runs a watchdog thread that terminates the JavaScript running inside the call,
 * whichever context its code came from; the call then throws, and the state it would have
 * returned is never assigned (states are immutable values, so nothing is half-changed).
 */
import { type Context, createContext, Script } from "node:vm";

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

/** The context every guard's call runs in: one for the process (each took 0.5 ms to create, once per replay run). */
let shared: { sandbox: { call: (() => unknown) | null }; context: Context; script: Script } | undefined;
function watchdogContext() {
  if (!shared) {
    const sandbox: { call: (() => unknown) | null } = { call: null };
    shared = { sandbox, context: createContext(sandbox), script: new Script("call()") };
  }
  return shared;
}

/** Runs a function under a deadline. */
export type DeadlineGuard = <T>(call: () => T) => T;

/** No deadline (tests that time strategies, and `deadlineMs: 0`). */
export const noDeadline: DeadlineGuard = (call) => call();

/**
 * A guard that stops a call after `deadlineMs`. One watchdog thread per call (about 0.1 ms on
 * this machine's core): nothing beside a live 300 s cycle, but a quarter of a replay's engine when
 * each of a day's cycles had its own (see `deadlineBatches`).
 *
 *   const guard = deadlineGuard(3000);
 *   guard(() => strategy.decide(state, input, params)); // throws StrategyDeadlineExceeded on a hang
 */
export function deadlineGuard(deadlineMs: number): DeadlineGuard {
  if (!(deadlineMs > 0)) return noDeadline;
  const { sandbox, context, script } = watchdogContext();
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

/**
 * How long a batch of `deadlineBatches` units runs before the next unit gets a fresh watchdog:
 * a hung unit is stopped at most this long past its deadline (0.1 s past live's 3 s). Each
 * watchdog is a thread started and joined; at 20 ms they were a twentieth of a replay's engine.
 */
const DEADLINE_SLACK_MS = 100;

/** Runs units in order, each within the deadline (see `deadlineBatches`). */
export type BatchGuard = <T>(units: readonly T[], run: (unit: T) => void) => void;

/**
 * A guard of many units in turn (a replay's cycles) under few watchdogs: a watchdog per cycle cost
 * a replay's engine a quarter of its time. A watchdog covers consecutive units while less than
 * `slackMs` has passed since it started, and allows `deadlineMs + slackMs`, so every unit starts
 * with at least its whole deadline left, and a unit that hangs is stopped within `slackMs` past
 * its deadline. The clock only places the watchdogs: which units run, in which order, never
 * depends on it. A hang throws StrategyDeadlineExceeded (of `deadlineMs`) after the units before
 * it ran.
 *
 *   const batches = deadlineBatches(3000);
 *   batches(cycles, (cycle) => { for (const event of cycle) step(event); });
 */
export function deadlineBatches(deadlineMs: number, slackMs = DEADLINE_SLACK_MS): BatchGuard {
  if (!(deadlineMs > 0))
    return (units, run) => {
      for (const unit of units) run(unit);
    };
  const guard = deadlineGuard(deadlineMs + slackMs);
  return (units, run) => {
    let next = 0;
    try {
      while (next < units.length)
        guard(() => {
          const started = performance.now();
          do run(units[next++]!);
          while (next < units.length && performance.now() - started < slackMs);
        });
    } catch (error) {
      if (error instanceof StrategyDeadlineExceeded) throw new StrategyDeadlineExceeded(deadlineMs);
      throw error;
    }
  };
}
