// Preload (`node --import`) that appends every module URL the process resolves to $LOADS_FILE, so
// a test can see what a command loaded. Resolve hooks run off the main thread; appendFileSync keeps
// the list complete even when the command exits at once.
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.LOADS_FILE) appendFileSync(process.env.LOADS_FILE, resolved.url + "\\n");
  return resolved;
}`)}`,
);
