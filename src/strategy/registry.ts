/** The strategies that ship with the journal, by name. */
import type { AnyStrategy } from "./contract.js";
import { trendVwap } from "./trend-vwap.js";

export const shippedStrategies: readonly AnyStrategy[] = [trendVwap];

/** A shipped strategy by name, or undefined. */
export function findStrategy(name: string): AnyStrategy | undefined {
  return shippedStrategies.find((s) => s.name === name);
}
