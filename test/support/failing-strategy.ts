/**
 * A strategy that breaks halfway through a day: it holds, and throws on cycle 5 of 2026-02-05 (the
 * day read from the decision time it is given, never from a clock). For tests of a replay that
 * fails mid-session.
 */
import { z } from "zod";
import type { Strategy } from "../../src/strategy/index.js";

const Params = z.object({}).strict();

export const failsOnDayTwo: Strategy<z.infer<typeof Params>, null> = {
  name: "fails-on-day-two",
  version: "1",
  description: "test strategy that throws on cycle 5 of 2026-02-05",
  params: Params,
  initialState: () => null,
  evolve: (state) => state,
  decide(_state, input) {
    if (input.cycle === 5 && new Date(input.nowMs).toISOString().startsWith("2026-02-05"))
      throw new Error("fails-on-day-two: broken on purpose at cycle 5");
    return { action: "hold", reason: "wait", intents: [], signals: {} };
  },
};

export default failsOnDayTwo;
