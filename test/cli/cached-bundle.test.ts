/**
 * The built CLI runs its bundles through V8's code cache (src/cli/cached-bundle.ts). The cache is
 * a speed-up and nothing else: a damaged, foreign or unwritable one must never change what runs.
 * Whether V8 took a cache shows as whether the loader still waits to save one (a listener of
 * CODE_CACHE_READY): it saves only when it read none, or V8 refused it.
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CODE_CACHE_READY, cachePath, runBundle } from "../../src/cli/cached-bundle.js";

const BUNDLE = `
const { join } = require("node:path");
function answer(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return join("a", String(s)); }
module.exports = { answer, file: __filename, url: typeof exports };
`;

function scratchBundle(source = BUNDLE): string {
  const dir = mkdtempSync(join(tmpdir(), "cached-bundle-"));
  const file = join(dir, "b.cjs");
  writeFileSync(file, source);
  return file;
}

type Exports = { answer: (n: number) => string; file: string; url: string };
/** One load of the bundle, as the stub does; whether it is waiting to save a cache. */
function load(file: string, use = "test"): { exports: Exports; saving: boolean } {
  const before = process.listenerCount(CODE_CACHE_READY);
  const exports = runBundle({ file, buildHash: "0123456789abcdef", use, saveOn: "ready" }) as Exports;
  exports.answer(1000);
  return { exports, saving: process.listenerCount(CODE_CACHE_READY) > before };
}
const ready = () => process.emit(CODE_CACHE_READY as "exit", 0);
const cacheOf = (file: string, use = "test") => cachePath(file, { buildHash: "0123456789abcdef", use }).path;

afterEach(() => {
  process.removeAllListeners(CODE_CACHE_READY);
});

describe("a bundle run through the code cache", () => {
  it("runs as CommonJS, saves a cache once, and takes it the next time", () => {
    const file = scratchBundle();
    const first = load(file);
    expect(first.exports.answer(10)).toBe(join("a", "24"));
    expect(first.exports.file).toBe(file);
    expect(first.exports.url).toBe("object");
    expect(first.saving).toBe(true);
    ready();
    expect(existsSync(cacheOf(file))).toBe(true);
    const second = load(file);
    expect(second.saving).toBe(false);
    expect(second.exports.answer(10)).toBe(join("a", "24"));
  });

  it("ignores a damaged or cut cache and writes it again", () => {
    const file = scratchBundle();
    load(file);
    ready();
    const path = cacheOf(file);
    const good = readFileSync(path);
    for (const damaged of [
      Buffer.concat([good.subarray(0, 100), Buffer.from([good[100]! ^ 0xff]), good.subarray(101)]),
      good.subarray(0, good.length >> 1),
      good.subarray(0, 10),
      Buffer.alloc(0),
    ]) {
      writeFileSync(path, damaged);
      const again = load(file);
      expect(again.saving).toBe(true);
      expect(again.exports.answer(10)).toBe(join("a", "24"));
      ready();
      expect(load(file).saving).toBe(false);
    }
  });

  it("lets V8 refuse a well-formed cache of other code, and runs the code it has", () => {
    const other = scratchBundle(`${BUNDLE}\nmodule.exports.extra = 1;`);
    load(other);
    ready();
    const file = scratchBundle();
    mkdirSync(join(file, "..", "code-cache"), { recursive: true });
    writeFileSync(cacheOf(file), readFileSync(cacheOf(other)));
    const run = load(file);
    expect(run.saving).toBe(true);
    expect((run.exports as Exports & { extra?: number }).extra).toBeUndefined();
  });

  it("keeps one cache per use, names a use it does not know 'other', and drops an older build's", () => {
    const file = scratchBundle();
    for (const use of ["replay", "--help", "../../x"]) {
      load(file, use);
      ready();
    }
    const dir = join(file, "..", "code-cache");
    const names = readdirSync(dir).sort();
    expect(names.map((n) => n.split(".")[2])).toEqual(["other", "replay"]);
    // The bundle rebuilt (another size): its replay cache replaces the old one.
    writeFileSync(file, `${BUNDLE}\n// rebuilt\n`);
    load(file, "replay");
    ready();
    expect(readdirSync(dir).filter((n) => n.includes(".replay.")).length).toBe(1);
  });

  it("clears a write a SIGKILL cut short, but not one another process has under way", () => {
    const file = scratchBundle();
    const dir = join(file, "..", "code-cache");
    mkdirSync(dir);
    const cut = join(dir, `${cachePath(file, { buildHash: "0", use: "test" }).stem}x.bin.1-0.tmp`);
    const underWay = cut.replace("1-0", "2-0");
    writeFileSync(cut, "half");
    writeFileSync(underWay, "half");
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(cut, hourAgo, hourAgo);
    load(file);
    ready();
    expect(existsSync(cut)).toBe(false);
    expect(existsSync(underWay)).toBe(true);
    expect(load(file).saving).toBe(false);
  });

  it("runs the bundle when the cache cannot be written, and leaves no partial file", () => {
    const file = scratchBundle();
    // Where the cache folder would go, a file: every write fails, as on a read-only install.
    writeFileSync(join(file, "..", "code-cache"), "not a folder");
    const run = load(file);
    expect(run.exports.answer(10)).toBe(join("a", "24"));
    expect(() => ready()).not.toThrow();
    expect(readdirSync(join(file, ".."))).toEqual(["b.cjs", "code-cache"]);
  });

  it("saves at exit in a process, and two processes at once leave one whole cache", async () => {
    const file = scratchBundle();
    const loader = join(import.meta.dirname, "..", "..", "src", "cli", "cached-bundle.ts");
    const script = `import { runBundle } from ${JSON.stringify(loader)};
      const b = runBundle({ file: ${JSON.stringify(file)}, buildHash: "0123456789abcdef", use: "test", saveOn: "exit" });
      console.log(b.answer(10));`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
        });
        child.once("error", reject);
        child.once("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}`))));
      });
    expect(await Promise.all([run(), run()])).toEqual([join("a", "24"), join("a", "24")]);
    expect(readdirSync(join(file, "..", "code-cache"))).toHaveLength(1);
    expect(load(file).saving).toBe(false);
  });
});
