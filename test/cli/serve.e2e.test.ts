/**
 * `journal serve` as a user runs it (the built CLI), read in headless Chromium at 390 and 1,400 px:
 * every page fits a phone, the now page follows a live bot against the simulator through
 * server-sent events, writes are refused and leave the journal byte-identical, and beyond loopback
 * nothing is read without the token.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { openJournal } from "../../src/events/index.js";
import { CLI, liveHarness, until } from "../support/live-harness.js";
import { launchChromium } from "./support/chromium.js";

const SCREENS = "/work/screens-h27";
const h = liveHarness("serve-");
const servers: ChildProcess[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) if (s.exitCode === null) s.kill("SIGKILL");
  await h.cleanup();
});
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

/** `journal serve <args>` until it prints its URL. */
async function serve(args: string[]): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  servers.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (err += c));
  await until(
    "journal serve to print its URL",
    () => /http:\/\/\S+\//.test(out) || child.exitCode !== null,
    60_000,
  );
  const url = /(http:\/\/\S+\/)/.exec(out)?.[1];
  if (!url) throw new Error(`journal serve did not start: ${err}`);
  return { url, child, stderr: () => err };
}

const stop = async (child: ChildProcess) => {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
};

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const sidewaysScroll = (page: Page) => page.$eval("html", (html) => html.scrollWidth - html.clientWidth);

let sample = "";
beforeAll(() => {
  sample = join(h.dir, "sample.db");
  copyFileSync(inject("sampleJournal"), sample);
});

describe("journal serve's pages", () => {
  it("fit a 390 px phone and a 1,400 px desktop without sideways scroll, fetching nothing from elsewhere", async () => {
    const { url, child } = await serve(["--journal", sample]);
    const j = openJournal(sample, { readonly: true });
    const session = j.sessionIds("live").sort()[0]!;
    j.close();
    const pages: [string, string][] = [
      ["now", ""],
      ["sessions", "sessions"],
      ["trades", "trades"],
      ["sql", `sql?q=${encodeURIComponent("SELECT * FROM v_cycles LIMIT 40")}`],
      ["session", `session/${session}`],
    ];
    const browser = await launchChromium();
    try {
      mkdirSync(SCREENS, { recursive: true });
      for (const width of [390, 1400]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const errors: string[] = [];
        const requests: string[] = [];
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        page.on("pageerror", (e) => errors.push(e.message));
        page.on("request", (r) => requests.push(r.url()));
        for (const [name, path] of pages) {
          const response = await page.goto(`${url}${path}`);
          expect(response?.status(), name).toBe(200);
          expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
          if (name === "now") await page.locator("#stream-state", { hasText: "live" }).waitFor();
          if (name === "sql") expect(await page.$$eval("#sql-count", (p) => p.length)).toBe(1);
          expect(await sidewaysScroll(page), `${name} at ${width} px`).toBeLessThanOrEqual(0);
          await page.screenshot({ path: join(SCREENS, `serve-${name}-${width}.png`) });
        }
        expect(errors).toEqual([]);
        expect(requests.every((r) => r.startsWith(url))).toBe(true);
        // Left open: the packaged Chromium runs as one process, which closing its last page ends.
      }
    } finally {
      await browser.close();
    }
    await stop(child);
  }, 240_000);

  it("answers POST, PUT, PATCH and DELETE with 405, refuses writing SQL, and leaves the journal byte-identical", async () => {
    const before = sha256(sample);
    const { url, child } = await serve(["--journal", sample]);
    for (const method of ["POST", "PUT", "PATCH", "DELETE"])
      for (const path of ["", "sql", "events", "session/2026-02-04"]) {
        const r = await fetch(`${url}${path}`, {
          method,
          body: method === "DELETE" ? null : "q=DELETE FROM events",
        });
        expect(r.status, `${method} /${path}`).toBe(405);
        expect(r.headers.get("allow")).toBe("GET, HEAD");
      }
    for (const write of [
      "DELETE FROM events",
      "UPDATE events SET payload = '{}'",
      "INSERT INTO events (seq) VALUES (999999)",
      "DROP VIEW v_cycles",
      "CREATE TABLE notes (t TEXT)",
      "PRAGMA user_version = 7",
      `ATTACH '${join(h.dir, "other.db")}' AS other`,
      "VACUUM",
    ]) {
      const r = await fetch(`${url}sql?q=${encodeURIComponent(write)}`);
      expect(r.status, write).toBe(400);
      expect(await r.text(), write).toMatch(/read-only/);
    }
    // The pages read everything once more, then the server stops.
    for (const path of ["", "sessions", "trades", "session/2026-02-05"])
      expect((await fetch(`${url}${path}`)).status).toBe(200);
    await stop(child);
    expect(sha256(sample)).toBe(before);
  }, 120_000);

  it("limits how fast one client may ask: 429 with Retry-After", async () => {
    const { url, child } = await serve(["--journal", sample]);
    let ok = 0;
    let limited: Response | undefined;
    for (let i = 0; i < 2000 && !limited; i++) {
      const r = await fetch(`${url}app.css`);
      if (r.status === 429) limited = r;
      else ok++;
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(ok).toBeGreaterThanOrEqual(60);
    await stop(child);
  }, 120_000);
});

describe("the token beyond loopback", () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [CLI, "serve", "--port", "0", "--journal", sample, ...args], {
      encoding: "utf8",
      timeout: 60_000,
    });

  it("refuses --host 0.0.0.0 without --token-file, naming --token-file", () => {
    const r = run(["--host", "0.0.0.0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--token-file");
  });

  it("refuses a token file other users may read (mode 0644), naming 0600", () => {
    const file = join(h.dir, "token-open");
    writeFileSync(file, "0123456789abcdef0123456789abcdef\n");
    chmodSync(file, 0o644);
    const r = run(["--host", "0.0.0.0", "--token-file", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/0644.*0600/);
  });

  it("answers 401 without the token, and serves with it (bearer, or ?token= then its cookie)", async () => {
    const token = "f00dfeedf00dfeedf00dfeedf00dfeed";
    const file = join(h.dir, "token");
    writeFileSync(file, `${token}\n`);
    chmodSync(file, 0o600);
    const { url } = await serve(["--journal", sample, "--host", "0.0.0.0", "--token-file", file]);
    const local = url.replace("0.0.0.0", "127.0.0.1");
    for (const path of [
      "",
      "sessions",
      "trades",
      "sql?q=SELECT%201",
      "events",
      "app.css",
      "session/2026-02-04",
    ])
      expect((await fetch(`${local}${path}`)).status, `/${path} without the token`).toBe(401);
    const wrong = await fetch(`${local}sessions`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const bearer = await fetch(`${local}sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(bearer.status).toBe(200);
    const first = await fetch(`${local}sessions?token=${token}`, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/sessions");
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    expect(first.headers.get("set-cookie")).toMatch(/HttpOnly/);
    expect((await fetch(`${local}sessions`, { headers: { cookie } })).status).toBe(200);
  }, 120_000);
});

describe("the now page while a live bot appends", () => {
  it("updates through server-sent events without a reload, and the bot keeps its writer lock to itself", async () => {
    const { sim, journal } = await h.setup();
    const args = ["--journal", journal, "--port", String(sim.port), "--interval", "1", "--paper"];
    const bot = h.live([...args, "--cycles", "60"]);
    const cycles = () => {
      try {
        const j = openJournal(journal, { readonly: true });
        try {
          return j.sql.all<{ n: number }>(
            "SELECT count(*) AS n FROM events WHERE type = 'CycleCompleted'",
          )[0]!.n;
        } finally {
          j.close();
        }
      } catch {
        return 0; // not created yet
      }
    };
    await until("the bot's first cycle", () => cycles() > 0, 60_000);
    const { url, child } = await serve(["--journal", journal]);
    const browser = await launchChromium();
    try {
      for (const width of [390, 1400]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        await page.goto(url);
        await page.waitForSelector("[data-cycle]");
        const shown = async () =>
          Number(await page.$eval("[data-cycle]", (e) => e.getAttribute("data-cycle")));
        const first = await shown();
        // A marker a reload would wipe: the page must change under it.
        await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
        // Waited for on what the page shows (the bot's cycles drive it), looked at from here:
        // the page's policy forbids evaluating strings, as a waitForFunction would.
        const deadline = Date.now() + 120_000;
        while ((await shown()) <= first && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 200));
        expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
        expect(await shown()).toBeGreaterThan(first);
        expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(SCREENS, `serve-now-live-${width}.png`) });
        // Left open: the packaged Chromium runs as one process, which closing its last page ends.
      }
    } finally {
      await browser.close();
    }
    bot.child.kill("SIGINT");
    expect((await bot.done).code).toBe(0);
    // With the server still reading, a new bot takes the writer lock: the server holds none.
    const again = await h.live([...args, "--cycles", "1"]).done;
    expect(again.code, again.stderr).toBe(0);
    await stop(child);
  }, 300_000);
});
