/**
 * `journal sim` as a user runs it (the built CLI, as the other e2e tests: `npm test` builds first):
 * a child process, a live-style account, an older gateway.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EventName, IBApi } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/** Start `journal sim` on a free port; resolves with the port it prints. */
function journalSim(args: string[]): Promise<{ port: number; banner: string }> {
  const child = spawn(process.execPath, [BIN, "sim", "--port", "0", "--quiet", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), banner: out });
    });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.once("exit", (code) => reject(new Error(`journal sim exited ${code}: ${err}`)));
  });
}

function managedAccountAndVersion(port: number): Promise<{ account: string; version: number }> {
  const ib = new IBApi({ host: "127.0.0.1", port });
  return new Promise((resolve) => {
    ib.once(EventName.managedAccounts, (account) => {
      resolve({ account, version: ib.serverVersion });
      ib.disconnect();
    });
    ib.connect(3);
  });
}

describe("journal sim", () => {
  it("--account U1234567 presents a live-style managed account; the default stays SIM0000001", async () => {
    const [live, plain] = await Promise.all([journalSim(["--account", "U1234567"]), journalSim([])]);
    expect(live.banner).toContain("account U1234567");
    expect(await managedAccountAndVersion(live.port)).toEqual({ account: "U1234567", version: 193 });
    expect((await managedAccountAndVersion(plain.port)).account).toBe("SIM0000001");
  }, 30_000);

  it("--max-version 178 negotiates an older gateway's version", async () => {
    const old = await journalSim(["--max-version", "178"]);
    expect((await managedAccountAndVersion(old.port)).version).toBe(178);
  }, 30_000);

  it("--host-time-zone puts that host's clock and zone name in the handshake; an unknown zone is a usage error", async () => {
    const london = await journalSim(["--host-time-zone", "Europe/London", "--start", "2026-02-04T10:30"]);
    const ib = new IBApi({ host: "127.0.0.1", port: london.port });
    const time = new Promise<string>((resolve) => ib.once(EventName.server, (_v, t) => resolve(t)));
    ib.connect(4);
    // The clock runs at speed 1, so only the date, the hour and the zone are fixed.
    expect(await time).toMatch(/^20260204 15:3\d:\d\d Greenwich Mean Time$/);
    ib.disconnect();
    await expect(journalSim(["--host-time-zone", "Mars/Olympus"])).rejects.toThrow(
      /exited 2: .*--host-time-zone Mars\/Olympus: expected an IANA time zone/s,
    );
  }, 30_000);
});
