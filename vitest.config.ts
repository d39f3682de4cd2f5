import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests open real sockets and SQLite files; two cores is the CI budget.
    pool: "forks",
    maxWorkers: 2,
  },
});
