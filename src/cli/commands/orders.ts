import type { Command } from "commander";

/** Registers `journal orders` (not yet built). */
export function register(_program: Command): void {}
