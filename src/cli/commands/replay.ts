import type { Command } from "commander";

/** Registers `journal replay` (not yet built). */
export function register(_program: Command): void {}
