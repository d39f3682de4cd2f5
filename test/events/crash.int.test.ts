import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openJournal } from "../../src/events/index.js";
import { JOURNAL_WRITER as WRITER } from "../support/journal-writer.js";

const dir = mkdtempSync(join(tmpdir(), "journal-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startWriter(
  path: string,
  tag: string,
  max?: number,
): { child: ChildProcess; acked: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [WRITER, path, tag, ...(max ? [String(max)] : [])], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const acked: string[] = [];
  let partial = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    acked.push(...lines.filter(Boolean));
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      if (code !== null && code !== 0) process.stderr.write(stderr);
      resolve(code);
    }),
  );
  return { child, acked, exited };
}

async function waitFor(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > timeoutMs) throw new Error("timed out waiting for the writer");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("crash safety with real processes", () => {
  it("loses no acknowledged append and leaves a verifiable chain after 20 SIGKILLs", async () => {
    const path = join(dir, "crash.db");
    const acknowledged: string[] = [];
    let seed = 12345;
    const nextRandom = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 20; round++) {
      const writer = startWriter(path, `r${round}`);
      await waitFor(() => writer.acked.length > 0);
      // Kill at a random moment while it is appending.
      await new Promise((r) => setTimeout(r, 5 + nextRandom() * 120));
      writer.child.kill("SIGKILL");
      await writer.exited;
      acknowledged.push(...writer.acked);
    }
    const journal = openJournal(path, { readonly: true });
    const report = journal.verify();
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const stored = [...journal.read()];
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    const ids = new Set(stored.map((e) => e.id));
    const lost = acknowledged.filter((id) => !ids.has(id));
    expect(lost).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(20);
    journal.close();
  }, 180_000);

  it("lets two processes append to the same file at once without losing or duplicating", async () => {
    const path = join(dir, "two.db");
    openJournal(path).close();
    const a = startWriter(path, "a", 300);
    const b = startWriter(path, "b", 300);
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    const journal = openJournal(path, { readonly: true });
    const stored = [...journal.read()];
    expect(journal.verify().ok).toBe(true);
    expect(stored.length).toBe(a.acked.length + b.acked.length);
    expect(new Set(stored.map((e) => e.pos)).size).toBe(stored.length);
    const ids = new Set(stored.map((e) => e.id));
    expect([...a.acked, ...b.acked].every((id) => ids.has(id))).toBe(true);
    journal.close();
  }, 180_000);
});
