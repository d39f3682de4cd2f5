/**
 * A strategy with a bug that fires in one window of market time: its `evolve` throws on any quote
 * stamped within [throwFromMs, throwToMs), and otherwise counts what it saw. Its decisions carry
 * the counts, so a replay that showed it one event more or less than live did (say, the rest of
 * the cycle live never observed after the throw) cannot reach parity. The window is a parameter,
 * journaled with the session like any other. For tests of a strategy failing in live and replay.
 */
import { z } from "zod";
import type { Strategy } from "../../src/strategy/index.js";

const Params = z.object({ throwFromMs: z.number().default(0), throwToMs: z.number().default(0) }).strict();

interface Seen {
  readonly quotes: number;
  readonly events: number;
}

export const throwsInWindow: Strategy<z.infer<typeof Params>, Seen> = {
  name: "throws-in-window",
  version: "1",
  description: "test strategy whose evolve throws on quotes in one window of market time",
  params: Params,
  initialState: () => ({ quotes: 0, events: 0 }),
  evolve(state, event, params) {
    if (event.type === "QuoteSnapshot" && event.ts >= params.throwFromMs && event.ts < params.throwToMs)
      throw new Error(`throws-in-window: broken on purpose at ${new Date(event.ts).toISOString()}`);
    return { quotes: state.quotes + (event.type === "QuoteSnapshot" ? 1 : 0), events: state.events + 1 };
  },
  decide(state) {
    return {
      action: "hold",
      reason: `seen ${state.events} events, ${state.quotes} quotes`,
      intents: [],
      signals: { events: state.events, quotes: state.quotes },
    };
  },
};

export default throwsInWindow;
