/**
 * Start-up: each command of the built CLI loads only what it uses. `--help` loads no command module
 * and no heavy package; `sessions`, `sql` and `verify` never load the report's charting, the live
 * bot's gateway client or kysely (the journal runs precompiled SQL); and src/cli has no import
 * circle. Timings are for `npm run bench:cli`, not for a test.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, inject, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "startup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const journal = join(dir, "journal.db");
copyFileSync(inject("sampleJournal"), journal);

/**
 * The packages and our own modules (relative to dist/src) a command line loaded. Our modules are
 * seen with the bundle off (JOURNAL_BUNDLE=off: tsc's modules, each loaded as it is imported): the
 * bundle holds them all in one file and evaluates each as the modules would have loaded it. The
 * packages are seen both ways, so the bundle must require each as lazily as the modules import it.
 */
function loads(args: string[]): { packages: Set<string>; ours: Set<string> } {
  const packages = new Set<string>();
  const ours = new Set<string>();
  for (const bundle of ["off", "on"]) {
    const file = join(dir, `loads-${bundle}-${args.join("-").replace(/\W+/g, "_")}.txt`);
    const r = spawnSync(
      process.execPath,
      ["--import", join(import.meta.dirname, "support", "record-loads.mjs"), BIN, ...args],
      { encoding: "utf8", cwd: dir, env: { ...process.env, LOADS_FILE: file, JOURNAL_BUNDLE: bundle } },
    );
    expect(r.status, r.stderr).toBe(0);
    const urls = readFileSync(file, "utf8").split("\n").filter(Boolean);
    for (const url of urls) {
      const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
      if (pkg) packages.add(pkg[1]!);
      else if (bundle === "off" && url.includes("/dist/src/"))
        ours.add(url.slice(url.indexOf("/dist/src/") + "/dist/src/".length));
    }
    // Each way is what it says: the modules alone, or the bundle (a test that saw none sees nothing).
    const viaBundle = urls.some((u) => u.includes("/dist/src/cli/bundle/"));
    expect(viaBundle, bundle).toBe(bundle === "on" && existsSync(join(ROOT, "dist", "src", "cli", "bundle")));
  }
  return { packages, ours };
}

const HEAVY = ["vega", "vega-lite", "arquero", "@stoqey/ib", "rxjs", "pino", "pino-roll", "yaml", "kysely"];

describe("what each command loads", () => {
  it("--help loads no command module, no journal and no heavy package", () => {
    const { packages, ours } = loads(["--help"]);
    expect([...ours].filter((m) => m.startsWith("cli/commands/") && m !== "cli/commands/index.js")).toEqual(
      [],
    );
    expect([...ours].filter((m) => !m.startsWith("cli/"))).toEqual([]);
    for (const pkg of [...HEAVY, "zod", "better-sqlite3", "cli-table3"]) expect(packages).not.toContain(pkg);
  });

  for (const [name, args] of [
    ["sessions", ["sessions", "--journal", journal]],
    ["sql", ["sql", "select 1", "--journal", journal]],
    ["verify", ["verify", "--journal", journal]],
  ] as const) {
    it(`${name} loads its own command module only, and no charting, gateway client or kysely`, () => {
      const { packages, ours } = loads([...args]);
      expect([...ours].filter((m) => m.startsWith("cli/commands/")).sort()).toEqual(
        ["cli/commands/index.js", `cli/commands/${name}.js`].sort(),
      );
      for (const folder of ["live/", "sim/", "report/", "replay/"])
        expect([...ours].filter((m) => m.startsWith(folder))).toEqual([]);
      for (const pkg of [...HEAVY, "cli-table3"]) expect(packages).not.toContain(pkg);
    });
  }

  it("replay loads no charting, gateway client or kysely", () => {
    const { packages, ours } = loads([
      "replay",
      "--journal",
      journal,
      "--session",
      "2026-02-04",
      "--out",
      join(dir, "replay.db"),
    ]);
    for (const folder of ["live/", "sim/", "report/"])
      expect([...ours].filter((m) => m.startsWith(folder))).toEqual([]);
    for (const pkg of HEAVY) expect(packages).not.toContain(pkg);
  });
});

describe("the command table", () => {
  for (const [name, entry] of Object.entries(COMMANDS)) {
    it(`${name}: its module registers exactly the command and arguments the help lists`, async () => {
      const program = new Command("journal");
      (await entry.load()).register(program);
      expect(program.commands).toHaveLength(1);
      const command = program.commands[0]!;
      const args = command.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
      expect([command.name(), ...args].join(" ")).toBe(entry.usage);
      expect(entry.summary.length).toBeGreaterThan(10);
    });
  }

  it("names every command module in src/cli/commands", () => {
    const modules = readdirSync(join(ROOT, "src", "cli", "commands"))
      .filter((f) => f.endsWith(".ts") && f !== "index.ts")
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect(Object.keys(COMMANDS).sort()).toEqual(modules);
  });
});

describe("src/cli", () => {
  it("has no import circle, counting dynamic imports", () => {
    const SRC = join(ROOT, "src", "cli");
    const files = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(d, e.name)) : e.name.endsWith(".ts") ? [join(d, e.name)] : [],
      );
    const edges = new Map<string, string[]>();
    for (const file of files(SRC)) {
      const text = readFileSync(file, "utf8");
      const targets = [...text.matchAll(/(?:from\s+|import\()\s*"(\.[^"]+)"/g)]
        .map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts")))
        .filter((t) => t.startsWith(SRC));
      edges.set(file, targets);
    }
    const state = new Map<string, "open" | "done">();
    const circles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(" → "));
        return;
      }
      state.set(file, "open");
      for (const target of edges.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of edges.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });
});

describe("the README's commands", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const lines = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split("\n"));

  it("run the bins through npx (reachable after npm install) and name commands that exist", () => {
    const invocations = lines.filter((l) => /^(npx )?(journal|replay) /.test(l));
    expect(invocations.length).toBeGreaterThan(10);
    for (const line of invocations) {
      expect(line, line).toMatch(/^npx (journal|replay) /);
      const [, bin, command] = /^npx (journal|replay) (\S+)/.exec(line)!;
      if (bin === "journal") expect(Object.keys(COMMANDS), line).toContain(command);
    }
    expect(readme).toMatch(/npm link/);
  });

  it("npx journal --help answers from the repository", () => {
    const r = spawnSync("npx", ["--no-install", "journal", "--help"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Usage: journal/);
  });
});
