/**
 * The live edge, where real money is: the account guard, one writer per journal, integrity before
 * trading, reconciliation with the broker. Real CLI processes, the real @stoqey/ib client over TCP
 * to the simulator, real SQLite files. Each case fails if its protection is removed.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { SecType } from "@stoqey/ib";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { JournalUnavailable, openJournal } from "../../src/events/index.js";
import { eventsOfType, journalEvents, liveHarness, until } from "../support/live-harness.js";
import { tradeOutsideTheBot } from "../support/outside-trade.js";

const h = liveHarness("live-edge-");
afterEach(() => h.cleanup());
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

const PROBE = join(import.meta.dirname, "..", "support", "probe-strategy.ts");
const of = eventsOfType;

/** Events in the journal so far; 0 while it does not exist yet or the bot is still creating it. */
function eventCount(path: string): number {
  if (!existsSync(path)) return 0;
  let journal: ReturnType<typeof openJournal>;
  try {
    journal = openJournal(path, { readonly: true });
  } catch (error) {
    // The file exists a moment before its schema: "a SQLite file but not a journal" until then.
    if (error instanceof JournalUnavailable) return 0;
    throw error;
  }
  try {
    return journal.lastSeq();
  } finally {
    journal.close();
  }
}

/** Another API client on the same account buys `quantity` SPY shares (a trade the bot did not make). */
const buyOutsideTheBot = (port: number, quantity: number) =>
  tradeOutsideTheBot(
    port,
    { symbol: "SPY", secType: SecType.STK, exchange: "SMART", currency: "USD" },
    "BUY",
    quantity,
    901,
  );

describe("account guard", () => {
  it("--paper against a non-paper account (U1234567) is refused naming the account and the flag; nothing sent or journaled", async () => {
    const { sim, journal } = await h.setup({}, { account: "U1234567" });
    const { code, stderr } = await h.live([
      "--journal",
      journal,
      "--port",
      String(sim.port),
      "--strategy",
      PROBE,
      "--interval",
      "300",
      "--cycles",
      "1",
      "--paper",
    ]).done;
    expect(code).toBe(2);
    expect(stderr).toContain("U1234567");
    expect(stderr).toContain("--live-account");
    expect(eventCount(journal)).toBe(0);
    expect(sim.stats.byKind["place-order"]).toBeUndefined();
  });

  it("--paper on a live-trading port (4001) is refused before connecting", async () => {
    const { journal } = await h.setup();
    const { code, stderr } = await h.live([
      "--journal",
      journal,
      "--port",
      "4001",
      "--paper",
      "--cycles",
      "1",
    ]).done;
    expect(code).toBe(2);
    expect(stderr).toMatch(/port 4001 is a live-trading port.*--live-account/);
    expect(eventCount(journal)).toBe(0);
  });

  it("--live-account must equal the gateway's account; when it does, the session is journaled as live with the account", async () => {
    const { sim, journal } = await h.setup({}, { account: "U1234567" });
    const base = ["--journal", journal, "--port", String(sim.port), "--interval", "300", "--cycles", "1"];
    const wrong = await h.live([...base, "--live-account", "U7654321"]).done;
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--live-account U7654321 refused.*U1234567/);
    expect(eventCount(journal)).toBe(0);

    const right = await h.live([...base, "--live-account", "U1234567"]).done;
    expect(right.code, right.stderr).toBe(0);
    const opened = of(journalEvents(journal), "SessionOpened")[0]!;
    expect(opened.payload.mode).toBe("live");
    expect(opened.payload.accounts).toEqual(["U1234567"]);
  });
});

describe("one writer per journal", () => {
  it("a second live, an import or an in-place replay on a journal that live is writing is refused naming the holder; readers run; a SIGKILLed holder does not block a restart", async () => {
    const { sim, journal } = await h.setup();
    const args = ["--journal", journal, "--port", String(sim.port), "--symbols", "SPY", "--interval", "1"];
    const first = h.live([...args, "--cycles", "50"]);
    await until("the first bot to open its session", () => eventCount(journal) > 3);

    // Refused at once (no retry loop): it ends while the first still runs.
    const second = await h.live([...args, "--cycles", "1"]).done;
    expect(first.child.exitCode).toBeNull();
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`pid ${first.child.pid} on ${hostname()}`);
    expect(second.stderr).toMatch(/since \d{4}-\d\d-\d\dT/);

    const sample = join(import.meta.dirname, "..", "..", "data", "sample", "2026-02-04.jsonl");
    const imported = await h.cli(["import", sample, "--journal", journal]).done;
    expect(imported.code).not.toBe(0);
    expect(imported.stderr).toContain(`pid ${first.child.pid}`);

    const inPlace = await h.cli(["replay", "--journal", journal, "--session", "2026-02-04", "--in-place"])
      .done;
    expect(inPlace.code).not.toBe(0);
    expect(inPlace.stderr).toContain(`pid ${first.child.pid}`);

    const verify = await h.cli(["verify", "--journal", journal]).done;
    expect(verify.code, verify.stderr).toBe(0);
    const sql = await h.cli(["sql", "--journal", journal, "select count(*) as n from events"]).done;
    expect(sql.code, sql.stderr).toBe(0);

    first.child.kill("SIGKILL");
    await first.done;
    const third = await h.live([...args, "--cycles", "1"]).done;
    expect(third.code, third.stderr).toBe(0);
    const evs = journalEvents(journal);
    expect(of(evs, "SessionOpened").length).toBe(2);
    expect(of(evs, "SessionClosed").length).toBe(1);
  }, 180_000);
});

describe("integrity before trading", () => {
  it("refuses to append to a journal whose hash chain is broken, naming the first bad seq", async () => {
    const { sim, journal } = await h.setup();
    const args = ["--journal", journal, "--port", String(sim.port), "--symbols", "SPY", "--interval", "1"];
    const ok = await h.live([...args, "--cycles", "1"]).done;
    expect(ok.code, ok.stderr).toBe(0);
    // Tamper the way an attacker with the file would: drop the guard trigger, edit a row.
    const db = new Database(journal);
    const triggers = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")
      .all() as { name: string }[];
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    const tampered = db
      .prepare(
        "UPDATE events SET payload = replace(payload, '\"cycle\":1', '\"cycle\":7') WHERE type = 'CycleStarted'",
      )
      .run();
    expect(tampered.changes).toBe(1);
    db.close();
    const before = eventCount(journal);

    const refused = await h.live([...args, "--cycles", "1"]).done;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/broken at seq \d+/);
    expect(eventCount(journal)).toBe(before);
  });

  it("refuses a journal whose triggers were dropped, even with every row intact, and says how to restore them", async () => {
    const { sim, journal } = await h.setup();
    const args = ["--journal", journal, "--port", String(sim.port), "--symbols", "SPY", "--interval", "1"];
    const ok = await h.live([...args, "--cycles", "1"]).done;
    expect(ok.code, ok.stderr).toBe(0);
    const db = new Database(journal);
    db.exec("DROP TRIGGER events_no_update");
    db.close();
    const before = eventCount(journal);
    const refused = await h.live([...args, "--cycles", "1"]).done;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /JournalUnguarded: .*trigger events_no_update is missing.*journal live refuses to write to it.*journal verify --repair-guards/,
    );
    expect(eventCount(journal)).toBe(before);
  });
});

describe("reconciliation with the broker", () => {
  it("a position opened outside the bot: mismatch journaled with both sides, entries halted, exits allowed, a summary printed", async () => {
    const { sim, journal } = await h.setup();
    const args = ["--journal", journal, "--port", String(sim.port), "--symbols", "SPY", "--strategy", PROBE];
    // The call is bought on cycle 1, before anything is bought outside; the bot restarts after it
    // and continues the session (cycles 2 and 3) with 10 SPY it never bought at the broker.
    const first = await h.live([...args, "--interval", "1", "--cycles", "1", "--paper"]).done;
    expect(first.code, first.stderr).toBe(0);
    await buyOutsideTheBot(sim.port, 10);
    const run = await h.live([...args, "--interval", "1", "--cycles", "2", "--paper"]).done;
    expect(run.code, run.stderr).toBe(0);
    const evs = journalEvents(journal);

    const mismatch = of(evs, "PositionMismatch")[0];
    expect(mismatch?.payload.diffs).toEqual([{ contractKey: "SPY", ours: 0, broker: 10 }]);
    expect(mismatch?.payload.entriesHalted).toBe(true);

    const refused = of(evs, "OrderRefused");
    expect(refused.map((e) => [e.payload.rule, e.payload.intent.purpose])).toEqual([
      ["position-mismatch", "entry"],
    ]);
    const fills = of(evs, "OrderFilled");
    // The call bought on cycle 1 (before the outside purchase) and its exit on cycle 3.
    expect(fills.map((e) => e.payload.side)).toEqual(["BUY", "SELL"]);
    expect(fills.every((e) => e.payload.orderRef === e.correlation)).toBe(true);

    expect(run.stdout).toMatch(/orders sent 2, refused 1, fills 2/);
    expect(run.stdout).toMatch(/open positions: none/);
    const logs = readdirSync(h.dir).filter((f) => f.startsWith("bot"));
    expect(logs.map((f) => readFileSync(join(h.dir, f), "utf8")).join("")).toContain("POSITION MISMATCH");
  });
});

describe("nothing listening", () => {
  it("says so at the first probe naming host and port, keeps waiting without using client ids, and stops cleanly on SIGTERM", async () => {
    const { journal } = await h.setup();
    const closed = await import("node:net").then(
      (net) =>
        new Promise<number>((resolve) => {
          const server = net.createServer();
          server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
          });
        }),
    );
    const run = h.live(["--journal", journal, "--port", String(closed), "--cycles", "1"]);
    // The message comes from the first port probe, before any handshake (timing is not asserted here).
    await until("the nothing-listens message", () => run.output().stderr.includes("nothing listens"), 30_000);
    expect(run.output().stderr).toContain(
      `nothing listens on 127.0.0.1:${closed} — start IB Gateway (or \`journal sim\`)`,
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(existsSync(`${journal}.clientid`)).toBe(false);
    run.child.kill("SIGTERM");
    const { code, stdout } = await run.done;
    expect(code).toBe(0);
    expect(stdout).toContain("nothing was journaled");
    expect(eventCount(journal)).toBe(0);
  });
});
