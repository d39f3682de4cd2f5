/**
 * `import()` made from an ES module of its own, for what must be imported rather than required:
 * a package with top-level await (vega), a user's strategy file, tsx's loader.
 *
 * Why a module of its own: the built CLI runs as CommonJS through V8's code cache
 * (src/cli/cached-bundle.ts), and on Node 20 code compiled from a code cache has lost its dynamic
 * import callback ("A dynamic import callback was not specified"). The build keeps this module
 * outside that bundle (scripts/bundle-cli.mjs), so the import() here is always Node's own.
 */
export function importEsm<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
