import type { Command } from "commander";

/** Registers `journal quickstart` (not yet built). */
export function register(_program: Command): void {}
