#!/usr/bin/env node
/**
 * `journal`: the one entry point. Each subcommand lives in ./commands and registers itself.
 */
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv);
