/**
 * Runs one of the built CLI's CommonJS bundles (scripts/bundle-cli.mjs) through V8's code cache.
 *
 * Why: a command's start-up compiles the same megabyte of JavaScript every time. Node 20 keeps no
 * code cache for ES modules (module.enableCompileCache came in Node 22), but `vm.Script` takes
 * and makes one for any script. A `replay --session` spent ~40 ms of its ~400 compiling; with the
 * cache V8 deserialises the functions the last run of the same command compiled.
 *
 * The cache lives beside the bundle, in code-cache/ (never in a shared temporary folder: what it
 * holds is run as code, so it must be as hard to write as the code is). One file per command (a
 * `sql` compiles other functions than a `replay`), named after the bundle's build hash, size and
 * time, Node's version and the CPU: a rebuilt bundle or another Node never reads an old one. V8
 * itself refuses a cache made with other flags. Each file carries a SHA-1 of its contents, so a
 * damaged one (an SD card's bad block) is ignored and written again; a write goes to a temporary
 * name first, so two processes never see half of one. The cache is only a speed-up: any failure
 * to read or write it (read-only install, full disk) runs the bundle as compiled.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import { threadId } from "node:worker_threads";

/** The event a bundle emits on `process` once it has compiled what its job needs (the worker). */
export const CODE_CACHE_READY = "journal:code-cache-ready";

const DIGEST_BYTES = 20;
const STALE_WRITE_MS = 60_000;

export interface RunBundle {
  /** The bundle, `file:` URL or path. */
  readonly file: URL | string;
  /** The build's content hash of the bundle (the stub the build wrote beside it passes it). */
  readonly buildHash: string;
  /** Which of the bundle's uses this run is: one cache per use (letters, digits and - only). */
  readonly use: string;
  /**
   * When this run has compiled what it needs: at process exit (a command, the SQL child), or when
   * the bundle emits CODE_CACHE_READY (a worker thread, which its parent terminates).
   */
  readonly saveOn: "exit" | "ready";
}

/** Runs the bundle as Node would `require` it, returning its exports. */
export function runBundle(options: RunBundle): unknown {
  const file = typeof options.file === "string" ? options.file : fileURLToPath(options.file);
  const source = readFileSync(file, "utf8");
  const cache = cachePath(file, options);
  const cachedData = readCache(cache.path);
  // The wrapper Node puts around a CommonJS module, on the source's first line (lines stay true).
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    // No import() callback: on Node 20 code from a cache loses it. The bundles' one import() is
    // left outside them (src/vendor/esm-import.ts); test/cli/cli-bundle.test.ts holds them to that.
  });
  if (cachedData === undefined || script.cachedDataRejected === true) {
    const save = () => writeCache(cache, script.createCachedData());
    if (options.saveOn === "exit") process.once("exit", save);
    else process.once(CODE_CACHE_READY, save);
  }
  const module = { exports: {} as unknown, filename: file, id: file };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

/** The cache of this bundle and use (`stem`), and of this build, Node and CPU (`path`). */
export function cachePath(
  file: string,
  options: Pick<RunBundle, "buildHash" | "use">,
): { stem: string; path: string } {
  const { size, mtimeMs } = statSync(file);
  const use = /^[a-z][a-z0-9-]{0,31}$/.test(options.use) ? options.use : "other";
  const stem = `${basename(file)}.${use}.`;
  const key = `${options.buildHash.slice(0, 16)}-${size}-${Math.trunc(mtimeMs)}-${process.version}-${process.arch}`;
  return { stem, path: join(dirname(file), "code-cache", `${stem}${key}.bin`) };
}

function readCache(path: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  const data = bytes.subarray(DIGEST_BYTES);
  if (bytes.length <= DIGEST_BYTES || !digest(data).equals(bytes.subarray(0, DIGEST_BYTES))) return undefined;
  return data;
}

function writeCache({ stem, path }: { stem: string; path: string }, data: Buffer): void {
  const dir = dirname(path);
  const temporary = `${path}.${process.pid}-${threadId}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temporary, Buffer.concat([digest(data), data]));
    renameSync(temporary, path);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {}
    return;
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(stem) || name === basename(path)) continue;
    try {
      // The same use's caches of an older build or another Node: nothing will read them again.
      if (name.endsWith(".bin")) rmSync(join(dir, name), { force: true });
      // A write a SIGKILL cut short; one younger than a minute may be another process's, under way.
      else if (name.endsWith(".tmp") && statSync(join(dir, name)).mtimeMs < Date.now() - STALE_WRITE_MS)
        rmSync(join(dir, name), { force: true });
    } catch {
      // Gone already (another process's rename or cleanup): nothing to clear.
    }
  }
}

const digest = (data: Uint8Array): Buffer => createHash("sha1").update(data).digest();
