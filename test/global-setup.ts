/**
 * Once per `vitest run`: build dist/ if a source changed since the last build (the e2e tests run
 * the built CLI, as a user does), and import the bundled sample into one journal that tests copy
 * instead of importing it again each.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildIfStale } from "../scripts/build-if-stale.mjs";
import { importJsonLines, loadCatalogue, openJournal } from "../src/events/index.js";

const ROOT = join(import.meta.dirname, "..");

declare module "vitest" {
  export interface ProvidedContext {
    /** A journal holding both sample sessions (stream live); copy it before writing to it. */
    sampleJournal: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  await buildIfStale();
  await loadCatalogue();
  const dir = mkdtempSync(join(tmpdir(), "test-fixtures-"));
  const sample = join(dir, "sample.db");
  const journal = openJournal(sample);
  try {
    for (const day of ["2026-02-04", "2026-02-05"]) {
      const file = join(ROOT, "data", "sample", `${day}.jsonl`);
      importJsonLines(journal, readFileSync(file, "utf8"), file);
    }
  } finally {
    journal.close();
  }
  project.provide("sampleJournal", sample);
  return () => rmSync(dir, { recursive: true, force: true });
}
