/**
 * Live mode as a user runs it: the built CLI in a child process, the simulator on an
 * ephemeral port, real SQLite journals in a temporary folder.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import {
  JournalUnavailable,
  newYorkTimeToMs,
  openJournal,
  type StoredEvent,
} from "../../src/events/index.js";
import {
  type ScenarioInput,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../src/sim/index.js";

/** The built CLI, as a user runs it (the global setup builds dist/ when a source changed). */
export const CLI = join(import.meta.dirname, "..", "..", "dist", "src", "cli", "journal.js");

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Output so far (for waiting on a line while the process runs). */
  output(): { stdout: string; stderr: string };
}

/** What the parity tests read of `replay --json`. */
export interface ReplayJson {
  parity: { equal: number; differ: number; missing: number };
  live: { decisions: number };
}

/** A temporary folder for one test file's journals, and the simulators it started. */
export function liveHarness(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sims: Simulator[] = [];
  const children: ChildProcess[] = [];
  let n = 0;
  return {
    dir,
    async setup(scenario: ScenarioInput = {}, options: Partial<SimulatorOptions> = {}) {
      const sim = await startSimulator({
        seed: 42,
        startMs: newYorkTimeToMs("2026-02-04", 10, 0),
        speed: 300,
        scenario: { snapshotDelayMs: 5, ...scenario },
        ...options,
      });
      sims.push(sim);
      return { sim, journal: join(dir, `live${n++}.db`) };
    },
    /** `journal <args>` in a child process. */
    cli(args: string[]): CliRun {
      const child = spawn(process.execPath, [CLI, ...args], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (c) => (stdout += c));
      child.stderr!.on("data", (c) => (stderr += c));
      const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
        child.on("exit", (code) => resolve({ code, stdout, stderr })),
      );
      return { child, done, output: () => ({ stdout, stderr }) };
    },
    /** `journal live --quiet <args>`. */
    live(args: string[]): CliRun {
      return this.cli(["live", "--quiet", "--log-file", join(dir, "bot.log"), ...args]);
    },
    /** `replay --session … --json` of `journal` through the built CLI; it must exit 0. */
    async replayJson(journal: string, session: string, out: string): Promise<ReplayJson> {
      const args = ["replay", "--journal", journal, "--session", session, "--out", out, "--json"];
      const replay = await this.cli(args).done;
      expect(replay.code, replay.stderr).toBe(0);
      return JSON.parse(replay.stdout) as ReplayJson;
    },
    async cleanup() {
      for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
      for (const s of sims.splice(0)) await s.close();
    },
  };
}

/** Every event of a journal, after checking that it verifies. */
export function journalEvents(path: string): StoredEvent[] {
  const journal = openJournal(path, { readonly: true });
  try {
    expect(journal.verify().ok).toBe(true);
    return [...journal.read()];
  } finally {
    journal.close();
  }
}

/**
 * The journal's events so far (read while live writes: readers never wait). None while the file
 * does not exist yet, or exists without its schema: live is creating it at that moment.
 */
export function eventsSoFar(path: string): StoredEvent[] {
  if (!existsSync(path)) return [];
  let journal: ReturnType<typeof openJournal>;
  try {
    journal = openJournal(path, { readonly: true });
  } catch (error) {
    if (error instanceof JournalUnavailable) return [];
    throw error;
  }
  try {
    return [...journal.read()];
  } finally {
    journal.close();
  }
}

/** Resolve once `predicate` holds (polled), or fail after `timeoutMs`. */
export async function until(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The events of one type, typed. */
export const eventsOfType = <T extends StoredEvent["type"]>(evs: readonly StoredEvent[], type: T) =>
  evs.filter((e): e is Extract<StoredEvent, { type: T }> => e.type === type);
