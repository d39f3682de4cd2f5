/**
 * A `journal sql` query never outlives its command: killed (SIGKILL, which nothing can catch) or
 * stopped (SIGTERM) in the middle of a long query, the command's child process that runs it is
 * gone within a second, as `/proc` shows. And `--timeout` takes any value up to its stated maximum.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "sql-lifetime-"));
const journal = join(dir, "journal.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { JOURNAL_PATH: _ignored, ...env } = process.env;
/** One aggregate over an endless recursive CTE: a single native call that never returns. */
const RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
  copyFileSync(inject("sampleJournal"), journal);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process that still runs: not gone from /proc, and not a zombie waiting for its new parent. */
function running(pid: number): boolean {
  try {
    return !/^State:\s+[ZX]/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** CPU seconds a process has used (utime + stime from /proc/PID/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The command's child once it is busy in the query (so the kill lands mid-statement). */
async function busyChild(command: ChildProcess): Promise<number> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      const kids = readFileSync(`/proc/${command.pid}/task/${command.pid}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      // Node's start-up costs a few tenths of a CPU second at most; past that, SQLite is counting.
      if (kids.length === 1 && cpuSeconds(kids[0]!) > 0.6) return kids[0]!;
    } catch {
      // Not there yet.
    }
    await sleep(50);
  }
  throw new Error("the sql command started no busy child within 20 s");
}

describe("journal sql's query process dies with the command", () => {
  // On Linux the kernel kills the query's process (setpriv --pdeathsig); the polling thread is
  // what other systems get, and JOURNAL_SQL_PARENT_WATCH=thread asks for it here.
  const cases = [
    ["SIGKILL", "kernel"],
    ["SIGKILL", "thread"],
    ["SIGTERM", "kernel"],
  ] as const;
  for (const [signal, watch] of cases) {
    it(`a ${signal} of the command in a long query leaves no process running it after a second (${watch} watch)`, async () => {
      const command = spawn(process.execPath, [BIN, "sql", RUNAWAY, "--timeout", "0", "--journal", journal], {
        cwd: dir,
        env: watch === "thread" ? { ...env, JOURNAL_SQL_PARENT_WATCH: "thread" } : env,
        stdio: "ignore",
      });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        command.on("exit", (code, sig) => resolve({ code, signal: sig })),
      );
      const child = await busyChild(command);
      try {
        command.kill(signal);
        const start = performance.now();
        const end = await exited;
        if (signal === "SIGTERM") expect(end.code).toBe(143);
        while (running(child) && performance.now() - start < 3000) await sleep(20);
        const gone = performance.now() - start;
        expect(
          running(child),
          `query process ${child} still running ${gone.toFixed(0)} ms after ${signal}`,
        ).toBe(false);
        expect(gone).toBeLessThan(1000);
      } finally {
        if (running(child)) process.kill(child, "SIGKILL");
      }
    }, 40_000);
  }
});

describe("journal sql --timeout", () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: "utf8", timeout: 30_000 });

  it("runs a query under the longest timeout it accepts (7 days), which no timer overflow cuts short", () => {
    const r = cli([
      "sql",
      "SELECT 42 AS answer",
      "--timeout",
      "604800",
      "--journal",
      journal,
      "--format",
      "csv",
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("answer\n42\n");
  });

  it("refuses a longer one as a usage error naming the maximum (30 days overflowed a timer and stopped at once)", () => {
    const r = cli(["sql", "SELECT 42 AS answer", "--timeout", "2592000", "--journal", journal]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^--timeout 2592000: at most 604800 s \(7 days\); for no limit at all give --timeout 0\n$/,
    );
    expect(r.stdout).toBe("");
  });
});
