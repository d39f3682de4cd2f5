#!/usr/bin/env node
/** `replay …` is `journal replay …`. */
import { runCli } from "./program.js";
import { guardStdout } from "./stdout-failure.js";

guardStdout(false);
process.exitCode = await runCli([...process.argv.slice(0, 2), "replay", ...process.argv.slice(2)]);
