/**
 * Replay from the fleet's PostgreSQL journal gives what replay from the Pi's SQLite file gives:
 * the same events in, the same decisions, trades and output out.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  importJsonLines,
  openJournal,
  openShipTarget,
  SeededIdGen,
  shipJournal,
  toJsonLine,
} from "../../src/events/index.js";
import { runReplay } from "../../src/replay/index.js";
import { replayOptions } from "../support/replay-options.js";
import { dropDatabase, freshDatabase, testPgUrl } from "./pg-support.js";

const ROOT = join(import.meta.dirname, "..", "..");
const PG_URL = testPgUrl();
const dir = mkdtempSync(join(tmpdir(), "replay-pg-"));
const sample = join(dir, "sample.db");
let url = "";

beforeAll(async () => {
  if (!PG_URL) return;
  url = await freshDatabase(PG_URL);
  const journal = openJournal(sample, { idGen: new SeededIdGen(2) });
  for (const day of ["2026-02-04", "2026-02-05"])
    importJsonLines(journal, readFileSync(join(ROOT, "data", "sample", `${day}.jsonl`), "utf8"), day);
  journal.close();
  const source = openJournal(sample, { readonly: true });
  const target = await openShipTarget(url, "pi-spy");
  await shipJournal(source, target);
  await target.close();
  source.close();
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (url) await dropDatabase(url);
});

/** The output journal as JSON lines, with what names the source (its location, and the ids seeded by it) neutral. */
function exported(path: string, source: string): string {
  const journal = openJournal(path, { readonly: true });
  const ids = new Map<string, string>();
  const neutral = (id: string) => {
    if (!ids.has(id)) ids.set(id, `id-${ids.size}`);
    return ids.get(id)!;
  };
  try {
    const events = [...journal.read()];
    for (const e of events) {
      neutral(e.stream);
      neutral(e.id);
    }
    return events
      .map((e) => toJsonLine(e))
      .join("\n")
      .replaceAll(JSON.stringify(source), '"<source>"')
      .replace(/replay-[0-9A-Z]{26}|[0-9A-Z]{26}/g, (id) => ids.get(id) ?? id);
  } finally {
    journal.close();
  }
}

describe.skipIf(!PG_URL)("replay from PostgreSQL", () => {
  it("equals the replay from the SQLite source (parity and a what-if, two sessions)", async () => {
    const base = { sessions: ["2026-02-04", "2026-02-05"] };
    for (const paramOverrides of [{}, { stopLossPct: 0.5, profitTargetPct: 0.9 }]) {
      const liteOut = join(dir, `lite-${Object.keys(paramOverrides).length}.db`);
      const pgOut = join(dir, `pg-${Object.keys(paramOverrides).length}.db`);
      const lite = await runReplay(replayOptions({ ...base, paramOverrides, journal: sample, out: liteOut }));
      const fleet = await runReplay(
        replayOptions({ ...base, paramOverrides, journal: url, bot: "pi-spy", out: pgOut }),
      );
      expect(fleet.map((r) => [r.events, r.parity, r.replay, r.live])).toEqual(
        lite.map((r) => [r.events, r.parity, r.replay, r.live]),
      );
      const expected = exported(liteOut, sample);
      expect(expected.length).toBeGreaterThan(1000);
      expect(exported(pgOut, url)).toBe(expected);
    }
  });

  it("asks whose sessions when the fleet journal is given without --bot", async () => {
    await expect(
      runReplay(
        replayOptions({
          journal: url,
          out: join(dir, "x.db"),
          sessions: ["2026-02-04"],
        }),
      ),
    ).rejects.toThrow(/--bot NAME/);
  });
});
