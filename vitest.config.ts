import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ once if a source changed (the e2e tests run the built CLI) and imports the sample
    // journal once for every test that only needs to read it.
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup-catalogue.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests open real sockets and SQLite files. Three workers on CI's two cores: much of
    // the live tests' time is waiting on cycles and fill delays, so a third file overlaps it
    // (132 s → 107 s here; a fourth gains little more and loads the machine for the timing tests).
    pool: "forks",
    maxWorkers: 3,
  },
});
