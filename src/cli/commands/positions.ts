import type { Command } from "commander";

/** Registers `journal positions` (not yet built). */
export function register(_program: Command): void {}
