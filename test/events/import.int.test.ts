/**
 * Imports that cannot forge history: whole new sessions or a stream continued at its end (with
 * its previous event), never a taken `pos`, never a change to the past; strict fields, safe
 * names, real dates, and file:line on every refusal.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  ImportLineError,
  importJsonLines,
  type Journal,
  openJournal,
  toJsonLine,
  upcast,
} from "../../src/events/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const SAMPLE = readFileSync(join(ROOT, "data", "sample", "2026-02-04.jsonl"), "utf8")
  .trim()
  .split("\n");
const dir = mkdtempSync(join(tmpdir(), "journal-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): Journal => openJournal(join(dir, `j${n++}.db`));
/** A sample line as the journal holds it: old event versions are upcast on append (DESIGN). */
const asStored = (line: string): string => {
  const o = JSON.parse(line) as { type: never; version: number; payload: unknown };
  return JSON.stringify({ ...o, ...upcast(o.type, o.version, o.payload) });
};
const text = (lines: readonly string[]) => `${lines.join("\n")}\n`;
const edit = (line: string, change: (o: Record<string, unknown>) => void): string => {
  const o = JSON.parse(line) as Record<string, unknown>;
  change(o);
  return JSON.stringify(o);
};
const exportAll = (j: Journal) => [...j.read()].map(toJsonLine);
const FIRST = SAMPLE.slice(0, 300);

function refused(j: Journal, lines: readonly string[], pattern: RegExp): void {
  const before = exportAll(j);
  expect(() => importJsonLines(j, text(lines), "in.jsonl")).toThrow(pattern);
  expect(exportAll(j)).toEqual(before);
}

describe("import never rewrites history", () => {
  it("refuses a fill appended to a live session without its previous event, naming file:line", () => {
    const j = fresh();
    importJsonLines(j, text(FIRST), "day.jsonl");
    // A forged line at the session's current end, as the adversarial test wrote it.
    const forged = edit(SAMPLE[310]!, (o) => {
      o.pos = 300;
    });
    refused(j, [forged], /in\.jsonl:1: continues live\/2026-02-04 at pos 300 without its previous event/);
  });

  it("refuses a pos already taken by another event, and an id reused with another body", () => {
    const j = fresh();
    importJsonLines(j, text(FIRST), "day.jsonl");
    const taken = edit(SAMPLE[400]!, (o) => {
      o.pos = 5;
    });
    refused(j, [...FIRST.slice(0, 5), taken], /in\.jsonl:6: pos 5 of live\/2026-02-04 is already taken/);
    const changed = edit(FIRST[7]!, (o) => {
      o.ts = (o.ts as number) + 1;
    });
    refused(
      j,
      [...FIRST.slice(0, 7), changed],
      /in\.jsonl:8: event \S+ is already in the journal with a different body/,
    );
    const elsewhere = edit(FIRST[3]!, (o) => {
      o.session = "2026-02-05";
      o.pos = 0;
    });
    refused(j, [elsewhere], /in\.jsonl:1: id \S+ is already in the journal as live\/2026-02-04 pos 3/);
  });

  it("continues a stream at its end when the file holds its history, and adds nothing twice", () => {
    const j = fresh();
    importJsonLines(j, text(FIRST), "morning.jsonl");
    const r = importJsonLines(j, text(SAMPLE.slice(0, 320)), "day.jsonl");
    expect(r).toEqual({ lines: 320, added: 20, alreadyPresent: 300 });
    // A file holding just the tail, starting at the previous event, is enough.
    const tail = importJsonLines(j, text(SAMPLE.slice(319, 330)), "tail.jsonl");
    expect(tail).toEqual({ lines: 11, added: 10, alreadyPresent: 1 });
    expect(j.verify().ok).toBe(true);
    expect(exportAll(j)).toEqual(SAMPLE.slice(0, 330).map(asStored));
  });

  it("refuses gaps, in the file and against the journal", () => {
    const j = fresh();
    refused(j, [SAMPLE[0]!, SAMPLE[2]!], /in\.jsonl:2: pos 2 of live\/2026-02-04 follows pos 0/);
    refused(
      j,
      SAMPLE.slice(3, 6),
      /in\.jsonl:1: pos 3 of live\/2026-02-04 leaves a gap: the journal's next position there is 0/,
    );
  });

  it("property: any change to an imported line's past is refused and the journal is unchanged", () => {
    const base = fresh();
    importJsonLines(base, text(FIRST.slice(0, 120)), "base.jsonl");
    const tampers: ((o: Record<string, unknown>) => void)[] = [
      (o) => {
        o.ts = (o.ts as number) + 1;
      },
      (o) => {
        const id = o.id as string;
        o.id = `${id.slice(0, -1)}${id.endsWith("Z") ? "Y" : "Z"}`;
      },
      (o) => {
        o.correlation = "forged";
      },
      (o) => {
        o.pos = (o.pos as number) + 1;
      },
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 119 }),
        fc.integer({ min: 0, max: tampers.length - 1 }),
        fc.integer({ min: 120, max: 200 }),
        (index, which, upTo) => {
          const lines = FIRST.slice(0, upTo);
          lines[index] = edit(lines[index]!, tampers[which]!);
          refused(base, lines, /in\.jsonl:\d+: /);
        },
      ),
      { numRuns: 40 },
    );
    expect(base.lastSeq()).toBe(120);
  }, 60_000);
});

describe("import reads its file strictly", () => {
  const j = fresh();
  const cases: [string, string, RegExp][] = [
    [
      "an unknown envelope field",
      edit(SAMPLE[0]!, (o) => {
        o.password = "x";
      }),
      /f\.jsonl:1: unknown field\(s\) "password" in the envelope/,
    ],
    [
      "a seq from another journal",
      edit(SAMPLE[0]!, (o) => {
        o.seq = 9;
      }),
      /unknown field\(s\) "seq"/,
    ],
    [
      "an unknown payload field",
      edit(SAMPLE[1]!, (o) => {
        (o.payload as Record<string, unknown>).password = "x";
      }),
      /f\.jsonl:1: unknown field "payload\.password"/,
    ],
    [
      "an unsafe stream name",
      edit(SAMPLE[0]!, (o) => {
        o.stream = "../../etc/passwd";
      }),
      /field "stream" is not a safe stream name/,
    ],
    [
      "a date that does not exist",
      edit(SAMPLE[0]!, (o) => {
        o.session = "2026-13-45";
      }),
      /field "session" is not a real trading date/,
    ],
    [
      "February 30th",
      edit(SAMPLE[0]!, (o) => {
        o.session = "2026-02-30";
      }),
      /field "session" is not a real trading date/,
    ],
    [
      "deep nesting",
      SAMPLE[0]!.replace(/"payload":.*}$/, `"payload":${"[".repeat(100_000)}${"]".repeat(100_000)}}`),
      /f\.jsonl:1: nested deeper than 32 levels/,
    ],
  ];
  for (const [what, line, pattern] of cases) {
    it(`refuses ${what}, naming file:line, and writes nothing`, () => {
      let error: unknown;
      try {
        importJsonLines(j, text([line]), "f.jsonl");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ImportLineError);
      expect((error as Error).message).toMatch(pattern);
      expect(j.lastSeq()).toBe(0);
    });
  }

  it("refuses an unsafe stream on append too", () => {
    expect(() => j.append("../x", "2026-02-04", [])).toThrow(/not a safe stream name/);
  });
});
