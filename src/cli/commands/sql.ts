import type { Command } from "commander";

/** Registers `journal sql` (not yet built). */
export function register(_program: Command): void {}
