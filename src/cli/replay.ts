#!/usr/bin/env node
/** `replay …` is `journal replay …`. */
import { programModule } from "./program-module.js";
import { guardStdout } from "./stdout-failure.js";

guardStdout(false);
const { runCli } = (await import(programModule())) as typeof import("./program.js");
process.exitCode = await runCli([...process.argv.slice(0, 2), "replay", ...process.argv.slice(2)]);
