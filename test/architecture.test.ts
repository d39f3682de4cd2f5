/**
 * The dependency rule of DESIGN.md and the determinism rule of STYLE.md, enforced on the sources.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "..", "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const folderOf = (path: string) => relative(SRC, path).split("/")[0]!;
/** Imports of a file: [specifier, resolved path or package]. */
function imports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  const found = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/g),
  ].map((m) => m[1] ?? m[2]!);
  return found.map((spec) =>
    spec.startsWith(".") ? resolve(dirname(path), spec.replace(/\.js$/, ".ts")) : spec,
  );
}

// vendor (third-party code we load in a slimmer form) sits below every folder.
const ALLOWED: Record<string, string[]> = {
  events: ["vendor"],
  strategy: ["events", "vendor"],
  projections: ["events", "vendor"],
  replay: ["events", "strategy", "projections", "vendor"],
  live: ["events", "strategy", "projections", "vendor"],
  sim: ["events", "vendor"],
  cli: ["events", "strategy", "projections", "replay", "live", "sim", "report", "serve", "vendor"],
  report: ["events", "projections", "vendor"],
  serve: ["events", "projections", "report", "vendor"],
  types: [],
  vendor: [],
};

describe("dependency rule", () => {
  for (const file of files(SRC)) {
    const folder = folderOf(file);
    it(`${relative(SRC, file)} imports only what ${folder} may`, () => {
      for (const target of imports(file)) {
        if (!target.startsWith("/")) {
          if (target === "@stoqey/ib")
            expect(["live", "cli"], `${relative(SRC, file)} imports @stoqey/ib`).toContain(folder);
          if (target === "kysely" || target === "better-sqlite3")
            expect(relative(SRC, file)).toMatch(
              /^events\/(store\/(journal|journal-schema|journal-open|writer-lock)|fleet\/pg-(journal|schema))\.ts$/,
            );
          // Through vendor/index.ts only, which the build swaps for a slim zod.
          if (target === "zod") expect(relative(SRC, file)).toBe("vendor/index.ts");
          if (target === "pg" || target === "pg-copy-streams")
            expect(relative(SRC, file)).toMatch(/^events\/fleet\/pg-(journal|copy)\.ts$/);
          continue;
        }
        const other = folderOf(target);
        if (other === folder) continue;
        expect(ALLOWED[folder], `${relative(SRC, file)} → ${other}`).toContain(other);
        // Another folder is entered through its index.ts only.
        expect(relative(SRC, target), `${relative(SRC, file)} reaches past ${other}/index.ts`).toBe(
          `${other}/index.ts`,
        );
      }
    });
  }

  it("replay never reaches live, sim or @stoqey/ib, even transitively", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const target of imports(file)) {
        expect(target).not.toBe("@stoqey/ib");
        expect(target).not.toBe("node:net");
        if (!target.startsWith("/")) continue;
        expect(["live", "sim"]).not.toContain(folderOf(target));
        visit(target);
      }
    };
    for (const file of files(join(SRC, "replay"))) visit(file);
    expect(seen.size).toBeGreaterThan(5);
  });
});

/**
 * The parts inside a folder, bottom first. A file imports another part only through that part's
 * index.ts, and only a part listed before its own: the imports between parts run one way.
 */
const PARTS: Record<string, readonly string[]> = {
  events: ["catalogue", "integrity", "store", "interchange", "wire", "fleet"],
  sim: ["market", "protocol", "book", "gateway", "playback"],
};

describe("the parts of src/events and src/sim", () => {
  for (const [folder, parts] of Object.entries(PARTS)) {
    const root = join(SRC, folder);
    const partOf = (path: string) => relative(root, path).split("/")[0]!;

    it(`src/${folder} holds its door and its parts (${parts.join(", ")}), each with an index.ts`, () => {
      expect(readdirSync(root).sort()).toEqual(["index.ts", ...parts].sort());
      for (const part of parts) expect(statSync(join(root, part, "index.ts")).isFile(), part).toBe(true);
    });

    it(`src/${folder}/index.ts re-exports the parts' index.ts files only`, () => {
      for (const target of imports(join(root, "index.ts")))
        expect(parts.map((part) => join(root, part, "index.ts"))).toContain(target);
    });

    for (const file of files(root).filter((f) => f !== join(root, "index.ts"))) {
      const part = partOf(file);
      it(`${relative(SRC, file)} reaches only lower parts of ${folder}, through their index.ts`, () => {
        for (const target of imports(file)) {
          if (!target.startsWith(`${root}/`)) continue;
          const where = `${relative(SRC, file)} → ${relative(SRC, target)}`;
          expect(target, `${where}: a part never imports its folder's door`).not.toBe(join(root, "index.ts"));
          const other = partOf(target);
          if (other === part) continue;
          expect(relative(root, target), `${where} reaches past ${other}/index.ts`).toBe(`${other}/index.ts`);
          expect(parts.indexOf(other), `${where}: ${other} is not below ${part}`).toBeLessThan(
            parts.indexOf(part),
          );
        }
      });
    }
  }
});

describe("import circles", () => {
  it("src has none, counting type-only and dynamic imports", () => {
    const sources = new Set(files(SRC));
    const state = new Map<string, "open" | "done">();
    const circles = new Set<string>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        circles.add([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(" → "));
        return;
      }
      state.set(file, "open");
      for (const target of imports(file)) if (sources.has(target)) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of sources) visit(file, []);
    expect([...circles]).toEqual([]);
  });
});

describe("determinism", () => {
  // The one id generator that may use randomness: only for callers that inject none (live, import).
  // The strategy deadline is wall time by definition (vm's watchdog); its clock places watchdogs
  // only, never which events are read, decided or written.
  const ALLOW = new Set(["events/catalogue/ulid-id-gen.ts", "strategy/deadline.ts"]);
  const deterministic = files(SRC).filter(
    (f) => !["live", "sim", "cli"].includes(folderOf(f)) && !ALLOW.has(relative(SRC, f)),
  );
  it("no wall clock, randomness or fresh ULIDs on the deterministic path", () => {
    const offences: string[] = [];
    for (const file of deterministic) {
      const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      for (const [pattern, what] of [
        [/Date\.now\s*\(/, "Date.now()"],
        [/new Date\(\s*\)/, "new Date()"],
        [/Math\.random\s*\(/, "Math.random()"],
        [/\bulid\s*\(/, "ulid()"],
        [/performance\.now\s*\(/, "performance.now()"],
      ] as const) {
        if (pattern.test(code)) offences.push(`${relative(SRC, file)}: ${what}`);
      }
    }
    expect(offences).toEqual([]);
  });
});
