/**
 * A PostgreSQL password is never printed: not in an error, not in `--json`, not in a help default;
 * and it can reach pg without a command line (`--password-file`, PGPASSWORD, ~/.pgpass). The built
 * CLI against a probe that asks for a password and records it (password-probe.ts), and, with
 * TEST_PG_URL, against the real cluster with a password in the URL.
 */
import { spawn } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openJournal, openShipTarget, shipJournal } from "../../src/events/index.js";
import { type PasswordProbe, startPasswordProbe } from "./password-probe.js";
import { dropDatabase, freshDatabase, testPgUrl } from "./pg-support.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist", "src", "cli", "journal.js");
const PG_URL = testPgUrl();
const SECRET = "s3cr3t-Pa55word";
const dir = mkdtempSync(join(tmpdir(), "journal-secrets-"));
const home = join(dir, "home");
const journal = join(dir, "journal.db");

// No password of the runner's own environment may help or leak: each test says where one comes from.
const { JOURNAL_PATH: _a, JOURNAL_SHIP_URL: _b, PGPASSWORD: _c, PGPASSFILE: _d, ...baseEnv } = process.env;
const env = { ...baseEnv, HOME: home };

/** Run the built CLI without blocking this process (the probe answers from its event loop). */
function cli(args: string[], extraEnv: Record<string, string> = {}) {
  return new Promise<{ status: number | null; out: string }>((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...env, ...extraEnv } });
    let out = "";
    p.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    p.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    p.on("close", (status) => resolve({ status, out }));
  });
}

let probe: PasswordProbe;
const probeUrl = (password?: string) =>
  `postgres://journal_reader${password === undefined ? "" : `:${password}`}@127.0.0.1:${probe.port}/fleet`;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
  mkdirSync(home);
  copyFileSync(inject("sampleJournal"), journal);
  probe = await startPasswordProbe();
});
afterAll(async () => {
  await probe?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a password in a URL is masked in every message", () => {
  it("ship --to with a URL of another scheme", async () => {
    const r = await cli(["ship", "--to", `mysql://u:${SECRET}@db.lan/fleet`, "--journal", journal]);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/--to mysql:\/\/u:\*\*\*@db\.lan\/fleet: expected a PostgreSQL URL/);
    expect(r.out).not.toContain(SECRET);
  });

  it("the help's defaults from JOURNAL_SHIP_URL and JOURNAL_PATH", async () => {
    const url = probeUrl(SECRET);
    const ship = await cli(["ship", "--help"], { JOURNAL_SHIP_URL: url });
    expect(ship.status).toBe(0);
    expect(ship.out).toMatch(/default: \$JOURNAL_SHIP_URL/);
    expect(ship.out).toMatch(/--password-file/);
    const sessions = await cli(["sessions", "--help"], { JOURNAL_PATH: url });
    expect(sessions.out).toMatch(/default: \$JOURNAL_PATH/);
    for (const r of [ship, sessions]) expect(r.out).not.toContain(SECRET);
  });

  it("a server refusing the login, for every read command and ship", async () => {
    const url = probeUrl(SECRET);
    for (const args of [
      ["sessions", "--journal", url],
      ["verify", "--journal", url],
      ["sql", "SELECT 1", "--journal", url],
      ["replay", "--journal", url, "--bot", "pi", "--session", "2026-02-04", "--out", join(dir, "r.db")],
      ["report", "--journal", url, "--bot", "pi", "--session", "2026-02-04", "--out", join(dir, "r.html")],
      ["ship", "--to", url, "--journal", journal, "--bot", "pi"],
      ["ship", "--to", url, "--journal", journal, "--bot", "pi", "--json"],
    ]) {
      const r = await cli(args);
      expect(r.status, `${args[0]}: ${r.out}`).not.toBe(0);
      expect(r.out, args[0]).toMatch(/password authentication failed|journal_reader:\*\*\*@/);
      expect(r.out, args[0]).not.toContain(SECRET);
    }
    // Each of them really offered the password (so each message could have held it).
    expect(probe.logins.filter((l) => l.password === SECRET).length).toBeGreaterThanOrEqual(7);
  });
});

describe("the password reaches pg without a command line", () => {
  it("in the README and the docs, no URL carries one (but the masked example)", () => {
    for (const file of ["README.md", "docs/sql.md", "docs/pi.md", "deploy/journal-ship.service"]) {
      const text = readFileSync(join(ROOT, file), "utf8");
      const urls = [...text.matchAll(/postgres(?:ql)?:\/\/[^\s`"')]+/g)].map((m) => m[0]);
      for (const url of urls)
        expect(url, `${file}: ${url}`).not.toMatch(/^[^/]+\/\/[^/@]*:(?!\*\*\*@)[^/@]*@/);
    }
  });

  const last = () => probe.logins.at(-1);

  it("--password-file: the first line of a file of mode 0600", async () => {
    const file = join(dir, "pw");
    writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    for (const args of [
      ["sessions", "--journal", probeUrl()],
      ["sql", "SELECT 1", "--journal", probeUrl()],
      ["ship", "--to", probeUrl(), "--journal", journal, "--bot", "pi"],
    ]) {
      const before = probe.logins.length;
      const r = await cli([...args, "--password-file", file]);
      expect(r.status, r.out).toBe(1);
      expect(probe.logins.length, args[0]).toBeGreaterThan(before);
      expect(last()?.password, args[0]).toBe(SECRET);
      expect(r.out).not.toContain(SECRET);
    }
  });

  it("refuses a --password-file others may read, naming its mode", async () => {
    const file = join(dir, "pw-open");
    writeFileSync(file, SECRET);
    chmodSync(file, 0o644);
    const before = probe.logins.length;
    const r = await cli(["sessions", "--journal", probeUrl(), "--password-file", file]);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/mode 0644 lets other users read it; make it 0600 or stricter \(chmod 600 /);
    expect(probe.logins.length).toBe(before);
  });

  it("PGPASSWORD and ~/.pgpass, which pg reads itself", async () => {
    const viaEnv = await cli(["sessions", "--journal", probeUrl()], { PGPASSWORD: `${SECRET}-env` });
    expect(last()?.password).toBe(`${SECRET}-env`);
    expect(viaEnv.out).not.toContain(SECRET);
    const pgpass = join(home, ".pgpass");
    writeFileSync(pgpass, `127.0.0.1:${probe.port}:fleet:journal_reader:${SECRET}-pgpass\n`, { mode: 0o600 });
    chmodSync(pgpass, 0o600);
    const viaFile = await cli(["sessions", "--journal", probeUrl()]);
    expect(last()?.password).toBe(`${SECRET}-pgpass`);
    expect(viaFile.out).not.toContain(SECRET);
    rmSync(pgpass);
  });
});

describe.skipIf(!PG_URL)("against a real fleet journal, with the password in the URL", () => {
  let url = "";
  let withPassword = "";
  beforeAll(async () => {
    url = await freshDatabase(PG_URL!);
    // The test cluster trusts local connections: any password is accepted, and must not be shown.
    const u = new URL(url);
    u.password = SECRET;
    withPassword = u.toString();
    const source = openJournal(journal, { readonly: true });
    const target = await openShipTarget(url, "pi-spy");
    await shipJournal(source, target);
    await target.close();
    source.close();
  });
  afterAll(async () => {
    if (url) await dropDatabase(url);
  });

  it("a missing session in replay and report, and the outputs of ship, sessions and verify", async () => {
    const runs = [
      [
        "replay",
        "--journal",
        withPassword,
        "--bot",
        "pi-spy",
        "--session",
        "2026-03-02",
        "--out",
        join(dir, "x.db"),
      ],
      [
        "report",
        "--journal",
        withPassword,
        "--bot",
        "pi-spy",
        "--session",
        "2026-03-02",
        "--out",
        join(dir, "x.html"),
      ],
      ["ship", "--to", withPassword, "--journal", journal, "--bot", "pi-spy"],
      ["ship", "--to", withPassword, "--journal", journal, "--bot", "pi-spy", "--json"],
      ["sessions", "--journal", withPassword, "--json"],
      ["verify", "--journal", withPassword],
      ["sql", "SELECT current_database() AS db", "--journal", withPassword, "--format", "json"],
    ];
    for (const args of runs) {
      const r = await cli(args);
      expect(r.out, args.join(" ")).not.toContain(SECRET);
    }
    const missing = await cli(runs[0]!);
    expect(missing.status).not.toBe(0);
    expect(missing.out).toMatch(/no session 2026-03-02/);
    const report = await cli(runs[1]!);
    expect(report.out).toMatch(/no session 2026-03-02 in stream live of postgres:\/\/[^:/]+:\*\*\*@/);
    const shipped = await cli(runs[3]!);
    expect(JSON.parse(shipped.out).to).toMatch(/:\*\*\*@/);
  });

  it("a fleet journal without --bot, in replay and report", async () => {
    for (const args of [
      ["replay", "--journal", withPassword, "--session", "2026-02-04", "--out", join(dir, "r.db")],
      ["report", "--journal", withPassword, "--session", "2026-02-04", "--out", join(dir, "r.html")],
    ]) {
      const r = await cli(args);
      expect(r.out, args[0]).toMatch(/holds a fleet: say whose/);
      expect(r.out, args[0]).not.toContain(SECRET);
    }
  });
});
