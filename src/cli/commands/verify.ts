import type { Command } from "commander";

/** Registers `journal verify` (not yet built). */
export function register(_program: Command): void {}
