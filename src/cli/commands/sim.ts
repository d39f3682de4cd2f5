import type { Command } from "commander";

/** Registers `journal sim` (not yet built). */
export function register(_program: Command): void {}
