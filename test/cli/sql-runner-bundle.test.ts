/**
 * `journal sql` starts its child from the build's one-file bundle (scripts/bundle-sql-runner.mjs).
 * The bundle must be what runs, must answer as the modules it was made of do, and must still find
 * the event catalogue that catalogue-lazy.ts requires by a path next to itself.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { SQL_RUNNER_BUNDLE } from "../../scripts/bundle-sql-runner.mjs";
import { runnerArgs } from "../../src/cli/sql-child.js";
import { openJournal } from "../../src/events/index.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
// The global setup built dist/ (and with it the bundle) before any test runs.
const BUNDLED = join(SQL_RUNNER_BUNDLE, "sql-runner.js");
const MODULES = join(ROOT, "dist", "src", "cli", "sql-runner.js");

/** One job through a runner, as the parent hands it over (one JSON line on stdin). */
function runJob(runner: string, job: Record<string, unknown>) {
  return spawnSync(process.execPath, [runner], {
    input: `${JSON.stringify({ format: "csv", maxTableRows: 100, ...job })}\n`,
    encoding: "utf8",
    timeout: 30_000,
  });
}

describe("the bundled SQL child", () => {
  it("is what `journal sql` starts, from the built CLI's own folder", () => {
    expect(existsSync(BUNDLED)).toBe(true);
    // The sources' sql-child.ts (under tsx) finds no bundle beside it: the built one does.
    const built = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(join(ROOT, "dist", "src", "cli", "sql-child.js"))}); console.log(JSON.stringify(m.runnerArgs()));`,
      ],
      { encoding: "utf8" },
    );
    expect(JSON.parse(built.stdout)).toEqual([BUNDLED]);
    expect(runnerArgs()).not.toContain(BUNDLED);
  });

  it("answers a query, a refusal and a missing journal as the modules it was made of do", () => {
    const dir = mkdtempSync(join(tmpdir(), "sql-bundle-"));
    const journal = join(dir, "j.db");
    openJournal(journal).close();
    const jobs = [
      { journal, query: "SELECT 6 * 7 AS answer, 'a,b' AS text" },
      { journal, query: "DELETE FROM events" },
      { journal, query: "SELEC 1" },
      { journal: join(dir, "none.db"), query: "SELECT 1" },
    ];
    for (const job of jobs) {
      const [bundled, modules] = [runJob(BUNDLED, job), runJob(MODULES, job)];
      expect({ status: bundled.status, stdout: bundled.stdout, stderr: bundled.stderr }, job.query).toEqual({
        status: modules.status,
        stdout: modules.stdout,
        stderr: modules.stderr,
      });
    }
    expect(runJob(BUNDLED, jobs[0]!).stdout).toBe('answer,text\n42,"a,b"\n');
  });

  it("keeps the catalogue's lazily required modules by name beside the loader that requires them", () => {
    const files = readdirSync(SQL_RUNNER_BUNDLE);
    const loader = files.find((f) =>
      readFileSync(join(SQL_RUNNER_BUNDLE, f), "utf8").includes("createRequire(import.meta.url)"),
    );
    expect(loader).toBeDefined();
    const text = readFileSync(join(SQL_RUNNER_BUNDLE, loader!), "utf8");
    const required = [...text.matchAll(/require\d*\("(\.\/[^"]+)"\)/g)].map((m) => m[1]!);
    expect(required.sort()).toEqual(["./catalogue.js", "./jsonl-schema.js"]);
    // Required from the loader's place, as catalogue-lazy.ts does at the first validation.
    const require = createRequire(join(SQL_RUNNER_BUNDLE, loader!));
    const catalogue = require("./catalogue.js") as {
      EventSchema: { safeParse: (x: unknown) => { success: boolean } };
    };
    expect(catalogue.EventSchema.safeParse({ type: "NoSuchEvent" }).success).toBe(false);
    expect(Object.keys(require("./jsonl-schema.js") as object)).toContain("LineSchema");
  });
});
