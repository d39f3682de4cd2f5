import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { OptionContract } from "../../src/events/index.js";
import {
  ClientIdAllocator,
  ConfigRefused,
  enforceInterval,
  guardAccounts,
  guardPort,
  isSimulatorAccounts,
  loadLiveConfig,
  nearestExpiry,
  pickOptions,
  positionDiffs,
  snapshotSet,
  tradingMode,
} from "../../src/live/index.js";

const dir = mkdtempSync(join(tmpdir(), "live-units-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("client ids", () => {
  it("are fresh on every start, persisted across processes, and wrap before 32000", () => {
    const file = join(dir, "journal.db.clientid");
    expect([
      new ClientIdAllocator(file).next(),
      new ClientIdAllocator(file).next(),
      new ClientIdAllocator(file).next(),
    ]).toEqual([100, 101, 102]);
    writeFileSync(file, "31999\n");
    expect(new ClientIdAllocator(file).next()).toBe(100);
  });
});

describe("near-ATM option selection", () => {
  const chain = {
    symbol: "SPY",
    underlyingConId: 756733,
    exchange: "SMART",
    tradingClass: "SPY",
    multiplier: 100,
    expirations: ["20260204", "20260205", "20260206"],
    strikes: [686, 687, 688, 689, 690, 691, 692, 693],
    timing: { reqId: 1, requestedAtMs: 0, latencyMs: 1 },
  };

  it("takes the N strikes nearest the spot, call and put each, on the first expiry at least minDays out", () => {
    const picked = pickOptions(chain, 689.6, 3, 1, "2026-02-04");
    expect(picked.map((c) => `${c.expiry} ${c.strike}${c.right}`)).toEqual([
      "20260205 689C",
      "20260205 689P",
      "20260205 690C",
      "20260205 690P",
      "20260205 691C",
      "20260205 691P",
    ]);
    expect(pickOptions(chain, 689.6, 1, 0, "2026-02-04").map((c) => c.expiry)).toEqual([
      "20260204",
      "20260204",
    ]);
  });

  it("takes the strikes the chosen expiry lists when given, not the chain's union", () => {
    const picked = pickOptions(chain, 689.6, 3, 1, "2026-02-04", [680, 685, 690, 695, 700]);
    expect([...new Set(picked.map((c) => c.strike))]).toEqual([685, 690, 695]);
    expect(nearestExpiry(chain, 1, "2026-02-04")).toBe("20260205");
    const withHeld = snapshotSet(chain, 689.6, 3, 1, "2026-02-04", [], [685, 690, 695]);
    expect(withHeld.map((c) => `${c.strike}${c.right}`)).toEqual([
      "685C",
      "685P",
      "690C",
      "690P",
      "695C",
      "695P",
    ]);
  });

  it("picks nothing when no expiry is far enough out", () => {
    expect(pickOptions(chain, 690, 3, 5, "2026-02-04")).toEqual([]);
  });

  const held = (expiry: string, strike: number, right: "C" | "P"): OptionContract => ({
    secType: "OPT",
    symbol: "SPY",
    expiry,
    strike,
    right,
    multiplier: 100,
    exchange: "SMART",
    currency: "USD",
  });

  it("always quotes the options the book holds, even after the spot moved away from them", () => {
    const position = held("20260205", 686, "C");
    const picked = snapshotSet(chain, 692.4, 3, 1, "2026-02-04", [position]);
    const keys = picked.map((c) => `${c.expiry} ${c.strike}${c.right}`);
    expect(keys).toContain("20260205 686C");
    // The held strike counts toward the 3: two near strikes remain, call and put each.
    expect(keys.filter((k) => k !== "20260205 686C")).toEqual([
      "20260205 692C",
      "20260205 692P",
      "20260205 693C",
      "20260205 693P",
    ]);
  });

  it("never quotes more than 5 strikes per symbol, held ones included, and always every held option", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...chain.strikes), { maxLength: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 680, max: 700, noNaN: true }),
        (heldStrikes, strikes, spot) => {
          const positions = heldStrikes.map((k) => held("20260206", k, "P"));
          const picked = snapshotSet(chain, spot, strikes, 1, "2026-02-04", positions);
          const distinct = new Set(picked.map((c) => `${c.expiry} ${c.strike}`));
          expect(distinct.size).toBeLessThanOrEqual(Math.max(5, heldStrikes.length));
          for (const p of positions) expect(picked).toContainEqual(p);
        },
      ),
    );
  });
});

describe("account guard", () => {
  it("maps flags to modes: dry run by default, paper without an account, live only with one", () => {
    expect(tradingMode(true, undefined)).toBe("dry-run");
    expect(tradingMode(false, undefined)).toBe("paper");
    expect(tradingMode(false, "U1234567")).toBe("live");
  });

  it("refuses paper mode on live-trading ports and non-paper accounts; live mode only on its own account", () => {
    expect(() => guardPort("paper", 4001)).toThrow(ConfigRefused);
    expect(() => guardPort("paper", 7496)).toThrow(/--live-account/);
    expect(() => guardPort("paper", 4002)).not.toThrow();
    expect(() => guardPort("dry-run", 4001)).not.toThrow();
    expect(guardAccounts("paper", ["DU1234567"], undefined)).toBe("DU1234567");
    expect(guardAccounts("paper", ["SIM0000001"], undefined)).toBe("SIM0000001");
    expect(() => guardAccounts("paper", ["DU1234567", "U7654321"], undefined)).toThrow(/U7654321/);
    expect(guardAccounts("live", ["U1234567"], "U1234567")).toBe("U1234567");
    expect(() => guardAccounts("live", ["U1234567"], "U7654321")).toThrow(/logged in to U1234567/);
    expect(() => guardAccounts("paper", [], undefined)).toThrow(/no managed account/);
  });
});

describe("reconciliation", () => {
  it("compares only the bot's symbols and reports both sides of each difference", () => {
    const report = (symbol: string, quantity: number) => ({
      contract: { secType: "STK" as const, symbol, exchange: "SMART", currency: "USD" },
      quantity,
      avgCostUsd: 1,
    });
    const broker = [{ account: "DU1", positions: [report("SPY", 10), report("AAPL", 50)] }];
    const ours = new Map([
      ["SPY 20260205 C 690", 2],
      ["QQQ", 3],
    ]);
    expect(positionDiffs(ours, broker, ["SPY"])).toEqual([
      { contractKey: "SPY", ours: 0, broker: 10 },
      { contractKey: "SPY 20260205 C 690", ours: 2, broker: 0 },
    ]);
    expect(positionDiffs(new Map([["SPY", 10]]), broker, ["SPY"])).toEqual([]);
  });
});

describe("simulator detection", () => {
  it("is true only when every managed account is a SIM account", () => {
    expect(isSimulatorAccounts(["SIM0000001"])).toBe(true);
    expect(isSimulatorAccounts(["DU1234567"])).toBe(false);
    expect(isSimulatorAccounts(["SIM0000001", "DU1234567"])).toBe(false);
    expect(isSimulatorAccounts([])).toBe(false);
  });
});

describe("the client's message rate", () => {
  const config = (maxMessagesPerSecond: number) => {
    const base = loadLiveConfig(undefined, {}, {});
    return { ...base, gateway: { ...base.gateway, maxMessagesPerSecond } };
  };
  it("defaults to @stoqey/ib's 40 a second", () => {
    expect(loadLiveConfig(undefined, {}, {}).gateway.maxMessagesPerSecond).toBe(40);
  });
  it("goes over the gateway's 50 a second only against the simulator", () => {
    expect(() => enforceInterval(config(50), false)).not.toThrow();
    expect(() => enforceInterval(config(51), false)).toThrow(ConfigRefused);
    expect(() => enforceInterval(config(51), false)).toThrow(/maxMessagesPerSecond 51 .* hard limit of 50/);
    expect(() => enforceInterval(config(1_000_000), true)).not.toThrow();
  });
});
