/**
 * Shipping is exactly once whatever the batch size and wherever it is interrupted: after any
 * number of interrupted attempts and one that runs to the end, the central copy is the source.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticSession } from "../../bench/synthetic-journal.js";
import { openJournal, openShipTarget, SeededIdGen, shipJournal } from "../../src/events/index.js";
import { asOwner, dropDatabase, freshDatabase, testPgUrl } from "./pg-support.js";

const PG_URL = testPgUrl();
const dir = mkdtempSync(join(tmpdir(), "ship-property-"));
let url = "";

beforeAll(async () => {
  if (PG_URL) url = await freshDatabase(PG_URL);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (url) await dropDatabase(url);
});

class Interrupted extends Error {}

describe.skipIf(!PG_URL)("ship, property", () => {
  it("ends with exactly the source's rows after interruptions at any batch", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(
          fc.record({ batch: fc.integer({ min: 1, max: 80 }), stopAfter: fc.integer({ min: 1, max: 4 }) }),
          {
            maxLength: 3,
          },
        ),
        fc.integer({ min: 1, max: 80 }),
        async (cycles, attempts, finalBatch) => {
          run += 1;
          // Each run is another bot with its own ids (ids are unique across the fleet).
          const path = join(dir, `bot-${run}.db`);
          const writer = openJournal(path, { idGen: new SeededIdGen(1000 + run) });
          writer.append("live", "2026-02-04", syntheticSession("2026-02-04", cycles));
          writer.close();
          const bot = `bot-${run}`;
          const source = openJournal(path, { readonly: true });
          try {
            for (const { batch, stopAfter } of attempts) {
              const target = await openShipTarget(url, bot);
              let batches = 0;
              await shipJournal(source, target, {
                batchSize: batch,
                onBatch: () => {
                  if (++batches === stopAfter) throw new Interrupted();
                },
              }).catch((error) => {
                if (!(error instanceof Interrupted)) throw error;
              });
              await target.close();
            }
            const target = await openShipTarget(url, bot);
            await shipJournal(source, target, { batchSize: finalBatch });
            await target.close();
          } finally {
            source.close();
          }
          const raw = new Database(path, { readonly: true });
          const expected = raw.prepare("SELECT seq, id, hash FROM events ORDER BY seq").all();
          raw.close();
          const actual = await asOwner(
            url,
            "SELECT seq::int AS seq, id, hash FROM events WHERE bot = $1 ORDER BY seq",
            [bot],
          );
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 12 },
    );
  });
});
