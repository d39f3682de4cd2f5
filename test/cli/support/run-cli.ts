/**
 * The built CLI run as a user runs it, for the e2e tests of hostile files, odd paths and broken
 * disks: a child process, its exit code and output, and the check that a failure reads as one line.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect } from "vitest";

export const ROOT = join(import.meta.dirname, "..", "..", "..");
export const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
export const SAMPLE_0204 = join(ROOT, "data", "sample", "2026-02-04.jsonl");
export const SAMPLE_0205 = join(ROOT, "data", "sample", "2026-02-05.jsonl");

const { JOURNAL_PATH: _ignored, ...env } = process.env;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `journal <args>` in `cwd`, to its end. */
export function cli(args: readonly string[], cwd: string): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd, env, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `journal <args>` in `cwd` without waiting: commands that each wait out a timeout run side by side. */
export function cliAsync(args: readonly string[], cwd: string): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  return new Promise((resolve) => child.on("exit", (status) => resolve({ status, stdout, stderr })));
}

/** A failure as the user must see it: exit 1 and one line naming the problem, no stack trace. */
export function expectOneLineFailure(r: CliResult, message: RegExp, what = ""): void {
  expect(r.status, `${what}: ${r.stderr}`).toBe(1);
  expect(r.stderr, what).toMatch(message);
  expect(r.stderr.trim().split("\n"), `${what}: one line`).toHaveLength(1);
  expect(r.stderr, what).not.toMatch(/SqliteError|Unhandled|\n\s+at |this is a bug/);
}

/** A child process started with `args` that prints `ready` on stdout once it is set up. */
export async function startChild(args: readonly string[], ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes(ready)) resolve();
    });
    child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    child.on("exit", (code) =>
      reject(new Error(`${args.join(" ")} exited ${code} before "${ready}": ${err}`)),
    );
  });
  return child;
}

/** Kill `child` and wait until it is gone (its locks go with it). */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await gone;
}

/** Zero one page of the database file: the one holding the `offset`-th leaf of `table`, or page 1. */
export function zeroPage(path: string, which: { table: string; offset: number } | "header"): void {
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const page =
    which === "header"
      ? 1
      : (
          db
            .prepare(
              "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET ?",
            )
            .get(which.table, which.offset) as { pageno: number }
        ).pageno;
  db.close();
  const fd = openSync(path, "r+");
  writeSync(fd, Buffer.alloc(pageSize), 0, pageSize, (page - 1) * pageSize);
  closeSync(fd);
}
