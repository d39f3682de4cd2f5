/**
 * The strategy deadline: a call that never returns is stopped, whatever context its code came
 * from, and the runner reports it as the strategy's failure with its state untouched.
 */
import { describe, expect, it } from "vitest";
import {
  type AnyStrategy,
  deadlineBatches,
  deadlineGuard,
  StrategyDeadlineExceeded,
  StrategyFailed,
  StrategyRunner,
} from "../../src/strategy/index.js";
import { stored } from "../support/given.js";
import { hanging } from "../support/hanging-strategy.js";

describe("deadlineGuard", () => {
  it("returns what the call returns, and rethrows what it throws", () => {
    const guard = deadlineGuard(1000);
    expect(guard(() => 41 + 1)).toBe(42);
    expect(() =>
      guard(() => {
        throw new RangeError("own error");
      }),
    ).toThrow(RangeError);
  });

  it("stops a busy loop at the deadline, and the process goes on", () => {
    const guard = deadlineGuard(200);
    const started = performance.now();
    expect(() =>
      guard(() => {
        for (;;) {}
      }),
    ).toThrow(StrategyDeadlineExceeded);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(150);
    expect(guard(() => "alive")).toBe("alive");
  });

  it("0 means no deadline", () => {
    expect(deadlineGuard(0)(() => "plain")).toBe("plain");
  });
});

/** Busy for `ms` of wall time, as a slow strategy call is. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
}

describe("deadlineBatches", () => {
  it("runs every unit in order, with a deadline or none", () => {
    for (const ms of [0, 1000]) {
      const seen: number[] = [];
      deadlineBatches(ms)([1, 2, 3, 4], (n) => seen.push(n));
      expect(seen).toEqual([1, 2, 3, 4]);
    }
  });

  it("gives a unit its whole deadline even when earlier units of its watchdog's batch took time", () => {
    // The second unit starts 150 ms into its batch (under the 200 ms slack) and needs 280 of its
    // 300 ms: past the deadline counted from the batch's start, inside it counted from its own.
    // The margins (70 ms either way) hold on a loaded machine, where a watchdog thread can start
    // a few tens of ms before the call it guards.
    const seen: string[] = [];
    deadlineBatches(300, 200)(
      [
        ["first", 150],
        ["second", 280],
      ] as const,
      ([name, ms]) => {
        busy(ms);
        seen.push(name);
      },
    );
    expect(seen).toEqual(["first", "second"]);
  });

  it("stops a unit that hangs, after the units before it ran, naming the deadline it was given", () => {
    const seen: number[] = [];
    let failure: unknown;
    try {
      deadlineBatches(150)([1, 2, 3, 4], (n) => {
        if (n === 3) for (;;) {}
        seen.push(n);
      });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(StrategyDeadlineExceeded);
    expect((failure as StrategyDeadlineExceeded).deadlineMs).toBe(150);
    expect(seen).toEqual([1, 2]);
  });
});

describe("StrategyRunner under a deadline", () => {
  it("a decide that hangs fails as the strategy's own (timedOut), and the state is the one before the call", () => {
    const params = hanging.params.parse({ hangFrom: 1, hangTo: 1 });
    const runner = new StrategyRunner(hanging as AnyStrategy, params, { guard: deadlineGuard(200) });
    const before = runner.currentState;
    const [quote] = stored([
      {
        type: "QuoteSnapshot",
        version: 1,
        payload: {
          contract: { secType: "STK", symbol: "SPY", exchange: "SMART", currency: "USD" },
          bidUsd: 1,
          askUsd: 1.1,
          lastUsd: 1.05,
          bidSize: 1,
          askSize: 1,
          lastSize: 1,
          greeks: null,
          timing: { reqId: 1, requestedAtMs: 0, latencyMs: 1 },
          complete: true,
        },
      },
    ] as never);
    runner.observe(quote as never);
    let failure: unknown;
    try {
      runner.decide(1, "D1");
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(StrategyFailed);
    expect((failure as StrategyFailed).timedOut).toBe(true);
    expect((failure as Error).message).toMatch(/hanging 1 hung in decide \(cycle 1, SPY\).*200 ms/);
    expect(runner.currentState).toBe(before);
  });
});
