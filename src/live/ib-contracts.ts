/**
 * Contracts between our catalogue's shape and `@stoqey/ib`'s. Only `src/live` speaks the client's
 * types; everything past this file sees our `Contract`.
 */
import { type Contract as IbContract, OptionType, SecType } from "@stoqey/ib";
import type { Contract } from "../events/index.js";

/** Our contract → the client's. */
export function toIbContract(contract: Contract): IbContract {
  if (contract.secType === "STK") {
    return {
      symbol: contract.symbol,
      secType: SecType.STK,
      exchange: contract.exchange,
      currency: contract.currency,
      ...(contract.conId ? { conId: contract.conId } : {}),
    };
  }
  return {
    symbol: contract.symbol,
    secType: SecType.OPT,
    exchange: contract.exchange,
    currency: contract.currency,
    lastTradeDateOrContractMonth: contract.expiry,
    strike: contract.strike,
    right: contract.right === "C" ? OptionType.Call : OptionType.Put,
    multiplier: contract.multiplier,
  };
}

/**
 * The client's contract → ours, as the gateway reports it in positions, executions and open
 * orders (routed through SMART like our own orders, so keys match the book's).
 */
export function fromIbContract(contract: IbContract): Contract {
  if (contract.secType === SecType.OPT) {
    return {
      secType: "OPT",
      symbol: contract.symbol ?? "",
      expiry: (contract.lastTradeDateOrContractMonth ?? "").slice(0, 8),
      strike: Number(contract.strike ?? 0),
      right: String(contract.right ?? "").startsWith("P") ? "P" : "C",
      multiplier: Number(contract.multiplier ?? 100),
      exchange: "SMART",
      currency: contract.currency || "USD",
    };
  }
  return {
    secType: "STK",
    symbol: contract.symbol ?? "",
    exchange: "SMART",
    currency: contract.currency || "USD",
  };
}
