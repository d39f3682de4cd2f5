import type { Command } from "commander";

/** Registers `journal report` (not yet built). */
export function register(_program: Command): void {}
