import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type Contract, type NewEvent, openJournal, SeededIdGen } from "../../src/events/index.js";
import { evolveBookFully, initialBook } from "../../src/projections/book.js";
import {
  BookProjection,
  foldBook,
  PROJECTION_TABLES,
  positionKey,
  rebuildProjections,
  toMicros,
  unrealizedMicros,
} from "../../src/projections/index.js";
import { stored } from "../support/given.js";

const dir = mkdtempSync(join(tmpdir(), "proj-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONTRACTS: Contract[] = [
  {
    secType: "OPT",
    symbol: "SPY",
    expiry: "20260206",
    strike: 690,
    right: "C",
    multiplier: 100,
    exchange: "SMART",
    currency: "USD",
  },
  {
    secType: "OPT",
    symbol: "SPY",
    expiry: "20260206",
    strike: 688,
    right: "P",
    multiplier: 100,
    exchange: "SMART",
    currency: "USD",
  },
  { secType: "STK", symbol: "QQQ", exchange: "SMART", currency: "USD" },
];
const cents = fc.integer({ min: 1, max: 5000 }).map((c) => c / 100);

type Step =
  | {
      kind: "fill";
      c: number;
      side: "BUY" | "SELL";
      qty: number;
      price: number;
      fee: number;
      feeFirst: boolean;
    }
  | { kind: "quote"; c: number; bid: number; spread: number };

const arbStep: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("fill" as const),
    c: fc.nat(2),
    side: fc.constantFrom("BUY" as const, "SELL" as const),
    qty: fc.integer({ min: 1, max: 7 }),
    price: cents,
    fee: fc.integer({ min: 0, max: 300 }).map((c) => c / 100),
    feeFirst: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("quote" as const),
    c: fc.nat(2),
    bid: cents,
    spread: fc.integer({ min: 1, max: 30 }),
  }),
);

let execSeq = 0;
function toEvents(steps: readonly Step[]): NewEvent[] {
  const out: NewEvent[] = [];
  steps.forEach((step, i) => {
    const contract = CONTRACTS[step.c]!;
    const ts = Date.UTC(2026, 1, 4, 15) + i * 1000;
    if (step.kind === "quote") {
      const ask = Math.round((step.bid + step.spread / 100) * 100) / 100;
      out.push({
        type: "QuoteSnapshot",
        version: 1,
        ts,
        payload: {
          contract,
          bidUsd: step.bid,
          askUsd: ask,
          lastUsd: step.bid,
          bidSize: 1,
          askSize: 1,
          lastSize: 1,
          greeks: null,
          timing: { reqId: i, requestedAtMs: ts, latencyMs: 1 },
          complete: true,
        },
      });
      return;
    }
    const execId = `x${++execSeq}`;
    const filled: NewEvent = {
      type: "OrderFilled",
      version: 1,
      ts,
      payload: {
        orderId: i + 1,
        execId,
        contract,
        side: step.side,
        quantity: step.qty,
        priceUsd: step.price,
        exchange: "X",
      },
    };
    const fee: NewEvent = {
      type: "CommissionReported",
      version: 1,
      ts,
      payload: { execId, orderId: i + 1, commissionUsd: step.fee, currency: "USD", realizedPnlUsd: null },
    };
    out.push(...(step.feeFirst ? [fee, filled] : [filled, fee]));
  });
  return out;
}

const asStored = (events: NewEvent[]) =>
  stored(events.map((e) => ({ type: e.type, version: e.version, payload: e.payload }) as never));

describe("book fold laws (fast-check)", () => {
  it("the shortcut for quotes that move nothing folds exactly as the full fold", () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 40 }), (steps) => {
        const events = asStored(toEvents(steps));
        expect(foldBook(events)).toEqual(events.reduce(evolveBookFully, initialBook));
      }),
    );
  });

  it("folding a concatenation equals folding the halves in order", () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 40 }), fc.nat(), (steps, cut) => {
        const events = asStored(toEvents(steps));
        const k = events.length === 0 ? 0 : cut % (events.length + 1);
        expect(foldBook(events.slice(k), foldBook(events.slice(0, k)))).toEqual(foldBook(events));
      }),
      { numRuns: 100 },
    );
  });

  it("each stream's running money equals the sum over its positions after every event", () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 40 }), (steps) => {
        let book = initialBook;
        for (const event of asStored(toEvents(steps))) {
          book = foldBook([event], book);
          const sums = new Map<string, { r: number; f: number; u: number; x: number }>();
          for (const p of book.positions.byKey.values()) {
            const s = sums.get(p.stream) ?? { r: 0, f: 0, u: 0, x: 0 };
            s.r += p.realizedMicros;
            s.f += p.commissionsMicros;
            s.u += unrealizedMicros(p);
            if (p.markMicros !== null) s.x += Math.abs(p.quantity * p.markMicros * p.multiplier);
            sums.set(p.stream, s);
          }
          for (const [stream, s] of sums)
            expect(book.positions.money.get(stream)).toEqual({
              realizedMicros: s.r,
              feesMicros: s.f,
              unrealizedMicros: s.u,
              exposureMicros: s.x,
            });
          expect([...book.positions.money.keys()].sort()).toEqual([...sums.keys()].sort());
        }
      }),
    );
  });

  it("conserves quantity: the position is the signed sum of fills", () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 40 }), (steps) => {
        const book = foldBook(asStored(toEvents(steps)));
        CONTRACTS.forEach((contract, c) => {
          const signed = steps
            .filter((s) => s.kind === "fill" && s.c === c)
            .reduce((sum, s) => sum + (s.kind === "fill" ? (s.side === "BUY" ? s.qty : -s.qty) : 0), 0);
          expect(book.positions.byKey.get(positionKey("live", contract))?.quantity ?? 0).toBe(signed);
        });
      }),
      { numRuns: 100 },
    );
  });

  it("realized + unrealized equals the cash-flow total when the last price is known", () => {
    fc.assert(
      fc.property(
        fc.array(arbStep, { maxLength: 40 }),
        fc.array(cents, { minLength: 3, maxLength: 3 }),
        (steps, marks) => {
          // End every contract on a known quote (bid = ask = mark) so the mark is exact.
          const closing: Step[] = marks.map((m, c) => ({ kind: "quote", c, bid: m, spread: 0 }));
          const events = toEvents([...steps, ...closing]);
          const book = foldBook(asStored(events));
          CONTRACTS.forEach((contract, c) => {
            const p = book.positions.byKey.get(positionKey("live", contract));
            if (!p) return;
            const m = contract.secType === "OPT" ? contract.multiplier : 1;
            let cash = 0;
            let qty = 0;
            for (const s of steps) {
              if (s.kind !== "fill" || s.c !== c) continue;
              const signed = s.side === "BUY" ? s.qty : -s.qty;
              cash -= signed * toMicros(s.price) * m + toMicros(s.fee);
              qty += signed;
            }
            const value = qty * toMicros(marks[c]!) * m;
            expect(p.realizedMicros + unrealizedMicros(p)).toBe(cash + value);
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

let n = 0;
function tableDump(path: string): Record<string, unknown[]> {
  const journal = openJournal(path, { readonly: true });
  const dump: Record<string, unknown[]> = {};
  for (const table of PROJECTION_TABLES)
    dump[table] = journal.sql.all(`SELECT * FROM ${table} ORDER BY 1, 2`);
  journal.close();
  return dump;
}

describe("materialized tables", () => {
  it("after each append equal a rebuild from zero", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(arbStep, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        (batches) => {
          const path = join(dir, `t${n++}.db`);
          const journal = openJournal(path, {
            idGen: new SeededIdGen(3),
            projections: [new BookProjection()],
          });
          for (const batch of batches) journal.append("live", "2026-02-04", toEvents(batch));
          journal.close();
          const incremental = tableDump(path);
          const writable = openJournal(path);
          const result = rebuildProjections(writable);
          writable.close();
          expect(result.lastSeq).toBeGreaterThan(0);
          expect(tableDump(path)).toEqual(incremental);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("catches up tables that fell behind the events when the projection is registered again", () => {
    const path = join(dir, `behind${n++}.db`);
    const journal = openJournal(path, { idGen: new SeededIdGen(4), projections: [new BookProjection()] });
    journal.append(
      "live",
      "2026-02-04",
      toEvents([{ kind: "fill", c: 0, side: "BUY", qty: 2, price: 1.2, fee: 1.3, feeFirst: false }]),
    );
    journal.close();
    // Appended without the projection: the tables are now behind.
    const plain = openJournal(path, { idGen: new SeededIdGen(5) });
    plain.append(
      "live",
      "2026-02-04",
      toEvents([{ kind: "fill", c: 0, side: "SELL", qty: 1, price: 1.5, fee: 0.65, feeFirst: false }]),
    );
    plain.close();
    openJournal(path, { projections: [new BookProjection()] }).close();
    const rows = tableDump(path).proj_positions as { quantity: number; realized_pnl_usd: number }[];
    expect(rows[0]?.quantity).toBe(1);
    expect(rows[0]?.realized_pnl_usd).toBe(28.05);
  });

  it("rewrites tables an older fold wrote (checkpoint of another version) even when they are level with the events", () => {
    const path = join(dir, `older${n++}.db`);
    const journal = openJournal(path, { idGen: new SeededIdGen(6), projections: [new BookProjection()] });
    journal.append(
      "live",
      "2026-02-04",
      toEvents([{ kind: "fill", c: 0, side: "BUY", qty: 1, price: 1.2, fee: 0.65, feeFirst: false }]),
    );
    journal.close();
    // As an older version left it: its checkpoint name, at the last seq, and a stale summary.
    const db = new Database(path);
    const seq = (db.prepare("SELECT max(seq) AS s FROM events").get() as { s: number }).s;
    db.exec("DELETE FROM proj_checkpoints");
    db.prepare("INSERT INTO proj_checkpoints VALUES ('book', ?)").run(seq);
    db.exec("UPDATE proj_session_summary SET net_pnl_usd = -999");
    db.close();
    openJournal(path, { projections: [new BookProjection()] }).close();
    const rows = tableDump(path).proj_session_summary as { net_pnl_usd: number }[];
    expect(rows[0]?.net_pnl_usd).toBe(-0.65);
  });
});
