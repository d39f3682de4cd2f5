/** A session with no SessionOpened names no strategy: replay asks for --strategy (a usage error). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openJournal } from "../../src/events/index.js";
import { runReplay, StrategyRejected } from "../../src/replay/index.js";
import { replayOptions } from "../support/replay-options.js";

const dir = mkdtempSync(join(tmpdir(), "no-opened-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a session without SessionOpened", () => {
  it("is refused as StrategyRejected naming --strategy, with or without a window", async () => {
    const path = join(dir, "j.db");
    const journal = openJournal(path);
    journal.append("live", "2026-02-04", [
      {
        type: "CycleStarted",
        version: 1,
        ts: Date.UTC(2026, 1, 4, 15),
        payload: { cycle: 1, symbols: ["SPY"], gatewayTimeMs: Date.UTC(2026, 1, 4, 15) },
      },
    ]);
    journal.close();
    for (const window of [{}, { fromTs: Date.UTC(2026, 1, 4, 15), toTs: Date.UTC(2026, 1, 4, 17) }]) {
      const replay = runReplay(replayOptions({ journal: path, sessions: ["2026-02-04"], ...window }));
      await expect(replay).rejects.toBeInstanceOf(StrategyRejected);
      await expect(
        runReplay(replayOptions({ journal: path, sessions: ["2026-02-04"], ...window })),
      ).rejects.toThrow(/no SessionOpened .*pass --strategy NAME/);
    }
  });
});
