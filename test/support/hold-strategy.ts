/**
 * A tiny known strategy for hand-built sessions: buys the first call it sees on cycle 1, sells it on
 * cycle `exitCycle`, holds otherwise. Export shape is what `--strategy path` loads.
 */
import { z } from "zod";
import type { Contract } from "../../src/events/index.js";
import type { Strategy } from "../../src/strategy/index.js";

const Params = z.object({ exitCycle: z.number().int().default(3) }).strict();

export const buyThenSell: Strategy<z.infer<typeof Params>, { bought: Contract | null }> = {
  name: "buy-then-sell",
  version: "1",
  description: "test strategy",
  params: Params,
  initialState: () => ({ bought: null }),
  evolve: (state, event) =>
    event.type === "DecisionMade" && event.payload.action === "enter"
      ? { bought: event.payload.intents[0]!.contract }
      : state,
  decide(state, input, params) {
    const call = input.options.find((q) => q.contract.secType === "OPT" && q.contract.right === "C");
    if (!call) return { action: "hold", reason: "no call", intents: [], signals: {} };
    if (!state.bought && input.cycle === 1) {
      return {
        action: "enter",
        reason: "cycle 1",
        intents: [
          {
            contract: call.contract,
            side: "BUY",
            quantity: 2,
            orderType: "MKT",
            tif: "DAY",
            purpose: "entry",
          },
        ],
        signals: {},
      };
    }
    if (state.bought && input.cycle === params.exitCycle) {
      return {
        action: "exit",
        reason: `cycle ${params.exitCycle}`,
        intents: [
          {
            contract: state.bought,
            side: "SELL",
            quantity: 2,
            orderType: "MKT",
            tif: "DAY",
            purpose: "exit",
          },
        ],
        signals: {},
      };
    }
    return { action: "hold", reason: "wait", intents: [], signals: {} };
  },
};

export default buyThenSell;
