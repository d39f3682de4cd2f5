import type { Command } from "commander";

/** Registers `journal rebuild` (not yet built). */
export function register(_program: Command): void {}
