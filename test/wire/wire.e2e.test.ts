/**
 * Wire capture and playback end to end: `journal live --capture` against `journal sim` records
 * every TWS frame; `journal sim --from-journal` serves that session back at socket level; the live
 * bot run against the playback makes the same decisions. Frames travel through export/import byte
 * for byte, and a tampered frame fails `journal verify`. Real CLI processes, sockets and SQLite.
 */
import { copyFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openJournal,
  readWireFrames,
  type StoredEvent,
  type WireFrame,
  wireFrameHash,
} from "../../src/events/index.js";
import { encodeMessage, startPlayback } from "../../src/sim/index.js";
import { journalEvents, liveHarness, until } from "../support/live-harness.js";

const PROBE = join(import.meta.dirname, "..", "support", "probe-strategy.ts");
const SESSION = "2026-02-04";
const h = liveHarness("wire-e2e-");
let captured = "";

function frames(path: string): WireFrame[] {
  const journal = openJournal(path, { readonly: true });
  try {
    return [...readWireFrames(journal.sql, { session: SESSION })].map((f) => ({
      ...f,
      bytes: Buffer.from(f.bytes),
    }));
  } finally {
    journal.close();
  }
}

const decisions = (events: StoredEvent[]) =>
  events
    .filter((e) => e.type === "DecisionMade")
    .map((e) => {
      const p = e.payload as { cycle: number; action: string; reason: string; intents: unknown };
      return { cycle: p.cycle, action: p.action, reason: p.reason, intents: p.intents };
    });

const liveArgs = (journal: string, port: number) => [
  "--journal",
  journal,
  "--port",
  String(port),
  "--symbols",
  "SPY",
  "--interval",
  "1",
  "--cycles",
  "3",
  "--strategy",
  PROBE,
];

beforeAll(async () => {
  const { sim, journal } = await h.setup();
  captured = journal;
  const run = await h.live([...liveArgs(journal, sim.port), "--capture"]).done;
  expect(run.code, run.stderr).toBe(0);
}, 60_000);
afterAll(() => h.cleanup());

describe("journal live --capture", () => {
  it("records every frame both ways, the hello first, on the session's clock", () => {
    const all = frames(captured);
    expect(all.length).toBeGreaterThan(50);
    expect(all[0]!.dir).toBe("out");
    expect(all[0]!.bytes.subarray(0, 4).toString("latin1")).toBe("API\0");
    expect(all[1]!.dir).toBe("in");
    expect(new Set(all.map((f) => f.dir))).toEqual(new Set(["in", "out"]));
    // Every frame is length-prefixed and whole.
    for (const f of all.slice(1)) expect(f.bytes.readUInt32BE(0)).toBe(f.bytes.length - 4);
    const events = journalEvents(captured);
    const first = events.find((e) => e.type === "SessionOpened")!;
    const last = events.find((e) => e.type === "SessionClosed")!;
    expect(all[0]!.ts).toBeGreaterThan(first.ts - 60_000);
    expect(all.at(-1)!.ts).toBeLessThan(last.ts + 60_000);
    expect(all.map((f) => f.n)).toEqual(all.map((_, i) => i));
  });

  it("wire_frames is append-only and v_wire reads it", () => {
    const db = new Database(captured);
    try {
      expect(() => db.prepare("UPDATE wire_frames SET ts = 0 WHERE seq = 1").run()).toThrow(/append-only/);
      expect(() => db.prepare("DELETE FROM wire_frames").run()).toThrow(/append-only/);
      const rows = db.prepare("SELECT msg_id, dir, count(*) AS n FROM v_wire GROUP BY 1, 2").all() as {
        msg_id: string;
        dir: string;
        n: number;
      }[];
      expect(rows).toContainEqual({ msg_id: "API", dir: "out", n: 1 });
      expect(rows.find((r) => r.msg_id === "49" && r.dir === "in")?.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it("journal wire prints frames decoded by name and field", async () => {
    const run = await h.cli(["wire", "--journal", captured, "--session", SESSION, "--type", "49"]).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/→ REQ_CURRENT_TIME\(49\) version=1/);
    expect(run.stdout).toMatch(/← CURRENT_TIME\(49\) version=1 time=\d{10}/);
    expect(run.stdout).not.toMatch(/TICK_PRICE/);
    const summary = await h.cli(["wire", "--journal", captured, "--session", SESSION, "--summary"]).done;
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout).toMatch(/3 cycles/);
    expect(summary.stdout).toMatch(/a day of 78 cycles: \d+\.\d\d MB/);
  });
});

describe("journal sim --from-journal", () => {
  it("serves the captured session back: live against it makes the same decisions", async () => {
    const playback = h.cli([
      "sim",
      "--from-journal",
      captured,
      "--session",
      SESSION,
      "--port",
      "0",
      "--quiet",
    ]);
    await until("playback listening", () => /listening on [\d.]+:\d+/.test(playback.output().stdout));
    const port = Number(/listening on [\d.]+:(\d+)/.exec(playback.output().stdout)![1]);
    const replayed = join(h.dir, "replayed.db");
    const run = await h.live(liveArgs(replayed, port)).done;
    expect(run.code, run.stderr).toBe(0);
    const original = decisions(journalEvents(captured));
    expect(original).toHaveLength(3);
    expect(original.some((d) => d.action === "enter")).toBe(true);
    expect(decisions(journalEvents(replayed))).toEqual(original);
    // The quotes the strategy saw are the captured ones too (their local timing aside). A cycle's
    // snapshots are requested together and journaled as they arrive, so their order within the
    // cycle is the network's: compare them as a multiset.
    const quotes = (p: string) =>
      journalEvents(p)
        .filter((e) => e.type === "QuoteSnapshot")
        .map((e) => JSON.stringify({ ...(e.payload as Record<string, unknown>), timing: undefined }))
        .sort();
    expect(quotes(replayed)).toEqual(quotes(captured));
    playback.child.kill("SIGTERM");
    const done = await playback.done;
    expect(done.stdout).toMatch(/playback stopped: \d+ requests served/);
  }, 60_000);

  it("rewrites request ids to the client's and answers a request never captured with ERR_MSG 321", async () => {
    const all = frames(captured);
    const server = await startPlayback({ frames: all, speed: 1000, log: () => {} });
    const socket = connect(server.port, server.host);
    const got: string[][] = [];
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
        const length = pending.readUInt32BE(0);
        got.push(
          pending
            .subarray(4, 4 + length)
            .toString("utf8")
            .split("\0")
            .slice(0, -1),
        );
        pending = pending.subarray(4 + length);
      }
    });
    try {
      await new Promise<void>((r) => socket.once("connect", () => r()));
      const hello = all[0]!.bytes;
      socket.write(hello);
      await until("server hello", () => got.length >= 1, 5000);
      // The bot's own first requests, as captured (START_API with another client id).
      socket.write(encodeMessage([71, 2, 555, ""]));
      socket.write(encodeMessage([49, 1]));
      await until("current time", () => got.some((m) => m[0] === "49"), 5000);
      // The captured contract-details request for SPY, with a request id of our own.
      const captureReq = all.find(
        (f) => f.dir === "out" && f.bytes.subarray(4).toString("utf8").startsWith("9\0"),
      )!;
      const fields = captureReq.bytes.subarray(4).toString("utf8").split("\0").slice(0, -1);
      fields[2] = "77";
      socket.write(encodeMessage(fields));
      await until("contract data end", () => got.some((m) => m[0] === "52"), 5000);
      expect(got.find((m) => m[0] === "10")?.[1]).toBe("77");
      expect(got.find((m) => m[0] === "52")?.[2]).toBe("77");
      // A contract the capture never saw.
      socket.write(
        encodeMessage([9, 8, 78, 0, "NVDA", "STK", "", 0, "", "", "SMART", "", "USD", "", "", 0, "", ""]),
      );
      await until("error", () => got.some((m) => m[0] === "4" && m[2] === "78"), 5000);
      const error = got.find((m) => m[0] === "4" && m[2] === "78")!;
      expect(error[3]).toBe("321");
      expect(error[4]).toMatch(/no answer left for REQ_CONTRACT_DATA reqId 78/);
      expect(server.stats.unknown).toBe(1);
    } finally {
      socket.destroy();
      await server.close();
    }
  });
});

describe("frames in export, import and verify", () => {
  it("survive export/import byte for byte, twice without duplicates", async () => {
    const exported = await h.cli(["export", "--journal", captured, "--session", SESSION]).done;
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^\{"frame":0,/m);
    const file = join(h.dir, "session.jsonl");
    writeFileSync(file, exported.stdout);
    const target = join(h.dir, "imported.db");
    for (let i = 0; i < 2; i++) {
      const run = await h.cli(["import", "--journal", target, file]).done;
      expect(run.code, run.stderr).toBe(0);
    }
    const strip = (f: WireFrame) => ({
      n: f.n,
      conn: f.conn,
      dir: f.dir,
      ts: f.ts,
      hex: f.bytes.toString("hex"),
    });
    expect(frames(target).map(strip)).toEqual(frames(captured).map(strip));
    const again = await h.cli(["export", "--journal", target, "--session", SESSION]).done;
    expect(again.stdout).toBe(exported.stdout);
    const verify = await h.cli(["verify", "--journal", target]).done;
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/\d+ wire frames chained/);
  });

  it("a tampered frame fails verify", async () => {
    const tampered = join(h.dir, "tampered.db");
    copyFileSync(captured, tampered);
    const db = new Database(tampered);
    db.exec("DROP TRIGGER wire_frames_no_update");
    db.prepare("UPDATE wire_frames SET bytes = ? WHERE seq = 5").run(Buffer.from("tampered"));
    db.close();
    for (const scope of [[], ["--new"], ["--session", SESSION]]) {
      const run = await h.cli(["verify", "--journal", tampered, ...scope]).done;
      expect(run.code, scope.join(" ")).toBe(1);
      expect(run.stderr, scope.join(" ")).toMatch(/verify failed at wire frame seq 5/);
    }
  });

  it("a frame rewritten with its own hash recomputed fails verify --session at its successor's link", async () => {
    const tampered = join(h.dir, "rehashed.db");
    copyFileSync(captured, tampered);
    const db = new Database(tampered);
    db.exec("DROP TRIGGER wire_frames_no_update");
    const prev = db.prepare("SELECT hash FROM wire_frames WHERE seq = 4").get() as { hash: string };
    const row = db.prepare("SELECT * FROM wire_frames WHERE seq = 5").get() as WireFrame;
    const bytes = Buffer.from("tampered");
    const hash = wireFrameHash(prev.hash, { ...row, bytes });
    db.prepare("UPDATE wire_frames SET bytes = ?, hash = ? WHERE seq = 5").run(bytes, hash);
    db.close();
    const run = await h.cli(["verify", "--journal", tampered, "--session", SESSION]).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /verify failed at wire frame seq 6: wire frame 6 does not match its hash \(changed, or a frame before it was\)/,
    );
  });
});
