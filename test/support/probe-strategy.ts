/**
 * A scripted strategy for live-edge tests: buys a call on `callCycle`, tries to buy a put on
 * `putCycle`, sells the call on `exitCycle`, holds otherwise. Loaded with `journal live --strategy`.
 */
import { z } from "zod";
import type { Contract } from "../../src/events/index.js";
import type { Decision, Strategy } from "../../src/strategy/index.js";

const Params = z
  .object({
    callCycle: z.number().int().default(1),
    putCycle: z.number().int().default(2),
    exitCycle: z.number().int().default(3),
    quantity: z.number().int().default(1),
    /** Entries as LMT at this price (default MKT). */
    limitPriceUsd: z.number().positive().optional(),
    /** The entry buys the underlying stock instead of the call. */
    stockEntry: z.boolean().default(false),
  })
  .strict();
type Params = z.infer<typeof Params>;

const hold = (reason: string): Decision => ({ action: "hold", reason, intents: [], signals: {} });

export const probe: Strategy<Params, { call: Contract | null }> = {
  name: "probe",
  version: "1",
  description: "test strategy: call on one cycle, put on the next, exit the call after",
  params: Params,
  initialState: () => ({ call: null }),
  evolve: (state, event) => {
    if (event.type !== "DecisionMade") return state;
    const intent = event.payload.intents[0];
    if (
      event.payload.action === "enter" &&
      intent?.contract.secType === "OPT" &&
      intent.contract.right === "C"
    )
      return { call: intent.contract };
    if (event.payload.action === "exit") return { call: null };
    return state;
  },
  decide(state, input, params) {
    const option = (right: "C" | "P") =>
      input.options.find((q) => q.contract.secType === "OPT" && q.contract.right === right)?.contract;
    const limit = params.limitPriceUsd;
    const order = (contract: Contract, side: "BUY" | "SELL", purpose: "entry" | "exit"): Decision => ({
      action: purpose === "entry" ? "enter" : "exit",
      reason: `cycle ${input.cycle}`,
      intents: [
        purpose === "entry" && limit !== undefined
          ? {
              contract,
              side,
              quantity: params.quantity,
              orderType: "LMT",
              limitPriceUsd: limit,
              tif: "DAY",
              purpose,
            }
          : { contract, side, quantity: params.quantity, orderType: "MKT", tif: "DAY", purpose },
      ],
      signals: {},
    });
    const stock = input.underlying?.contract;
    if (params.stockEntry && input.cycle === params.callCycle && stock) return order(stock, "BUY", "entry");
    const call = option("C");
    const put = option("P");
    if (input.cycle === params.callCycle && call && !state.call) return order(call, "BUY", "entry");
    if (input.cycle === params.putCycle && put) return order(put, "BUY", "entry");
    if (input.cycle === params.exitCycle && state.call) return order(state.call, "SELL", "exit");
    return hold("scripted wait");
  },
};

export default probe;
