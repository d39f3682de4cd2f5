/**
 * A strategy that only says what it was told about its inputs: it holds, with the freshness of
 * each cycle's inputs in its reason and signals. A replay whose decisions equal live's (signals
 * included) was fed the same freshness.
 */
import { z } from "zod";
import type { Strategy } from "../../src/strategy/index.js";

const Params = z.object({}).strict();

export const freshnessEcho: Strategy<z.infer<typeof Params>, null> = {
  name: "freshness-echo",
  version: "1",
  description: "test strategy: holds, echoing its inputs' freshness",
  params: Params,
  initialState: () => null,
  evolve: (state) => state,
  decide: (_state, input) => ({
    action: "hold",
    reason: input.freshness.reasons.join("; ") || "fresh",
    intents: [],
    signals: {
      barAgeMs: input.freshness.barAgeMs,
      skipped: input.freshness.skipped.length,
      quotesMissing: input.freshness.quotesMissing,
      barsFetched: input.freshness.barsFetched ? 1 : 0,
      cycleMs: input.freshness.cycleMs,
    },
  }),
};

export default freshnessEcho;
