/**
 * The HTML report, rendered by the built CLI and opened in headless Chromium (the one the npm
 * package @sparticuz/chromium ships, else a system one): the charts drew, nothing was fetched, no
 * console errors.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { shortRunId } from "../../src/cli/replay-summary.js";
import { launchChromium } from "./support/chromium.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const dir = mkdtempSync(join(tmpdir(), "report-"));
const journal = join(dir, "journal.db");
const replayDb = join(dir, "replay.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });

let run = "";
// biome-ignore lint/suspicious/noExplicitAny: the replay's JSON output, checked field by field below
let summary: any = null;
beforeAll(() => {
  copyFileSync(inject("sampleJournal"), journal);
  const r = cli(["replay", "--journal", journal, "--session", "2026-02-05", "--out", replayDb, "--json"]);
  expect(r.status, r.stderr).toBe(0);
  summary = JSON.parse(r.stdout);
  run = summary.run;
}, 120_000);

describe("journal report", () => {
  it("renders live and replay side by side, and the charts draw in Chromium", async () => {
    const out = join(dir, "report.html");
    const r = cli([
      "report",
      "--journal",
      journal,
      "--session",
      "2026-02-05",
      "--run",
      // The short id the replay table shows is enough.
      shortRunId(run),
      "--replay-journal",
      replayDb,
      "--out",
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(out, "utf8");
    // The one script element is the figures as JSON (not run); nothing is fetched.
    expect(html.replace(/<script type="application\/json" id="report-data">/, "")).not.toMatch(
      /<script|https?:\/\/(?!www\.w3\.org)/,
    );
    expect(html).toContain(run);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("request", (req) => requests.push(req.url()));
      await page.goto(`file://${out}`);
      const charts = await page.$$eval(".chart svg", (svgs) =>
        svgs.map((svg) => ({
          width: svg.getBoundingClientRect().width,
          paths: svg.querySelectorAll("path").length,
        })),
      );
      // Per symbol an underlying and a premium chart, then equity and notices.
      expect(charts.length).toBeGreaterThanOrEqual(6);
      for (const chart of charts) {
        expect(chart.width).toBeGreaterThan(300);
        expect(chart.paths).toBeGreaterThan(5);
      }
      // Every symbol has its section: the underlying's line, and the premium of its traded options
      // with fills as points and round trips as rules from entry to exit.
      const symbols = await page.$$eval(".symbol-chart", (d) => d.map((x) => x.getAttribute("data-symbol")));
      expect(new Set(symbols)).toEqual(new Set(["SPY", "QQQ"]));
      expect(await page.$$eval(".symbol-chart svg .mark-line path", (p) => p.length)).toBeGreaterThanOrEqual(
        2,
      );
      expect(await page.$$eval(".premium-chart svg .mark-symbol path", (p) => p.length)).toBeGreaterThan(5);
      expect(await page.$$eval(".premium-chart svg .mark-rule line", (p) => p.length)).toBeGreaterThan(0);
      expect(await page.$$eval("#equity-chart svg .mark-line path", (p) => p.length)).toBeGreaterThanOrEqual(
        2,
      );
      expect(
        await page.$$eval(
          "#notice-chart svg .mark-tick path, #notice-chart svg .mark-rect path",
          (p) => p.length,
        ),
      ).toBeGreaterThan(5);
      expect(await page.$$eval("table.summary caption", (c) => c.map((x) => x.textContent))).toEqual([
        "live",
        "replay",
      ]);
      // Marks carry hover titles (an SVG <title> a browser shows without a script).
      const titles = await page.$$eval(".premium-chart svg .mark-symbol path title", (t) =>
        t.map((x) => x.textContent ?? ""),
      );
      expect(titles.length).toBeGreaterThan(5);
      expect(titles.some((t) => /fill: (live|replay) (buy|sell)/.test(t))).toBe(true);
      // Live's refusals (if any) sit on the timeline beside the notices, each with its rule.
      const timeline = await page.$$eval(
        "#notice-chart svg .mark-tick path title, #notice-chart svg .mark-rect path title",
        (t) => t.map((x) => x.textContent ?? ""),
      );
      for (const rule of Object.keys(summary.sessions[0].figures.live.refusalsByRule))
        expect(timeline.some((t) => t.includes(`${rule}: `))).toBe(true);
      // Notices carry their meaning from notice_codes (2104: market data farm connection is OK).
      expect(timeline.some((t) => /\b\d{3,4}: [a-z]/.test(t))).toBe(true);
      // The figures in the page are the ones `replay --json` printed, for both runs.
      const data = JSON.parse(await page.$eval("#report-data", (e) => e.textContent ?? ""));
      expect(data.runs.map((r: { figures: unknown }) => r.figures)).toEqual([
        summary.sessions[0].figures.live,
        summary.sessions[0].figures.replay,
      ]);
      expect(data.outcomeParity).toEqual(summary.sessions[0].outcomeParity);
      const parityRows = await page.$$eval("#outcome-parity tr", (r) => r.length);
      expect(parityRows).toBe(7);
      // The header names the strategy, its version and parameters.
      expect(html).toMatch(/trend-vwap \d+\.\d+\.\d+ — [^<]*stopLossPct=/);
      expect(errors).toEqual([]);
      expect(requests.every((u) => u.startsWith("file://"))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it("names the runs there are when --run is unknown", () => {
    const r = cli([
      "report",
      "--journal",
      journal,
      "--session",
      "2026-02-05",
      "--run",
      "replay-nope",
      "--replay-journal",
      replayDb,
      "--out",
      join(dir, "x.html"),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`runs there: ${run}`);
  });
});
