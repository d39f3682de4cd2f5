#!/usr/bin/env node
/** `replay …` is `journal replay …`. */
import { runCli } from "./program.js";

process.exitCode = await runCli([...process.argv.slice(0, 2), "replay", ...process.argv.slice(2)]);
