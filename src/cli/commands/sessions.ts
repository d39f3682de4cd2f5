import type { Command } from "commander";

/** Registers `journal sessions` (not yet built). */
export function register(_program: Command): void {}
