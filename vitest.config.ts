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
    // Integration tests open real sockets and SQLite files; two cores is the CI budget.
    pool: "forks",
    maxWorkers: 2,
  },
});
