/**
 * The static report on a phone and the defects a trader found in it, in headless Chromium at 390
 * and 1,400 px: no sideways scroll, a legend that names the price line, round-trip hovers with
 * both times, an equity curve that equals live's when the outcomes do, premium lines that stop
 * where the quotes stop, and one open P&L for a position still held at the end.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { contractKey, openJournal } from "../../src/events/index.js";
import { liveHarness } from "../support/live-harness.js";
import { launchChromium } from "./support/chromium.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const SCREENS = "/work/screens-h27";
const dir = mkdtempSync(join(tmpdir(), "report-phone-"));
const journal = join(dir, "journal.db");
const replayDb = join(dir, "replay.db");
const h = liveHarness("report-phone-live-");
afterAll(async () => {
  await h.cleanup();
  rmSync(dir, { recursive: true, force: true });
  rmSync(h.dir, { recursive: true, force: true });
});
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });
const SESSION = "2026-02-04";
const out = join(dir, "report.html");
// biome-ignore lint/suspicious/noExplicitAny: the replay's JSON output, read field by field
let replayed: any = null;

beforeAll(() => {
  copyFileSync(inject("sampleJournal"), journal);
  const r = cli(["replay", "--journal", journal, "--session", SESSION, "--out", replayDb, "--json"]);
  expect(r.status, r.stderr).toBe(0);
  replayed = JSON.parse(r.stdout);
  const w = cli([
    "report",
    "--journal",
    journal,
    "--session",
    SESSION,
    "--run",
    replayed.run,
    "--replay-journal",
    replayDb,
    "--out",
    out,
  ]);
  expect(w.status, w.stderr).toBe(0);
}, 120_000);

async function withPage<T>(
  width: number,
  url: string,
  look: (page: import("playwright-core").Page) => Promise<T>,
) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(url);
    return await look(page);
  } finally {
    await browser.close();
  }
}

const sidewaysScroll = (page: import("playwright-core").Page) =>
  page.$eval("html", (html) => html.scrollWidth - html.clientWidth);

describe("the report on a phone", () => {
  for (const width of [390, 1400]) {
    it(`has a viewport and no sideways scroll at ${width} px`, async () => {
      expect(readFileSync(out, "utf8")).toContain('name="viewport"');
      await withPage(width, `file://${out}`, async (page) => {
        expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
        // The text is not shrunk to fit a desktop layout: body text stays 14 px in CSS pixels.
        expect(
          await page.$eval("body", (body) => body.ownerDocument.defaultView!.getComputedStyle(body).fontSize),
        ).toBe("14px");
        mkdirSync(SCREENS, { recursive: true });
        await page.screenshot({ path: join(SCREENS, `report-${width}.png`), fullPage: false });
        for (const chart of [".symbol-chart", ".premium-chart", "#equity-chart"]) {
          const element = await page.$(chart);
          await element?.screenshot({
            path: join(SCREENS, `report-${chart.replace(/\W/g, "")}-${width}.png`),
          });
        }
        const trades = await page.$("table.cards");
        await trades?.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SCREENS, `report-trades-${width}.png`), fullPage: false });
        if (width === 390) {
          // Trades became cards: each cell shows its column's name.
          const label = await page.$eval(
            "table.cards td",
            (td) => td.ownerDocument.defaultView!.getComputedStyle(td, "::before").content,
          );
          expect(label).not.toBe("none");
        }
      });
    }, 120_000);
  }

  it("names the price line in the underlying's legend, and no signal wears the price's colour", async () => {
    await withPage(1400, `file://${out}`, async (page) => {
      const charts = await page.$$eval(".symbol-chart svg", (svgs) =>
        svgs.map((svg) => ({
          // The legend of the lines' colour (the decisions' shapes have their own).
          legend: [...svg.querySelectorAll(".role-legend")]
            .filter((l) => /for stroke color/.test(l.getAttribute("aria-label") ?? ""))
            .flatMap((l) => [...l.querySelectorAll(".role-legend-entry")])
            .flatMap((entry) =>
              [...entry.querySelectorAll(".role-legend-label text")].map((t, i) => ({
                label: t.textContent ?? "",
                colour: entry.querySelectorAll(".role-legend-symbol path")[i]?.getAttribute("stroke") ?? "",
              })),
            ),
          lines: [...svg.querySelectorAll(".mark-line path")].map((p) => ({
            series: /series: ([^;]+)$/.exec(p.getAttribute("aria-label") ?? "")?.[1] ?? "",
            colour: p.getAttribute("stroke") ?? "",
          })),
        })),
      );
      expect(charts.length).toBeGreaterThan(0);
      for (const chart of charts) {
        const colours = new Map(chart.legend.map((l) => [l.label, l.colour]));
        expect([...colours.keys()]).toContain("price");
        expect(new Set(colours.values()).size).toBe(colours.size);
        for (const line of chart.lines) expect(colours.get(line.series), line.series).toBe(line.colour);
      }
    });
  }, 120_000);

  it("gives each round trip's hover its entry and exit times", async () => {
    const data = JSON.parse(readFileSync(out, "utf8").match(/id="report-data">([^<]*)</)![1]!);
    const exits = new Set<string>(
      data.runs.flatMap((r: { trades: { exitNy: string }[] }) => r.trades.map((t) => t.exitNy.slice(11, 16))),
    );
    await withPage(1400, `file://${out}`, async (page) => {
      const hovers = await page.$$eval(".premium-chart .mark-rule line title", (t) =>
        t.map((x) => x.textContent ?? ""),
      );
      expect(hovers.length).toBeGreaterThan(0);
      for (const hover of hovers) {
        const exit = /exit (\d{2}:\d{2})/.exec(hover)?.[1];
        expect(exit, hover).toBeDefined();
        expect(exits.has(exit!), hover).toBe(true);
      }
    });
  }, 120_000);

  it("draws a replay whose outcomes equal live's with the same equity curve", async () => {
    expect(replayed.sessions[0].outcomeParity.equal).toBe(true);
    await withPage(1400, `file://${out}`, async (page) => {
      // The equity chart is the first of the two stacked views; each run is one line path.
      const curves = await page.$$eval("#equity-chart svg .mark-line path", (paths) =>
        paths.map((p) => p.getAttribute("d") ?? ""),
      );
      expect(curves.length).toBeGreaterThanOrEqual(2);
      expect(curves[1]).toBe(curves[0]);
    });
  }, 120_000);

  it("stops a premium line where its contract went unquoted for an hour or more", async () => {
    // From the journal: each traded option's quotes, and the hour-long gaps between them.
    const j = openJournal(journal, { readonly: true });
    const events = [...j.read({ stream: "live", session: SESSION })];
    j.close();
    const traded = new Set(
      events.flatMap((e) => (e.type === "OrderFilled" ? [contractKey(e.payload.contract)] : [])),
    );
    const times = new Map<string, number[]>();
    for (const e of events)
      if (e.type === "QuoteSnapshot" && traded.has(contractKey(e.payload.contract)))
        times.set(contractKey(e.payload.contract), [
          ...(times.get(contractKey(e.payload.contract)) ?? []),
          e.ts,
        ]);
    const hourGaps = [...times.values()].reduce(
      (n, ts) => n + ts.slice(1).filter((t, i) => t - ts[i]! >= 3_600_000).length,
      0,
    );
    expect(hourGaps, "the session holds an option unquoted for an hour").toBeGreaterThan(0);
    await withPage(1400, `file://${out}`, async (page) => {
      const lines = await page.$$eval(".premium-chart .mark-line path", (p) => p.length);
      // One line per contract would join across every gap; each gap starts another line.
      expect(lines).toBeGreaterThanOrEqual(times.size + hourGaps);
    });
  }, 120_000);
});

describe("a position still open at the end", () => {
  it("reads the same open P&L in the summary and in the open-at-the-end table", async () => {
    const { sim, journal: live } = await h.setup();
    const config = join(h.dir, "buy-once.yaml");
    writeFileSync(config, "strategy:\n  params:\n    putCycle: 99\n    exitCycle: 99\n");
    const PROBE = join(ROOT, "test", "support", "probe-strategy.ts");
    const run = h.live([
      "--config",
      config,
      "--journal",
      live,
      "--port",
      String(sim.port),
      "--symbols",
      "SPY",
      "--strategy",
      PROBE,
      "--interval",
      "1",
      "--cycles",
      "3",
      "--paper",
    ]);
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    const j = openJournal(live, { readonly: true });
    const session = j.sessionIds("live")[0]!;
    j.close();
    const page = join(h.dir, "open.html");
    const w = cli(["report", "--journal", live, "--session", session, "--out", page]);
    expect(w.status, w.stderr).toBe(0);
    const html = readFileSync(page, "utf8");
    const summary = /of which open at the end<\/th><td>(-?\d+\.\d\d) USD/.exec(html)?.[1];
    const open = html.slice(html.indexOf("Open at the end"));
    const cell = /<td data-label="pnl">([^<]*)<\/td>/.exec(open)?.[1];
    expect(summary).toBeDefined();
    expect(cell).toBe(summary);
  }, 120_000);
});
