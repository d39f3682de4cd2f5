/**
 * The built CLI on the integrity paths a user meets: `backup` while a writer appends, an import
 * that fails leaving no file, `sql` stopped by its timeout and streaming millions of rows in
 * flat memory, and every read command on a read-only journal in a read-only directory, run as an
 * unprivileged user (root ignores file modes, so chmod alone would prove nothing here).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOURNAL_WRITER as WRITER } from "../support/journal-writer.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const SAMPLE = join(ROOT, "data", "sample", "2026-02-04.jsonl");
/** Events in the sample (re-recording it changes the number). */
const N = readFileSync(SAMPLE, "utf8").trim().split("\n").length;
const dir = mkdtempSync(join(tmpdir(), "journal-integrity-"));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { JOURNAL_PATH: _ignored, ...env } = process.env;
function cli(args: string[], asUser?: "nobody") {
  const command = asUser
    ? ([
        "setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, BIN, ...args],
      ] as const)
    : ([process.execPath, [BIN, ...args]] as const);
  return spawnSync(command[0], command[1], { encoding: "utf8", cwd: dir, env, maxBuffer: 256 << 20 });
}
const count = (path: string) => {
  const db = new Database(path, { readonly: true });
  const n = (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  db.close();
  return n;
};

const sample = join(dir, "sample.db");
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
  expect(cli(["import", SAMPLE, "--journal", sample]).status).toBe(0);
}, 60_000);

describe("journal backup", () => {
  it("copies a journal that is being appended to, with the events still in its -wal, and the copy verifies", async () => {
    const live = join(dir, "live.db");
    copyFileSync(sample, live);
    const writer: ChildProcess = spawn(process.execPath, [WRITER, live, "bk"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let acked = 0;
    writer.stdout!.on("data", (c: Buffer) => {
      acked += c.toString().split("\n").length - 1;
    });
    try {
      while (acked < 300) await new Promise((r) => setTimeout(r, 10));
      // What the README used to say: copy the .db. The events in the -wal are not in it.
      const naive = join(dir, "naive.db");
      copyFileSync(live, naive);
      const out = join(dir, "backup.db");
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, [BIN, "backup", "--journal", live, "--out", out], {
          cwd: dir,
          env,
        });
        let stdout = "";
        let stderr = "";
        p.stdout.on("data", (c) => (stdout += c));
        p.stderr.on("data", (c) => (stderr += c));
        p.on("exit", (status) => resolve({ status, stdout, stderr }));
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/backed up \d+ events .* the copy verifies/);
      expect(existsSync(`${out}-wal`)).toBe(false);
      const copied = count(out);
      expect(copied).toBeGreaterThanOrEqual(N + 300);
      expect(readdirSync(dir).filter((f) => f.includes(".partial-"))).toEqual([]);
      expect(cli(["verify", "--journal", out]).status).toBe(0);
      const naiveCount = (() => {
        try {
          return count(naive);
        } catch {
          return 0;
        }
      })();
      expect(naiveCount).toBeLessThan(copied);
    } finally {
      writer.kill("SIGKILL");
    }
  }, 120_000);

  it("refuses to back up onto the journal itself or into a missing directory, and leaves no partial file", () => {
    const self = cli(["backup", "--journal", sample, "--out", sample]);
    expect(self.status).toBe(1);
    expect(self.stderr).toMatch(/is the journal itself/);
    const missing = cli(["backup", "--journal", sample, "--out", join(dir, "nope", "b.db")]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/does not exist; create it first/);
  });
});

describe("journal verify", () => {
  it("records a verified point, then --new checks only what came after it; --session checks one day", () => {
    const path = join(dir, "verify.db");
    copyFileSync(sample, path);
    const full = cli(["verify", "--journal", path]);
    expect(full.status, full.stderr).toBe(0);
    expect(full.stdout).toMatch(
      new RegExp(`^ok: ${N} events, .*integrity_check ok.*verified up to seq ${N}`),
    );
    const again = cli(["verify", "--new", "--journal", path]);
    expect(again.stdout).toMatch(new RegExp(`^ok: 0 events, .*new since seq ${N}`));
    const day = cli(["verify", "--session", "2026-02-04", "--journal", path]);
    expect(day.stdout).toMatch(new RegExp(`^ok: ${N} events, .*session 2026-02-04`));
  }, 60_000);
});

describe("journal import", () => {
  it("leaves no file behind when a bad file was imported to a new path", () => {
    const target = join(dir, "new", "j.db");
    mkdirSync(join(dir, "new"));
    const lines = readFileSync(SAMPLE, "utf8").split("\n");
    lines[40] = lines[40]!.replace('"stream":"live"', '"stream":"../../etc/passwd"');
    writeFileSync(join(dir, "bad.jsonl"), lines.join("\n"));
    const r = cli(["import", "bad.jsonl", "--journal", target]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.jsonl:41: field "stream" is not a safe stream name/);
    expect(readdirSync(join(dir, "new"))).toEqual([]);
    // A file that parses but may not join (a taken pos) fails after the journal was opened: still nothing left.
    const taken = readFileSync(SAMPLE, "utf8").split("\n").slice(0, 3);
    taken[2] = taken[2]!.replace('"pos":2', '"pos":1');
    writeFileSync(join(dir, "taken.jsonl"), taken.join("\n"));
    expect(cli(["import", "taken.jsonl", "--journal", target]).status).toBe(1);
    expect(readdirSync(join(dir, "new"))).toEqual([]);
  });
});

describe("journal sql is bounded", () => {
  it("stops a runaway statement at --timeout (an aggregate over an infinite recursive CTE)", () => {
    const start = performance.now();
    const r = cli([
      "sql",
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
      "--timeout",
      "1",
      "--journal",
      sample,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/stopped after 1 s \(--timeout\)/);
    expect(performance.now() - start).toBeLessThan(20_000);
  }, 30_000);

  it("streams 3 M rows as CSV with memory that does not grow with the result", async () => {
    const rss = async (rows: number) => {
      const p = spawn(
        process.execPath,
        [
          BIN,
          "sql",
          `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT ${rows}) SELECT x, 'row ' || x AS label FROM c`,
          "--format",
          "csv",
          "--timeout",
          "0",
          "--journal",
          sample,
        ],
        { cwd: dir, env },
      );
      let lines = 0;
      let peak = 0;
      p.stdout.on("data", (c: Buffer) => {
        for (const byte of c) if (byte === 10) lines += 1;
      });
      const poll = setInterval(() => {
        // The CLI and its query child: the peak resident size of each, as the kernel counts it.
        try {
          const kids = readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, "utf8")
            .trim()
            .split(/\s+/)
            .filter(Boolean);
          for (const pid of [String(p.pid), ...kids]) {
            const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
            if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
          }
        } catch {
          // The process ended between two polls.
        }
      }, 50);
      const status = await new Promise((r) => p.on("exit", r));
      clearInterval(poll);
      expect(status).toBe(0);
      expect(lines).toBe(rows + 1);
      return peak;
    };
    const small = await rss(100_000);
    const large = await rss(3_000_000);
    console.log(
      `journal sql --format csv peak RSS: 100k rows ${small.toFixed(0)} MB, 3M rows ${large.toFixed(0)} MB`,
    );
    expect(large).toBeLessThan(small + 40);
    expect(large).toBeLessThan(250);
  }, 180_000);

  it("refuses a table too long to align, with a hint, and a PRAGMA that would write", () => {
    const long = cli([
      "sql",
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 200000) SELECT x FROM c",
      "--journal",
      sample,
    ]);
    expect(long.status).toBe(2);
    expect(long.stderr).toMatch(/more than 10000 rows.*use --format csv or --format json/);
    expect(long.stderr).not.toMatch(/Maximum call stack/);
    const pragma = cli(["sql", "PRAGMA journal_mode=DELETE", "--journal", sample]);
    expect(pragma.status).toBe(2);
    expect(pragma.stderr).toMatch(/journal sql is read-only/);
    expect(pragma.stderr).not.toMatch(/disk I\/O error/);
  });
});

describe("a read-only journal in a read-only directory, read by an unprivileged user", () => {
  const ro = join(dir, "ro");
  const path = join(ro, "journal.db");
  const outDir = join(dir, "nobody-out");
  beforeAll(() => {
    mkdirSync(ro);
    mkdirSync(outDir);
    chmodSync(outDir, 0o777);
    expect(cli(["backup", "--journal", sample, "--out", path]).status).toBe(0);
    chmodSync(path, 0o444);
    // root owns the directory: `nobody` may read it but create nothing in it.
    chmodSync(ro, 0o755);
  });
  const whoami = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "id", "-u"], {
    encoding: "utf8",
  });
  const canDrop = whoami.status === 0 && whoami.stdout.trim() === "65534";

  it.skipIf(!canDrop)(
    "runs every read command and creates no file there",
    () => {
      const before = readdirSync(ro);
      for (const args of [
        ["sessions"],
        ["verify"],
        ["verify", "--session", "2026-02-04"],
        ["export", "--session", "2026-02-04"],
        ["positions"],
        ["orders"],
        ["sql", "SELECT count(*) AS n FROM events"],
        ["replay", "--session", "2026-02-04", "--out", join(outDir, "replay.db"), "--json"],
      ]) {
        const r = cli([...args, "--journal", path], "nobody");
        expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      }
      expect(readdirSync(ro)).toEqual(before);
    },
    120_000,
  );

  it.skipIf(!canDrop)("says that write commands need write access, without a raw SQLite error", () => {
    for (const args of [["rebuild"], ["import", SAMPLE]]) {
      const r = cli([...args, "--journal", path], "nobody");
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(/needs write access to the file and its directory/);
      expect(r.stderr).not.toMatch(/SqliteError|at .*\.js:\d+/);
    }
    const b = cli(["backup", "--journal", path, "--out", join(ro, "b.db")], "nobody");
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(/cannot write here/);
  });
});
