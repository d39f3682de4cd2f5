/**
 * `positionKey` remembers the keys it built for a contract object (two streams' worth): whatever
 * order streams and contracts are asked in, it answers what building the key anew would.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Contract, contractKey } from "../../src/events/index.js";
import { positionKey } from "../../src/projections/index.js";

const contracts: Contract[] = [
  { secType: "STK", symbol: "SPY", exchange: "SMART", currency: "USD" },
  {
    secType: "OPT",
    symbol: "SPY",
    expiry: "20260204",
    strike: 600,
    right: "C",
    multiplier: 100,
    exchange: "SMART",
    currency: "USD",
  },
  {
    secType: "OPT",
    symbol: "SPY",
    expiry: "20260204",
    strike: 600.5,
    right: "P",
    multiplier: 100,
    exchange: "SMART",
    currency: "USD",
  },
] as Contract[];

describe("positionKey", () => {
  it("equals the key built anew, for any sequence of streams and contracts", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            stream: fc.constantFrom("live", "replay-1", "replay-2", "paper"),
            contract: fc.nat({ max: contracts.length - 1 }),
            // A copy is another object with the same fields: its key must be the same too.
            copy: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        (asks) => {
          for (const { stream, contract, copy } of asks) {
            const c = copy ? { ...contracts[contract]! } : contracts[contract]!;
            expect(positionKey(stream, c)).toBe(`${stream}|${contractKey(c)}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
