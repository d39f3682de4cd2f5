import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Contract,
  importJsonLines,
  type NewEvent,
  openJournal,
  SeededIdGen,
  toJsonLine,
} from "../../src/events/index.js";
import { IBKR_PRO_TIERED, optionOrderFees } from "../../src/projections/index.js";
import { nextQuoteFillModel, replaySession, runReplay } from "../../src/replay/index.js";
import { trendVwap } from "../../src/strategy/index.js";
import { stored } from "../support/given.js";
import { buyThenSell } from "../support/hold-strategy.js";
import { replayOptions } from "../support/replay-options.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "replay-"));
const sample = join(dir, "sample.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  // The bundled sessions were recorded by `journal live` against the simulator (scripts/record-sample.ts).
  const journal = openJournal(sample);
  for (const day of ["2026-02-04", "2026-02-05"])
    importJsonLines(journal, readFileSync(join(ROOT, "data", "sample", `${day}.jsonl`), "utf8"), day);
  journal.close();
});

const base = {
  sourceStream: "live",
  paramOverrides: {},
  fillModel: nextQuoteFillModel(),
  codeVersion: "test",
};
function read(path: string, filter = {}) {
  const j = openJournal(path, { readonly: true });
  try {
    return [...j.read(filter)];
  } finally {
    j.close();
  }
}

describe("replay of sessions recorded by live mode against the simulator", () => {
  // The bundled samples are re-recorded whenever trend-vwap's version changes (scripts/record-sample.ts);
  // until then they replay as a what-if, and the recorded-parity check runs on fresh recordings
  // (test/replay/outcomes.int.test.ts).
  const recordedWith = () => {
    const first = readFileSync(join(ROOT, "data", "sample", "2026-02-04.jsonl"), "utf8").split("\n", 1)[0]!;
    const opened = JSON.parse(first) as { type: string; payload: { strategy?: { version: string } } };
    return opened.type === "SessionOpened" ? opened.payload.strategy?.version : null;
  };
  const current = recordedWith() === trendVwap.version;

  it.runIf(current)("reproduces every live decision with the recorded outcomes (100 % parity)", async () => {
    const [result] = await runReplay(
      replayOptions({
        journal: sample,
        out: join(dir, "p.db"),
        sessions: ["2026-02-04"],
      }),
    );
    expect(result!.outcomes).toBe("recorded");
    expect(result!.parity!.differ).toBe(0);
    expect(result!.parity!.missing).toBe(0);
    expect(result!.parity!.equal).toBe(
      read(sample, { session: "2026-02-04", types: ["DecisionMade"] }).length,
    );
    expect(result!.parity!.equal).toBeGreaterThan(100);
    expect(result!.replay.trades).toBe(result!.live.trades);
    expect(result!.replay.netPnlUsd).toBe(result!.live.netPnlUsd);
  });

  it.skipIf(current)(
    "a sample recorded by another trend-vwap version replays as a simulated what-if",
    async () => {
      const [result] = await runReplay(
        replayOptions({
          journal: sample,
          out: join(dir, "p.db"),
          sessions: ["2026-02-04"],
        }),
      );
      expect(result!.outcomes).toBe("simulated");
      expect(result!.parity).toBeNull();
      await expect(
        runReplay(
          replayOptions({
            journal: sample,
            out: join(dir, "p2.db"),
            sessions: ["2026-02-04"],
            outcomes: "recorded",
          }),
        ),
      ).rejects.toThrow(/recorded outcomes answer live's own decisions .* use --outcomes simulated/);
    },
  );

  it("gives byte-identical output when run twice", async () => {
    const once = async (out: string) => {
      await runReplay(
        replayOptions({
          journal: sample,
          out,
          sessions: ["2026-02-04"],
        }),
      );
      return read(out)
        .map((e) => toJsonLine(e))
        .join("\n");
    };
    expect(await once(join(dir, "a.db"))).toBe(await once(join(dir, "b.db")));
  });

  it("adds nothing when the same replay runs again into the same journal, and a new run when the code changed", async () => {
    const out = join(dir, "rerun.db");
    const run = async (codeVersion: string) =>
      (await runReplay(replayOptions({ journal: sample, out, sessions: ["2026-02-04"], codeVersion })))[0]!
        .run;
    const first = await run("1.0.0+aaaaaaa");
    const count = read(out).length;
    expect(await run("1.0.0+aaaaaaa")).toBe(first);
    expect(read(out)).toHaveLength(count);
    // Another build of the code is another run beside the first, never a clash of reused ids.
    const second = await run("1.0.0+bbbbbbb");
    expect(second).not.toBe(first);
    expect(read(out)).toHaveLength(2 * count);
  });

  it("changes decisions with a changed parameter and says which (a what-if, no parity)", async () => {
    const [result] = await runReplay(
      replayOptions({
        journal: sample,
        out: join(dir, "w.db"),
        sessions: ["2026-02-04"],
        paramOverrides: { stopLossPct: 0.5, profitTargetPct: 0.9 },
      }),
    );
    expect(result!.parity).toBeNull();
    expect(result!.changed.length).toBeGreaterThan(0);
    expect(result!.changed[0]!.live?.action).not.toBe(result!.changed[0]!.replay?.action);
  });

  it("runs several sessions in parallel workers with results identical to a serial run", async () => {
    const run = (workers: number, out: string, paramOverrides: Record<string, unknown> = {}) =>
      runReplay(
        replayOptions({
          journal: sample,
          out,
          sessions: ["2026-02-04", "2026-02-05"],
          workers,
          paramOverrides,
        }),
      );
    const serial = await run(1, join(dir, "s.db"));
    const parallel = await run(2, join(dir, "par.db"));
    expect(parallel).toEqual(serial);
    // The main lane takes back the day its booting thread has not started: each day is still run,
    // reported and written once.
    const progress: [number, string][] = [];
    await runReplay(
      replayOptions({
        journal: sample,
        out: join(dir, "par-progress.db"),
        sessions: ["2026-02-04", "2026-02-05"],
        workers: 2,
        onProgress: (done, _total, session) => progress.push([done, session]),
      }),
    );
    expect(progress.map(([done]) => done)).toEqual([1, 2]);
    expect(progress.map(([, session]) => session).sort()).toEqual(["2026-02-04", "2026-02-05"]);
    expect(read(join(dir, "par-progress.db")).map((e) => toJsonLine(e))).toEqual(
      read(join(dir, "s.db")).map((e) => toJsonLine(e)),
    );
    expect(read(join(dir, "par.db")).map((e) => toJsonLine(e))).toEqual(
      read(join(dir, "s.db")).map((e) => toJsonLine(e)),
    );
    // A what-if writes its baseline run beside it: from a worker thread too, as prepared rows.
    const whatIf = (workers: number, out: string) =>
      run(workers, out, { stopLossPct: 0.5, profitTargetPct: 0.9 });
    expect(await whatIf(2, join(dir, "wpar.db"))).toEqual(await whatIf(1, join(dir, "ws.db")));
    const written = read(join(dir, "wpar.db"));
    // Each day: the what-if's run and its baseline's.
    expect(new Set(written.map((e) => e.stream)).size).toBe(4);
    expect(written.map((e) => toJsonLine(e))).toEqual(read(join(dir, "ws.db")).map((e) => toJsonLine(e)));
  });

  it("never writes to the source: a read-only source file replays into a separate journal", async () => {
    const ro = join(dir, "ro.db");
    copyFileSync(sample, ro);
    const before = readFileSync(ro);
    const { status, stdout, stderr } = spawnSync(
      process.execPath,
      [CLI, "replay", "--journal", ro, "--session", "2026-02-04", "--out", join(dir, "ro-out.db"), "--json"],
      { encoding: "utf8" },
    );
    expect(status, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ session: "2026-02-04" });
    for (const key of ["run", "outcomes", "events", "decisions", "parity", "trades", "netPnl", "maxDrawdown"])
      expect(summary).toHaveProperty(key);
    expect(readFileSync(ro).equals(before)).toBe(true);
  });

  it("runs with networking made to throw (no socket is ever opened)", () => {
    const preload = join(dir, "no-network.mjs");
    writeFileSync(
      preload,
      `import net from "node:net"; import dns from "node:dns"; import http from "node:http";
const refuse = () => { throw new Error("network used during replay"); };
net.connect = refuse; net.createConnection = refuse; net.Socket.prototype.connect = refuse; dns.lookup = refuse; http.request = refuse;`,
    );
    const { status, stderr } = spawnSync(
      process.execPath,
      [
        "--import",
        preload,
        CLI,
        "replay",
        "--journal",
        sample,
        "--session",
        "2026-02-04",
        "--out",
        join(dir, "nonet.db"),
        "--json",
      ],
      { encoding: "utf8" },
    );
    expect(status, stderr).toBe(0);
  });
});

describe("bad input", () => {
  it("an unknown session lists the sessions that exist", () => {
    const { status, stderr } = spawnSync(
      process.execPath,
      [CLI, "replay", "--journal", sample, "--session", "2026-03-01", "--out", join(dir, "x.db")],
      { encoding: "utf8" },
    );
    expect(status).toBe(1);
    expect(stderr).toMatch(/no session 2026-03-01 .* sessions there: 2026-02-04, 2026-02-05/);
  });

  it("a strategy file that does not implement the contract is named with what it lacks", () => {
    const bad = join(dir, "bad-strategy.ts");
    writeFileSync(bad, `export default { name: "half", version: "1", decide() {} };\n`);
    const { status, stderr } = spawnSync(
      process.execPath,
      [
        CLI,
        "replay",
        "--journal",
        sample,
        "--session",
        "2026-02-04",
        "--strategy",
        bad,
        "--out",
        join(dir, "y.db"),
      ],
      { encoding: "utf8" },
    );
    expect(status).toBe(2);
    expect(stderr).toMatch(
      /does not implement the strategy contract: it lacks a string "description", a zod schema "params", a function "initialState", a function "evolve"/,
    );
  });

  it("a user's TypeScript strategy module runs as a what-if", () => {
    const { status, stdout, stderr } = spawnSync(
      process.execPath,
      [
        CLI,
        "replay",
        "--journal",
        sample,
        "--session",
        "2026-02-04",
        "--strategy",
        join(ROOT, "test", "support", "hold-strategy.ts"),
        "--out",
        join(dir, "u.db"),
        "--json",
      ],
      { encoding: "utf8" },
    );
    expect(status, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ parity: null, outcomes: "simulated" });
    // It sells on cycle 3 for each symbol what it bought once, before the buy filled: the shared
    // risk rules refuse those sales instead of opening short options.
    const refusals = read(join(dir, "u.db"), { types: ["OrderRefused"] }).map(
      (e) => e.type === "OrderRefused" && e.payload.rule,
    );
    expect(refusals).toContain("short-option");
  });

  it("a journal that fails verify is refused unless --force", () => {
    const tampered = join(dir, "tampered.db");
    copyFileSync(sample, tampered);
    execFileSync("python3", [
      "-c",
      `import sqlite3; c=sqlite3.connect("${tampered}"); c.execute("DROP TRIGGER events_no_update"); c.execute("UPDATE events SET ts = ts + 1 WHERE seq = 5"); c.commit()`,
    ]);
    const refused = spawnSync(
      process.execPath,
      [CLI, "replay", "--journal", tampered, "--session", "2026-02-04", "--out", join(dir, "t.db")],
      { encoding: "utf8" },
    );
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/fails verify at seq 5.*--force/);
    const forced = spawnSync(
      process.execPath,
      [
        CLI,
        "replay",
        "--journal",
        tampered,
        "--session",
        "2026-02-04",
        "--out",
        join(dir, "t.db"),
        "--force",
      ],
      { encoding: "utf8" },
    );
    expect(forced.status, forced.stderr).toBe(0);
  });
  it("a strategy that throws halfway through a day fails the replay, names the session, and leaves the output journal as it was", async () => {
    const out = join(dir, "throws-out.db");
    const base = replayOptions({ journal: sample, out, sessions: ["2026-02-04", "2026-02-05"] });
    await runReplay(base);
    const counts = () => {
      const j = openJournal(out, { readonly: true });
      const result = [j.lastSeq(), j.sessions().length];
      j.close();
      return result;
    };
    const failing = join(ROOT, "test", "support", "failing-strategy.ts");
    for (const workers of [1, 2]) {
      const before = counts();
      await expect(runReplay({ ...base, strategy: failing, workers })).rejects.toThrow(
        /^session 2026-02-05: strategy fails-on-day-two 1 threw in decide \(cycle 5, \w+\): .*broken on purpose.*failing-strategy\.ts/,
      );
      expect(counts()).toEqual(before);
    }
    // The source journal the main thread keeps open between sessions is left fit for the next replay.
    const again = await runReplay({ ...base, codeVersion: "again" });
    expect(again.map((r) => r.session)).toEqual(["2026-02-04", "2026-02-05"]);
  });

  it("verifies each session in the read it replays, in workers too: a tampered second day refuses the run and writes nothing", async () => {
    const tampered = join(dir, "tampered-workers.db");
    copyFileSync(sample, tampered);
    const w = openJournal(tampered);
    const day2 = [...w.read({ session: "2026-02-05" })][7]!.seq;
    w.close();
    execFileSync("python3", [
      "-c",
      `import sqlite3; c=sqlite3.connect("${tampered}"); c.execute("DROP TRIGGER events_no_update"); c.execute("UPDATE events SET ts = ts + 1 WHERE seq = ${day2}"); c.commit()`,
    ]);
    const out = join(dir, "tampered-workers-out.db");
    const options = replayOptions({
      journal: tampered,
      out,
      sessions: ["2026-02-04", "2026-02-05"],
      workers: 2,
    });
    await expect(runReplay(options)).rejects.toThrow(
      new RegExp(`session 2026-02-05: .*fails verify at seq ${day2}.*--force`),
    );
    expect(existsSync(out)).toBe(false);
    const forced = await runReplay({ ...options, force: true });
    expect(forced.map((r) => r.session)).toEqual(["2026-02-04", "2026-02-05"]);

    // Runs are written as they arrive, in one transaction: the first day's run, written before the
    // second day failed, is rolled back from a journal that already existed, serially and in workers.
    for (const workers of [1, 2]) {
      const before = openJournal(out, { readonly: true });
      const [seq, runs] = [before.lastSeq(), before.sessions().length];
      before.close();
      const failed = runReplay({ ...options, codeVersion: `t${workers}`, workers });
      await expect(failed).rejects.toThrow(/fails verify/);
      const after = openJournal(out, { readonly: true });
      expect([after.lastSeq(), after.sessions().length]).toEqual([seq, runs]);
      after.close();
    }
  });
});

const CALL: Contract = {
  secType: "OPT",
  symbol: "SPY",
  expiry: "20260206",
  strike: 690,
  right: "C",
  multiplier: 100,
  exchange: "SMART",
  currency: "USD",
};
const quote = (bid: number, ask: number): NewEvent => ({
  type: "QuoteSnapshot",
  version: 1,
  ts: 0,
  payload: {
    contract: CALL,
    bidUsd: bid,
    askUsd: ask,
    lastUsd: bid,
    bidSize: 1,
    askSize: 1,
    lastSize: 1,
    greeks: null,
    timing: { reqId: 1, requestedAtMs: 0, latencyMs: 1 },
    complete: true,
  },
});
const cycle = (c: number, q: NewEvent[]): NewEvent[] => [
  { type: "CycleStarted", version: 1, ts: 0, payload: { cycle: c, symbols: ["SPY"], gatewayTimeMs: 0 } },
  ...q,
  {
    type: "CycleCompleted",
    version: 2,
    ts: 0,
    payload: { cycle: c, status: "ok", durationMs: 1, requests: 1, errors: 0, timeouts: 0, inputs: null },
  },
];
const handBuilt = (quotes: [number, number][]) =>
  stored(
    quotes
      .flatMap(([bid, ask], i) => cycle(i + 1, [quote(bid, ask)]))
      .map((e) => ({ type: e.type, version: e.version, payload: e.payload }) as never),
  );

describe("the next-quote fill model on a hand-built session", () => {
  it("fills a buy at the next snapshot's ask and a sell at the next snapshot's bid, with commission", () => {
    const result = replaySession({
      ...base,
      session: "2026-02-04",
      sourceJournal: "hand",
      events: handBuilt([
        [1.0, 1.1],
        [1.2, 1.3],
        [1.5, 1.6],
        [1.7, 1.8],
      ]),
      strategy: buyThenSell,
    });
    const fills = result.output
      .filter((e) => e.type === "OrderFilled")
      .map((e) => e.type === "OrderFilled" && [e.payload.side, e.payload.priceUsd]);
    // Bought on cycle 1 → filled at cycle 2's ask 1.30; sold on cycle 3 → filled at cycle 4's bid 1.70.
    expect(fills).toEqual([
      ["BUY", 1.3],
      ["SELL", 1.7],
    ]);
    const fees = result.output
      .filter((e) => e.type === "CommissionReported")
      .map((e) => e.type === "CommissionReported" && e.payload.commissionUsd);
    // IBKR Pro tiered: 2 × 0.65 = 1.30 commission, plus ORF and OCC, and on the sale SEC and FINRA TAF.
    const charge = (side: "BUY" | "SELL", premiumUsd: number) =>
      optionOrderFees(IBKR_PRO_TIERED, { contracts: 2, premiumUsd, side, multiplier: 100 }).totalUsd;
    expect(fees).toEqual([charge("BUY", 1.3), charge("SELL", 1.7)]);
    expect(fees[0]).toBeGreaterThan(1.3);
    // (1.70 − 1.30) × 2 × 100 − the two charges
    expect(result.replay.netPnlUsd).toBe(
      Math.round((80 - charge("BUY", 1.3) - charge("SELL", 1.7)) * 100) / 100,
    );
    expect(result.unfilled).toBe(0);
  });

  it("reports an order with no later quote as unfilled", () => {
    const result = replaySession({
      ...base,
      session: "2026-02-04",
      sourceJournal: "hand",
      events: handBuilt([
        [1.0, 1.1],
        [1.2, 1.3],
        [1.5, 1.6],
      ]),
      strategy: buyThenSell,
    });
    expect(result.unfilled).toBe(1);
    expect(result.output.at(-1)).toMatchObject({ type: "ReplayCompleted", payload: { unfilled: 1 } });
  });

  it("is deterministic for any hand-built session (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 50, max: 300 }), fc.integer({ min: 1, max: 20 })), {
          minLength: 1,
          maxLength: 12,
        }),
        (raw) => {
          const quotes = raw.map(([bid, spread]) => [bid / 100, (bid + spread) / 100] as [number, number]);
          const a = replaySession({
            ...base,
            session: "2026-02-04",
            sourceJournal: "hand",
            events: handBuilt(quotes),
            strategy: buyThenSell,
          });
          const b = replaySession({
            ...base,
            session: "2026-02-04",
            sourceJournal: "hand",
            events: handBuilt(quotes),
            strategy: buyThenSell,
          });
          expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        },
      ),
      { numRuns: 50 },
    );
  });
});

void SeededIdGen;
