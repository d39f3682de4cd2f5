/**
 * Nothing forged through import or export, with the built CLI on real files: an import holds each
 * added event to live's invariants (a closed run stays closed, a fill names an order the session
 * sent, timestamps inside the session's day, references to events that exist), refusing with the
 * file's line and changing nothing; an export refuses a session that fails verify, and a file
 * exported with --force is refused by import unless forced too.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const DAY = "2026-02-04";
const SAMPLE = readFileSync(join(ROOT, "data", "sample", `${DAY}.jsonl`), "utf8")
  .trim()
  .split("\n");
const dir = mkdtempSync(join(tmpdir(), "import-invariants-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { JOURNAL_PATH: _ignored, ...env } = process.env;
function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: dir,
    env,
    maxBuffer: 64 << 20,
  });
}
type Line = Record<string, unknown> & { payload: Record<string, unknown> };
const parse = (line: string) => JSON.parse(line) as Line;
const write = (name: string, lines: readonly (string | Line)[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`);
  return path;
};
const count = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  } finally {
    db.close();
  }
};
/** A ULID-shaped id no sample event has. */
let fresh = 0;
const newId = () => `01KZZZZZZZZZZZZZZZZZZZZ${String(fresh++).padStart(3, "0")}`;
let copies = 0;
const sampleCopy = () => {
  const path = join(dir, `sample-${copies++}.db`);
  copyFileSync(inject("sampleJournal"), path);
  return path;
};

/** One more fill of the session's last order: new id and execId, the next pos, 60 s after the end. */
function forgedFill(): Line {
  const last = parse(SAMPLE.at(-1)!);
  const fill = parse(SAMPLE.filter((l) => l.includes('"type":"OrderFilled"')).at(-1)!);
  return {
    ...fill,
    id: newId(),
    pos: (last.pos as number) + 1,
    ts: (last.ts as number) + 60_000,
    payload: { ...fill.payload, execId: "0000e0d5.20260204.99999999.01.01" },
  };
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
});

describe("import: a closed session stays closed", () => {
  it("refuses a fill appended after the session's SessionClosed, naming its line; the book is unchanged", () => {
    const file = write("forged.jsonl", [...SAMPLE, forgedFill()]);
    const journal = sampleCopy();
    const before = count(journal);
    const positions = cli(["positions", "--journal", journal, "--json"]).stdout;
    const r = cli(["import", file, "--journal", journal]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `forged\\.jsonl:${SAMPLE.length + 1}: live/${DAY} was closed at pos ${SAMPLE.length - 1} \\(SessionClosed`,
      ),
    );
    expect(r.stderr).toMatch(/a later run of the session starts with its own SessionOpened/);
    expect(count(journal)).toBe(before);
    expect(cli(["positions", "--journal", journal, "--json"]).stdout).toBe(positions);
    // Into a new journal: refused the same way, and no file is left behind.
    const target = join(dir, "forged-new.db");
    expect(cli(["import", file, "--journal", target]).status).toBe(1);
    expect(existsSync(target)).toBe(false);
  });

  it("takes a later run of the session that starts with its own SessionOpened, as live's restart writes it", () => {
    const last = parse(SAMPLE.at(-1)!);
    const opened = parse(SAMPLE[0]!);
    const run = [
      { ...opened, id: newId(), pos: (last.pos as number) + 1, ts: (last.ts as number) + 60_000 },
      { ...last, id: newId(), pos: (last.pos as number) + 2, ts: (last.ts as number) + 61_000 },
    ];
    const journal = sampleCopy();
    const r = cli(["import", write("restart.jsonl", [...SAMPLE, ...run]), "--journal", journal]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`2 added, ${SAMPLE.length} already present`));
  });
});

describe("import: each added event keeps live's invariants", () => {
  const at = (index: number, change: (l: Line) => void) => {
    // The sample's head, through the changed line (its first fill may come after a warm-up).
    const lines = SAMPLE.slice(0, Math.max(40, index + 1)).map(parse);
    change(lines[index]!);
    return lines;
  };
  const firstFill = SAMPLE.findIndex((l) => l.includes('"type":"OrderFilled"'));
  const cases: [string, Line[], RegExp][] = [
    [
      "a negative timestamp",
      at(12, (l) => {
        l.ts = -1000;
      }),
      /bad\.jsonl:13: ts -1000 \(1969-12-31T23:59:59\.000Z\) is outside session 2026-02-04's day/,
    ],
    [
      "a timestamp of another year than its session",
      at(12, (l) => {
        l.ts = (l.ts as number) - 365 * 86_400_000;
      }),
      /bad\.jsonl:13: ts \d+ \(2025-02-04T\S+\) is outside session 2026-02-04's day/,
    ],
    [
      "a timestamp a day after its session",
      at(12, (l) => {
        l.ts = (l.ts as number) + 86_400_000;
      }),
      /bad\.jsonl:13: ts \d+ \(2026-02-05T\S+\) is outside session 2026-02-04's day/,
    ],
    [
      "a causation that names no event",
      at(firstFill, (l) => {
        l.causation = "01KNOSUCHEVENTANYWHERE0000";
      }),
      new RegExp(`bad\\.jsonl:${firstFill + 1}: causation 01KNOSUCHEVENTANYWHERE0000 names no event`),
    ],
    [
      "a correlation that names an event only later in the file",
      at(5, (l) => {
        l.correlation = parse(SAMPLE[30]!).id;
      }),
      /bad\.jsonl:6: correlation \S+ names no event: .*\(it is on line 31, after the event it explains\)/,
    ],
    [
      "a fill of an order the session never sent",
      at(firstFill, (l) => {
        l.payload = { ...l.payload, orderId: 4242 };
      }),
      new RegExp(
        `bad\\.jsonl:${firstFill + 1}: OrderFilled of order 4242 .* names no order live/2026-02-04 sent`,
      ),
    ],
  ];
  for (const [what, lines, pattern] of cases) {
    it(`refuses ${what}, naming its line, and creates nothing`, () => {
      const target = join(dir, `bad-${fresh++}.db`);
      const r = cli(["import", write("bad.jsonl", lines), "--journal", target]);
      expect(r.status, r.stdout).toBe(1);
      expect(r.stderr).toMatch(pattern);
      expect(existsSync(target)).toBe(false);
    });
  }

  it("still imports the bundled sample sessions (recorded by live against the simulator), and they verify", () => {
    const target = join(dir, "both.db");
    for (const day of ["2026-02-04", "2026-02-05"]) {
      const r = cli(["import", join(ROOT, "data", "sample", `${day}.jsonl`), "--journal", target]);
      expect(r.status, r.stderr).toBe(0);
    }
    expect(cli(["verify", "--journal", target]).status).toBe(0);
  });
});

describe("export verifies what it exports", () => {
  /** The sample with one fill's price edited in place, its triggers dropped first. */
  function tampered(): { journal: string; seq: number } {
    const journal = sampleCopy();
    const db = new Database(journal);
    db.exec("DROP TRIGGER events_no_update");
    const { seq } = db
      .prepare("SELECT seq FROM events WHERE type = 'OrderFilled' AND session = ? ORDER BY seq LIMIT 1")
      .get(DAY) as { seq: number };
    db.prepare("UPDATE events SET payload = json_set(payload, '$.priceUsd', 0.01) WHERE seq = ?").run(seq);
    db.close();
    return { journal, seq };
  }

  it("refuses a session whose rows were changed, naming the first bad seq, and writes no line", () => {
    const { journal, seq } = tampered();
    const r = cli(["export", "--session", DAY, "--journal", journal]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`session ${DAY} of \\S+ fails verify at event seq ${seq}: hash chain broken`),
    );
    expect(r.stderr).toMatch(/pass --force to export it anyway/);
    expect(r.stdout).toBe("");
  });

  it("with --force writes the session marked so on its first line; import refuses that file unless forced too", () => {
    const { journal, seq } = tampered();
    const r = cli(["export", "--session", DAY, "--journal", journal, "--force"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: session 2026-02-04 fails verify at seq \d+/);
    const lines = r.stdout.trim().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ forced: { session: DAY, seq } });
    expect(lines.length).toBe(SAMPLE.length + 1);
    const file = write("forced.jsonl", lines);
    const target = join(dir, "laundered.db");
    const refused = cli(["import", file, "--journal", target]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `forced\\.jsonl:1: written by \`journal export --force\`: session ${DAY} failed verify where it was exported \\(seq ${seq}: `,
      ),
    );
    expect(existsSync(target)).toBe(false);
    const taken = cli(["import", file, "--journal", target, "--force"]);
    expect(taken.status, taken.stderr).toBe(0);
    expect(taken.stderr).toMatch(/warning: \S+ was exported with --force: session 2026-02-04 failed verify/);
    expect(taken.stdout).toMatch(new RegExp(`${SAMPLE.length} added`));
  });

  it("exports an intact session byte for byte as before, with no header", () => {
    const r = cli(["export", "--session", DAY, "--journal", sampleCopy()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${SAMPLE.join("\n")}\n`);
  });
});
