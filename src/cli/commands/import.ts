import type { Command } from "commander";

/** Registers `journal import` (not yet built). */
export function register(_program: Command): void {}
