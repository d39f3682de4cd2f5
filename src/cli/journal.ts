#!/usr/bin/env node
/**
 * `journal`: the one entry point. Each subcommand lives in ./commands and registers itself.
 */
import { startSqlChildEarly } from "./sql-child.js";

// Before loading the program: the SQL child's start-up then overlaps the parent's.
startSqlChildEarly(process.argv);
const { runCli } = await import("./program.js");
process.exitCode = await runCli(process.argv);
