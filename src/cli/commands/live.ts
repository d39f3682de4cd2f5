import type { Command } from "commander";

/** Registers `journal live` (not yet built). */
export function register(_program: Command): void {}
