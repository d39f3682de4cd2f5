/**
 * A headless Chromium for the report test, with nothing to install beyond `npm install`: the
 * browser that `@sparticuz/chromium` ships inside its npm package (unpacked to the temp folder on
 * first use; no download), else a system Chromium where there is one.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const SYSTEM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
/** Flags that keep the browser off the network and out of the way. */
const QUIET = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launch Chromium; the error says what was tried when none starts. */
export async function launchChromium(): Promise<Browser> {
  const problems: string[] = [];
  try {
    const { default: packaged } = await import("@sparticuz/chromium");
    const executablePath = await packaged.executablePath();
    return await chromium.launch({ executablePath, args: [...packaged.args, ...QUIET] });
  } catch (error) {
    problems.push(`@sparticuz/chromium: ${(error as Error).message.split("\n")[0]}`);
  }
  for (const path of SYSTEM.filter((p) => existsSync(p))) {
    try {
      return await chromium.launch({ executablePath: path, args: QUIET });
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(
    `no Chromium could be started (${problems.join("; ") || "none found"}): run npm install (it brings @sparticuz/chromium), or install a system chromium`,
  );
}
