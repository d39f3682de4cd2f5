/**
 * The built CLI runs from its bundle (scripts/bundle-cli.mjs): the program, the `journal sql` child
 * and the replay worker. The bundle must be what runs, must answer as the modules it was made of
 * do, and must hold every file its code asks for by a name next to itself.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_BUNDLE, CLI_BUNDLE_ENTRIES, SHARED_WITH_ENTRY_POINTS } from "../../scripts/bundle-cli.mjs";
import { programModule } from "../../src/cli/program-module.js";
import { openJournal } from "../../src/events/index.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "dist", "src", "cli");
// The global setup built dist/ (and with it the bundle) before any test runs.
const BUNDLED_RUNNER = join(CLI_BUNDLE, "sql-runner.js");
const RUNNER_MODULES = join(CLI, "sql-runner.js");

/** What a built module of dist/src/cli answers (`expression` over its exports `m`). */
function fromBuilt(module: string, expression: string): unknown {
  const r = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const m = await import(${JSON.stringify(join(CLI, module))}); console.log(JSON.stringify(${expression}));`,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** One job through a runner, as the parent hands it over (one JSON line on stdin). */
function runJob(runner: string, job: Record<string, unknown>) {
  return spawnSync(process.execPath, [runner], {
    input: `${JSON.stringify({ format: "csv", maxTableRows: 100, ...job })}\n`,
    encoding: "utf8",
    timeout: 30_000,
  });
}

describe("the built CLI's bundle", () => {
  it("is what the entry points load: the program, the SQL child and the replay worker", () => {
    expect(fromBuilt("program-module.js", "m.programModule()")).toBe("./bundle/program.js");
    expect(fromBuilt("sql-child.js", "m.runnerArgs()")).toEqual([BUNDLED_RUNNER]);
    // The sources have no bundle beside them: they load the modules.
    expect(programModule()).toBe("./program.js");
  });

  it("holds no copy of a module the entry points share with it (one copy, one state)", () => {
    const texts = readdirSync(CLI_BUNDLE).map((f) => readFileSync(join(CLI_BUNDLE, f), "utf8"));
    expect(SHARED_WITH_ENTRY_POINTS).toContain("sql-child.js");
    for (const name of SHARED_WITH_ENTRY_POINTS) {
      // esbuild heads each module it copies in with its path.
      expect(
        texts.filter((t) => t.includes(`// dist/src/cli/${name}\n`)),
        name,
      ).toEqual([]);
      expect(texts.filter((t) => t.includes(`from "../${name}"`)).length, name).toBeGreaterThan(0);
    }
  });

  it("answers a query, a refusal and a missing journal as the modules it was made of do", () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-bundle-"));
    const journal = join(dir, "j.db");
    openJournal(journal).close();
    const jobs = [
      { journal, query: "SELECT 6 * 7 AS answer, 'a,b' AS text" },
      { journal, query: "DELETE FROM events" },
      { journal, query: "SELEC 1" },
      { journal: join(dir, "none.db"), query: "SELECT 1" },
    ];
    for (const job of jobs) {
      const [bundled, modules] = [runJob(BUNDLED_RUNNER, job), runJob(RUNNER_MODULES, job)];
      expect({ status: bundled.status, stdout: bundled.stdout, stderr: bundled.stderr }, job.query).toEqual({
        status: modules.status,
        stdout: modules.stdout,
        stderr: modules.stderr,
      });
    }
    expect(runJob(BUNDLED_RUNNER, jobs[0]!).stdout).toBe('answer,text\n42,"a,b"\n');
  });

  it("holds every file its code asks for by name, beside that code", () => {
    const files = readdirSync(CLI_BUNDLE);
    const asked = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(CLI_BUNDLE, file), "utf8");
      for (const m of text.matchAll(
        /new URL\("(\.\/[^"]+\.js)", import\.meta\.url\)|require\d*\("(\.\/[^"]+\.js)"\)/g,
      ))
        asked.add(basename((m[1] ?? m[2])!));
    }
    // The replay worker and the catalogue's two lazily required modules (the SQL runner's path is
    // chosen from a list: the first test runs it).
    expect([...asked].sort()).toEqual(["catalogue.js", "jsonl-schema.js", "worker.js"]);
    for (const name of asked) {
      expect(files, name).toContain(name);
      expect(Object.keys(CLI_BUNDLE_ENTRIES), name).toContain(name);
    }
    // Required from the bundle, as catalogue-lazy.ts does at the first validation.
    const require = createRequire(join(CLI_BUNDLE, "program.js"));
    const catalogue = require("./catalogue.js") as {
      EventSchema: { safeParse: (x: unknown) => { success: boolean } };
    };
    expect(catalogue.EventSchema.safeParse({ type: "NoSuchEvent" }).success).toBe(false);
    expect(Object.keys(require("./jsonl-schema.js") as object)).toContain("LineSchema");
  });
});
