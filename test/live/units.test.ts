import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ClientIdAllocator, isSimulatorAccounts, pickOptions } from "../../src/live/index.js";

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

  it("picks nothing when no expiry is far enough out", () => {
    expect(pickOptions(chain, 690, 3, 5, "2026-02-04")).toEqual([]);
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
