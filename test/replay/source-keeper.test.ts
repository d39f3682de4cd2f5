/**
 * What a streamed replay keeps of its source day (src/replay/source-keeper.ts): every quote of a
 * contract an order that may trade names, from a few before that order on; of the others, the last
 * few. A refused order never trades, so it keeps nothing.
 */
import { describe, expect, it } from "vitest";
import { type Contract, contractKey, type StoredEvent } from "../../src/events/index.js";
import { SourceKeeper } from "../../src/replay/source-keeper.js";

const option = (strike: number): Contract => ({
  secType: "OPT",
  symbol: "QQQ",
  expiry: "20260206",
  strike,
  right: "P",
  multiplier: 100,
  exchange: "SMART",
  currency: "USD",
});
const intent = (contract: Contract) => ({
  contract,
  side: "BUY",
  quantity: 1,
  orderType: "MKT",
  tif: "DAY",
  purpose: "entry",
});

let seq = 0;
const event = (type: string, payload: unknown): StoredEvent =>
  ({
    id: `e${++seq}`,
    seq,
    ts: seq * 1000,
    type,
    payload,
    stream: "live",
    session: "s",
  }) as unknown as StoredEvent;
const quote = (contract: Contract) => event("QuoteSnapshot", { contract, bid: 1, ask: 1.1 });

/** Ten quotes of each of two strikes, with an order `type` naming the first strike after the sixth. */
function keptQuotes(type: "OrderIntended" | "OrderRefused"): number[] {
  seq = 0;
  const keeper = new SourceKeeper(false);
  for (let i = 0; i < 10; i++) {
    keeper.keep(quote(option(600)));
    keeper.keep(quote(option(601)));
    if (i === 5)
      keeper.keep(
        event(
          type,
          type === "OrderRefused"
            ? { intent: intent(option(600)), rule: "max-open-orders", detail: "" }
            : { intent: intent(option(600)) },
        ),
      );
  }
  return keeper
    .events()
    .filter((e) => e.type === "QuoteSnapshot" && contractKey(e.payload.contract) === contractKey(option(600)))
    .map((e) => e.seq);
}

describe("the source keeper", () => {
  it("keeps every quote of an intended contract from four before its order on", () => {
    // Quotes of 600 are seqs 1, 3, …, 11 before the order (seq 13), then 14, 16, 18, 20.
    expect(keptQuotes("OrderIntended")).toEqual([5, 7, 9, 11, 14, 16, 18, 20]);
  });

  it("keeps only the last four quotes of a contract an order named and the risk rules refused", () => {
    expect(keptQuotes("OrderRefused")).toEqual([14, 16, 18, 20]);
  });
});
