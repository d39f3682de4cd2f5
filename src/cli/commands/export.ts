import type { Command } from "commander";

/** Registers `journal export` (not yet built). */
export function register(_program: Command): void {}
