/**
 * A strategy that never returns: `decide` (or `evolve`, on a quote) spins forever in the cycles
 * from `hangFrom` to `hangTo`, and holds otherwise. Loaded with `journal live --strategy`; the
 * strategy deadline must stop it, or the bot freezes.
 */
import { z } from "zod";
import type { Strategy } from "../../src/strategy/index.js";

const Params = z
  .object({
    hangFrom: z.number().int().default(2),
    hangTo: z.number().int().default(2),
    hangIn: z.enum(["decide", "evolve"]).default("decide"),
  })
  .strict();
type Params = z.infer<typeof Params>;

/** Counts the cycles it saw start, so `evolve` knows which cycle a quote belongs to. */
type State = { readonly cycle: number };

function spin(): never {
  for (;;) {
    // A busy loop on purpose: a hang that blocks the event loop, as a buggy strategy would.
  }
}

export const hanging: Strategy<Params, State> = {
  name: "hanging",
  version: "1",
  description: "test strategy: hangs forever in some cycles",
  params: Params,
  initialState: () => ({ cycle: 0 }),
  evolve: (state, event, params) => {
    if (event.type === "DecisionMade") return { cycle: event.payload.cycle };
    const next = state.cycle + 1;
    if (
      params.hangIn === "evolve" &&
      event.type === "QuoteSnapshot" &&
      next >= params.hangFrom &&
      next <= params.hangTo
    )
      spin();
    return state;
  },
  decide(_state, input, params) {
    if (params.hangIn === "decide" && input.cycle >= params.hangFrom && input.cycle <= params.hangTo) spin();
    return { action: "hold", reason: `cycle ${input.cycle}`, intents: [], signals: {} };
  },
};

export default hanging;
