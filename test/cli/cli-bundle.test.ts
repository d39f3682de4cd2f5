/**
 * The built CLI runs from its bundle (scripts/bundle-cli.mjs): the program, the `journal sql` child
 * and the replay worker. The bundle must be what runs, must answer as the modules it was made of
 * do, and must hold every file its code asks for by a name next to itself.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { describe, expect, inject, it } from "vitest";
import {
  CLI_BUNDLE,
  CLI_BUNDLE_ENTRIES,
  LONG_RUNNING,
  SHARED_WITH_ENTRY_POINTS,
} from "../../scripts/bundle-cli.mjs";
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
    const texts = bundles().map((f) => readFileSync(join(CLI_BUNDLE, f), "utf8"));
    expect(SHARED_WITH_ENTRY_POINTS).toContain("sql-child.js");
    for (const name of SHARED_WITH_ENTRY_POINTS) {
      // esbuild heads each module it copies in with its path.
      expect(
        texts.filter((t) => t.includes(`// dist/src/cli/${name}\n`)),
        name,
      ).toEqual([]);
      expect(texts.filter((t) => t.includes(`require("../${name}")`)).length, name).toBeGreaterThan(0);
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

  it("holds every file its code asks for by name, beside that code, and the catalogue inside", () => {
    const files = readdirSync(CLI_BUNDLE);
    const asked = new Set<string>();
    for (const file of bundles()) {
      const text = readFileSync(join(CLI_BUNDLE, file), "utf8");
      for (const m of text.matchAll(
        /new URL\("(\.\/[^"]+\.js)", __bundleUrl\)|require\d*\("(\.\/[^"]+\.js)"\)/g,
      ))
        asked.add(basename((m[1] ?? m[2])!));
      // No import() in a bundle: run from a code cache it would fail (src/vendor/esm-import.ts). The
      // one line that has one is the text of a worker's bootstrap under tsx, never run from here.
      expect(
        text.split("\n").filter((l) => /(^|[^\w.$])import\(/.test(l) && !l.includes("const bootstrap = `")),
        file,
      ).toEqual([]);
      // Each bundle is whole: the catalogue's lazy require was bundled, not left for run time.
      expect(text, file).not.toMatch(/createRequire\(__bundleUrl\)\("\.\/catalogue/);
    }
    // The replay worker (the SQL runner's path is chosen from a list: the first test runs it).
    expect([...asked].sort()).toEqual(["worker.js"]);
    for (const name of asked) {
      expect(files, name).toContain(name);
      expect(Object.keys(CLI_BUNDLE_ENTRIES), name).toContain(name);
    }
    // Every entry is a CommonJS bundle and the ES module stub that runs it through the code cache.
    for (const name of Object.keys(CLI_BUNDLE_ENTRIES)) {
      expect(files).toContain(name.replace(/\.js$/, ".cjs"));
      expect(readFileSync(join(CLI_BUNDLE, name), "utf8")).toContain('"../cached-bundle.js"');
    }
  });

  it("validates with the catalogue it holds: a bad import is refused, naming the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-bundle-"));
    const file = join(dir, "bad.jsonl");
    // The sample's first line with its payload emptied: the line passes, the payload's schema does not.
    const [first] = readFileSync(join(ROOT, "data", "sample", "2026-02-04.jsonl"), "utf8").split("\n");
    const line = { ...(JSON.parse(first!) as { type: string }), payload: {} };
    writeFileSync(file, `${JSON.stringify(line)}\n`);
    const r = spawnSync(
      process.execPath,
      [join(CLI, "journal.js"), "import", file, "--journal", join(dir, "j.db")],
      {
        encoding: "utf8",
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(line.type);
    expect(r.stderr).toMatch(/payload\./);
  });

  it("keeps what each use compiled: a replay in two workers leaves the program's cache and the worker's", () => {
    // A copy of the build, inside the repository (its packages resolve from there), with no cache yet.
    mkdirSync(join(ROOT, ".tmp"), { recursive: true });
    const copy = mkdtempSync(join(ROOT, ".tmp", "cli-bundle-"));
    try {
      cpSync(join(ROOT, "dist", "src"), join(copy, "src"), {
        recursive: true,
        filter: (source) => !source.includes("code-cache"),
      });
      const journal = join(copy, "j.db");
      copyFileSync(inject("sampleJournal"), journal);
      const bin = join(copy, "src", "cli", "journal.js");
      const args = ["replay", "--journal", journal, "--sessions", "2026-02-04,2026-02-05", "--workers", "2"];
      const run = () =>
        spawnSync(process.execPath, [bin, ...args, "--out", join(copy, "out.db")], { encoding: "utf8" });
      const first = run();
      expect(first.status, first.stderr).toBe(0);
      // A command line naming no command (help, a typo) runs from tsc's modules and keeps no cache;
      // so does a command that runs for hours (LONG_RUNNING: the cache grew a live bot's memory).
      expect(LONG_RUNNING).toEqual(["live", "sim", "serve"]);
      for (const words of [
        ["--help"],
        ["sesions"],
        ["help", "replay"],
        ["sim", "--help"],
        ["live", "--help"],
      ])
        spawnSync(process.execPath, [bin, ...words], { encoding: "utf8" });
      const caches = readdirSync(join(copy, "src", "cli", "bundle", "code-cache"));
      expect(caches.map((n) => n.split(".").slice(0, 3).join(".")).sort()).toEqual([
        "program.cjs.replay",
        "worker.cjs.worker",
      ]);
      // Run again from the caches: the same figures.
      const second = run();
      expect(second.status, second.stderr).toBe(0);
      const figures = (out: string) =>
        out.split("\n").filter((l) => /2026-02-0[45]/.test(l) && !/run /.test(l));
      expect(figures(first.stdout).length).toBeGreaterThan(1);
      expect(figures(second.stdout)).toEqual(figures(first.stdout));
      expect(readdirSync(join(copy, "src", "cli", "bundle", "code-cache"))).toEqual(caches);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

/** The bundles themselves (each entry's NAME.cjs). */
const bundles = (): string[] => readdirSync(CLI_BUNDLE).filter((f) => f.endsWith(".cjs"));
