// Preload (`node --import`) that appends every module the process loads to $LOADS_FILE, so a test
// can see what a command loaded: each ES module URL its resolver returns (resolve hooks run off
// the main thread), and each file a CommonJS `require` finds (the built CLI's bundles are
// CommonJS and require their packages). appendFileSync keeps the list complete even when the
// command exits at once.
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";
import { pathToFileURL } from "node:url";

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.LOADS_FILE) appendFileSync(process.env.LOADS_FILE, resolved.url + "\\n");
  return resolved;
}`)}`,
);

const require = Module.prototype.require;
Module.prototype.require = function recorded(id, ...rest) {
  const exports = require.call(this, id, ...rest);
  if (process.env.LOADS_FILE && !id.startsWith("node:") && !Module.isBuiltin(id))
    appendFileSync(process.env.LOADS_FILE, `${pathToFileURL(Module._resolveFilename(id, this)).href}\n`);
  return exports;
};
