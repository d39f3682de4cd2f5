#!/usr/bin/env node
/**
 * `journal`: the one entry point. Each subcommand lives in ./commands and registers itself.
 */
import { programModule } from "./program-module.js";
import { releaseSqlChild, startSqlChildEarly } from "./sql-child.js";
import { guardStdout } from "./stdout-failure.js";

// `live` and `sim` run for days; stdout failing must not stop them (stdout-failure.ts).
guardStdout(["live", "sim"].includes(process.argv[2] ?? ""));
// Before loading the program: the SQL child's start-up then overlaps the parent's.
startSqlChildEarly(process.argv);
const { runCli } = (await import(programModule())) as typeof import("./program.js");
try {
  process.exitCode = await runCli(process.argv);
} finally {
  // A command line that never reached the query (a bad flag) still lets the early child go:
  // it waits for its job on stdin, and this process waits for it.
  releaseSqlChild();
}
