/** Where the CLI's bundle is written: dist/src/cli/bundle/. */
export const CLI_BUNDLE: string;
/** Each entry's file name in the bundle → the module under dist/src/ it is built from. */
export const CLI_BUNDLE_ENTRIES: Readonly<Record<string, string>>;
/** Bundle the CLI's program, SQL child and replay worker into CLI_BUNDLE (after tsc and the slim zod). */
export function bundleCli(): Promise<void>;
/** Modules of dist/src/cli/ that the bundle imports from there (they hold state the entry points share). */
export const SHARED_WITH_ENTRY_POINTS: readonly string[];
/** Commands that run from tsc's modules, not the bundle: they run for hours, and start-up counts for nothing there. */
export const LONG_RUNNING: readonly string[];
