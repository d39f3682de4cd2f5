/**
 * outcome-probe: a test strategy whose every decision depends on the outcomes of its own orders,
 * so a replay that is not fed the same outcomes as live cannot reach parity. It trades the first
 * symbol it decides for, one step per cycle:
 *
 *   1. BUY 1 call LMT at 0.05 — not marketable: it stays working, never fills (unfilled).
 *   2. SELL 1 put it does not hold — the risk rules refuse it (short-option).
 *   3. BUY 1 call MKT — fills.
 *   4. SELL what its fills hold, MKT — reduces to flat.
 *   then holds.
 * Every reason states what it believes: working orders, refusals, fills and holdings.
 */
import { z } from "zod";
import { contractKey, type OptionContract, type OrderIntent } from "../../src/events/index.js";
import type { Decision, Strategy } from "../../src/strategy/index.js";

interface ProbeState {
  readonly symbol: string | null;
  readonly step: number;
  readonly working: readonly string[];
  readonly refused: number;
  readonly fills: number;
  readonly held: Readonly<Record<string, number>>;
  readonly contracts: Readonly<Record<string, OptionContract>>;
}

const Params = z.object({}).strict();

const order = (
  contract: OptionContract,
  side: "BUY" | "SELL",
  quantity: number,
  purpose: string,
  limit?: number,
): OrderIntent => ({
  contract,
  side,
  quantity,
  orderType: limit === undefined ? "MKT" : "LMT",
  ...(limit === undefined ? {} : { limitPriceUsd: limit }),
  tif: "DAY",
  purpose,
});

export const outcomeProbe: Strategy<z.infer<typeof Params>, ProbeState> = {
  name: "outcome-probe",
  version: "1",
  description: "test strategy: each decision depends on the outcomes of its own orders",
  params: Params,
  initialState: () => ({ symbol: null, step: 0, working: [], refused: 0, fills: 0, held: {}, contracts: {} }),
  evolve(state, event) {
    const settle = (id: string | null) => state.working.filter((w) => w !== id);
    switch (event.type) {
      case "DecisionMade":
        return {
          ...state,
          symbol: state.symbol ?? event.payload.symbol,
          working: event.payload.intents.length === 0 ? state.working : [...state.working, event.id],
        };
      case "OrderRefused":
        return { ...state, working: settle(event.correlation), refused: state.refused + 1 };
      case "OrderCancelled":
      case "OrderRejected":
        return { ...state, working: settle(event.correlation) };
      case "OrderFilled": {
        const p = event.payload;
        if (p.contract.secType !== "OPT") return state;
        const key = contractKey(p.contract);
        const held = (state.held[key] ?? 0) + (p.side === "BUY" ? p.quantity : -p.quantity);
        return {
          ...state,
          working: settle(event.correlation),
          fills: state.fills + 1,
          held: { ...state.held, [key]: held },
          contracts: { ...state.contracts, [key]: p.contract },
        };
      }
      default:
        return state;
    }
  },
  decide(state, input): Decision {
    const belief = `working ${state.working.length}, refused ${state.refused}, fills ${state.fills}, held ${JSON.stringify(state.held)}`;
    const hold = (why: string): Decision => ({
      action: "hold",
      reason: `${why}; ${belief}`,
      intents: [],
      signals: {},
    });
    if (state.symbol !== null && state.symbol !== input.symbol) return hold("not my symbol");
    const option = (right: "C" | "P") =>
      input.options.find(
        (q) => q.contract.secType === "OPT" && q.contract.right === right && q.askUsd !== null,
      )?.contract as OptionContract | undefined;
    const call = option("C");
    const put = option("P");
    // The step is the count of decisions that carried an order: it lives in the reason, so replay checks it too.
    const step = state.refused + state.fills + state.working.length;
    if (step === 0 && call) return enter(order(call, "BUY", 1, "probe-unfilled", 0.05), belief);
    if (step === 1 && put) return enter(order(put, "SELL", 1, "probe-short"), belief);
    if (step === 2 && call) return enter(order(call, "BUY", 1, "probe-entry"), belief);
    const long = Object.entries(state.held).find(([, q]) => q > 0);
    if (step === 3 && long) {
      const contract = state.contracts[long[0]]!;
      return {
        action: "exit",
        reason: `sell what filled; ${belief}`,
        intents: [order(contract, "SELL", long[1], "probe-exit")],
        signals: {},
      };
    }
    return hold("nothing to do");
  },
};

function enter(intent: OrderIntent, belief: string): Decision {
  return { action: "enter", reason: `${intent.purpose}; ${belief}`, intents: [intent], signals: {} };
}

export default outcomeProbe;
