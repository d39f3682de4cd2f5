/** VirtualTime: time moves only in sleeps, in 20 ms steps, and timers fire at their own due times. */
import { describe, expect, it } from "vitest";
import { VirtualTime } from "../../src/sim/index.js";

describe("VirtualTime", () => {
  it("stands still until a sleep, then steps 20 ms at a time to the sleep's end", async () => {
    const time = new VirtualTime();
    const steps: number[] = [];
    time.onStep((now) => steps.push(now));
    expect(time.nowMs()).toBe(0);
    await time.sleep(50);
    expect(steps).toEqual([20, 40, 50]);
    expect(time.nowMs()).toBe(50);
    await time.sleep(0);
    expect(steps.at(-1)).toBe(50);
  });

  it("fires a timer at its due time inside a step, earliest first and in scheduling order among equals", async () => {
    const time = new VirtualTime();
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${time.nowMs()}`);
    time.later(35, at("c"));
    time.later(2, at("a"));
    time.later(35, at("d"));
    time.later(2, at("b"));
    time.later(100, at("late"));
    await time.sleep(40);
    expect(fired).toEqual(["a@2", "b@2", "c@35", "d@35"]);
    await time.sleep(60);
    expect(fired.at(-1)).toBe("late@100");
  });

  it("stops at the step an abort comes in", async () => {
    const time = new VirtualTime();
    const stop = new AbortController();
    time.onStep((now) => {
      if (now === 40) stop.abort();
    });
    await time.sleep(1000, stop.signal);
    expect(time.nowMs()).toBe(40);
  });

  it("draws the same jitter for the same seed", () => {
    const a = new VirtualTime(9);
    const b = new VirtualTime(9);
    const draws = (t: VirtualTime) => Array.from({ length: 5 }, () => t.random());
    expect(draws(a)).toEqual(draws(b));
    expect(new Set(draws(new VirtualTime(10)))).not.toEqual(new Set(draws(new VirtualTime(9))));
  });
});
