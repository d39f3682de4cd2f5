/**
 * One read-only statement for `journal serve`'s SQL page, run exactly as `journal sql` runs it: in
 * the runner child process (sql-runner.ts), which opens the journal read-only and is SIGKILLed at
 * the time limit, whatever SQLite is doing. The rows come back as JSON, at most `maxRows`.
 */
import { spawn } from "node:child_process";
import type { SqlOutcome } from "../serve/index.js";
import { runnerArgs } from "./sql-child.js";
import { SQL_ROWS_CUT } from "./sql-output.js";
import type { SqlJob } from "./sql-runner.js";

/** Run `query` on the journal at `journal`; never rejects (a failure is an outcome). */
export function runSqlCaptured(
  journal: string,
  query: string,
  timeoutSeconds: number,
  maxRows: number,
): Promise<SqlOutcome> {
  const job: SqlJob = { journal, query, format: "json", maxTableRows: 0, maxJsonRows: maxRows };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, runnerArgs(), { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    let timedOut = false;
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => (err += c));
    child.stdin.on("error", () => {});
    child.stdin.end(`${JSON.stringify(job)}\n`);
    const timer = setTimeout(() => {
      timedOut = true;
      // SIGKILL: SQLite may be deep inside one native call that nothing else can stop.
      child.kill("SIGKILL");
    }, timeoutSeconds * 1000);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ kind: "failed", message: `could not start the query: ${error.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut)
        return resolve({
          kind: "timeout",
          message: `Stopped after ${timeoutSeconds} s; the journal was only read. Narrow the query (WHERE, LIMIT).`,
        });
      const message = err.trim();
      if (code !== 0)
        return resolve({
          kind: /read-only/.test(message) ? "refused" : "failed",
          message: message || `the query failed (exit ${code})`,
        });
      const objects = JSON.parse(Buffer.concat(out).toString("utf8") || "[]") as Record<string, unknown>[];
      const columns = objects.length ? Object.keys(objects[0]!) : [];
      resolve({
        kind: "rows",
        columns,
        rows: objects.map((o) => columns.map((c) => o[c])),
        truncated: message.includes(SQL_ROWS_CUT),
      });
    });
  });
}
