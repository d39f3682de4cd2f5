/**
 * The option calculators (calculateImpliedVolatility, calculateOptionPrice): IB answers each with
 * one TICK_OPTION_COMPUTATION of type 53 (custom option computation) on the request id, computed
 * by the same Black–Scholes as the simulated chain, at the option's time to expiry now.
 */
import { asOption, type BookContract } from "../book/index.js";
import { blackScholes, RISK_FREE_RATE } from "../market/index.js";
import { TICK_OPTION_COMPUTATION } from "../protocol/index.js";
import { known, round6 } from "./market-handlers.js";
import type { Handler, Session } from "./session.js";

/** TickType CUST_OPTION_COMPUTATION. */
const CUSTOM_COMPUTATION = 53;

/** The volatility at which the model prices the option at `price` (bisection), or undefined below intrinsic. */
export function impliedVolatility(
  right: "C" | "P",
  spot: number,
  strike: number,
  years: number,
  price: number,
): number | undefined {
  let low = 0.001;
  let high = 5;
  const at = (vol: number) => blackScholes(right, spot, strike, years, RISK_FREE_RATE, vol).price;
  if (!(price > at(low)) || !(price < at(high))) return undefined;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (at(mid) < price) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

function option(session: Session, reqId: number, v: Record<string, unknown>): BookContract | undefined {
  const c = known(session, reqId, v);
  if (c && c.secType !== "OPT") {
    session.error(
      reqId,
      321,
      "Error validating request.-'sim' : cause - Option calculations need an option contract",
    );
    return undefined;
  }
  return c;
}

function answer(
  session: Session,
  reqId: number,
  c: BookContract,
  vol: number | undefined,
  spot: number,
): void {
  const o = asOption(c);
  const { years } = session.ctx.market.optionModel(o, session.ctx.nowMs());
  const m = vol === undefined ? undefined : blackScholes(o.right, spot, o.strike, years, RISK_FREE_RATE, vol);
  // Not computable (a price below intrinsic value): IB's not-computed markers.
  session.send(TICK_OPTION_COMPUTATION, {
    tickerId: reqId,
    tickType: CUSTOM_COMPUTATION,
    tickAttrib: 0,
    impliedVol: vol === undefined ? -1 : round6(vol),
    delta: m ? round6(m.delta) : -2,
    optPrice: m ? round6(m.price) : -1,
    pvDividend: 0,
    gamma: m ? round6(m.gamma) : -2,
    vega: m ? round6(m.vega) : -2,
    theta: m ? round6(m.theta) : -2,
    undPrice: spot,
  });
}

const impliedVol: Handler = (session, v) => {
  session.countRequest("option-calc");
  const reqId = Number(v.reqId);
  const c = option(session, reqId, v);
  if (!c) return;
  const o = asOption(c);
  const spot = Number(v.underPrice);
  const { years } = session.ctx.market.optionModel(o, session.ctx.nowMs());
  answer(session, reqId, c, impliedVolatility(o.right, spot, o.strike, years, Number(v.optionPrice)), spot);
};

const optionPrice: Handler = (session, v) => {
  session.countRequest("option-calc");
  const reqId = Number(v.reqId);
  const c = option(session, reqId, v);
  if (!c) return;
  const vol = Number(v.volatility);
  answer(session, reqId, c, vol > 0 ? vol : undefined, Number(v.underPrice));
};

/** Handlers by request message id. */
export const OPTION_CALC_HANDLERS: ReadonlyArray<readonly [number, Handler]> = [
  [54, impliedVol],
  [55, optionPrice],
  [56, () => {}],
  [57, () => {}],
];
