/** Where the bundled `journal sql` child is written: dist/sql-runner/. */
export const SQL_RUNNER_BUNDLE: string;
/** Bundle dist/src/cli/sql-runner.js into SQL_RUNNER_BUNDLE (after tsc and the slim zod). */
export function bundleSqlRunner(): void;
