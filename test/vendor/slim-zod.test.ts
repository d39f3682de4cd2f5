/**
 * The built CLI runs on a slim zod (scripts/slim-zod.mjs) while the tests run the sources on zod
 * itself: the slim one must hold every builder the sources call, and say what zod says.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { z as fullZ } from "zod";
import { SLIM_ZOD_BUILDERS } from "../../scripts/slim-zod.mjs";

const ROOT = resolve(import.meta.dirname, "..", "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

type Slim = { z: Record<string, unknown>; toJSONSchema: unknown };
// The global setup built dist/ (and with it the slim zod) before any test runs.
const slim = async () =>
  (await import(pathToFileURL(join(ROOT, "dist", "src", "vendor", "index.js")).href)) as Slim;

describe("the slim zod of the built CLI", () => {
  it("lists every builder the sources call", () => {
    const called = new Set<string>();
    for (const file of sources(join(ROOT, "src")))
      for (const m of readFileSync(file, "utf8").matchAll(/\bz\.([A-Za-z]+)\(/g)) called.add(m[1]!);
    expect(called.size).toBeGreaterThan(5);
    expect([...called].filter((name) => !SLIM_ZOD_BUILDERS.includes(name))).toEqual([]);
  });

  it("holds those builders and toJSONSchema, and loads none of zod's locales", async () => {
    const { z, toJSONSchema } = await slim();
    for (const name of SLIM_ZOD_BUILDERS) expect(typeof z[name], name).toBe("function");
    expect(typeof toJSONSchema).toBe("function");
    const text = readFileSync(join(ROOT, "dist", "src", "vendor", "index.js"), "utf8");
    expect(text).not.toMatch(/node_modules\/zod\/v4\/locales\/(de|fr|ja)\.js/);
  });

  it("says in English what zod says", async () => {
    const { z } = (await slim()) as unknown as { z: typeof fullZ };
    const build = (zz: typeof fullZ) =>
      zz.object({ qty: zz.number().int().positive(), side: zz.enum(["BUY", "SELL"]), note: zz.string() });
    const bad = { qty: -1.5, side: "HOLD" };
    const slimIssues = build(z).safeParse(bad).error?.issues;
    expect(slimIssues?.length).toBe(3);
    expect(slimIssues?.map((i) => i.message)).toEqual(
      build(fullZ)
        .safeParse(bad)
        .error?.issues.map((i) => i.message),
    );
    expect(slimIssues?.map((i) => i.message).join("; ")).toMatch(
      /^Invalid input: expected int, received number; /,
    );
  });
});
