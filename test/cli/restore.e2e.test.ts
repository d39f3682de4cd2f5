/**
 * `journal restore` as a user meets it: the recovery steps of docs/pi.md run exactly as written
 * (a real `journal live` against the simulator, a crash that loses the -wal, the refusal, the
 * restore, the bot started again), and the refusals that keep a restore from destroying anything.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { LOCK_HOLDER } from "../support/journal-writer.js";
import { liveHarness, until } from "../support/live-harness.js";
import {
  cli,
  expectOneLineFailure,
  ROOT,
  SAMPLE_0204,
  SAMPLE_0205,
  startChild,
  stopChild,
  zeroPage,
} from "./support/run-cli.js";

const h = liveHarness("restore-");
afterAll(async () => {
  await h.cleanup();
  rmSync(h.dir, { recursive: true, force: true });
});

const count = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  } finally {
    db.close();
  }
};
const markOf = (journal: string) => Number(readFileSync(`${journal}-seq`, "utf8").trim());

/** The lines of the first ```bash block after `heading` in docs/pi.md, comments dropped. */
function docsBlock(heading: string): string[] {
  const text = readFileSync(join(ROOT, "docs", "pi.md"), "utf8");
  const at = text.indexOf(heading);
  expect(at, `docs/pi.md has "${heading}"`).toBeGreaterThan(-1);
  const block = /```bash\n([\s\S]*?)```/.exec(text.slice(at))![1]!;
  return block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
}

/** A reader holding one snapshot open: no checkpoint moves past it, so later commits stay in the -wal. */
async function holdSnapshot(journal: string): Promise<ChildProcess> {
  const code = `import { createRequire } from "node:module";
    const D = createRequire(process.argv[1])("better-sqlite3");
    const db = new D(process.argv[2], { readonly: true });
    db.exec("BEGIN"); db.prepare("SELECT count(*) FROM events").get();
    console.log("snapshot"); setInterval(() => {}, 1 << 30);`;
  return startChild(["--input-type=module", "-e", code, join(ROOT, "package.json"), journal], "snapshot");
}

describe("docs/pi.md's recovery steps, as written", () => {
  it("a bot whose -wal was lost after a crash is refused with JournalBehind pointing at journal restore; the documented restore brings every command back, the bot included", async () => {
    // A checkout as on the Pi: dist/ and data/ in the working directory the docs' commands assume.
    const checkout = join(h.dir, "pi");
    mkdirSync(join(checkout, "data"), { recursive: true });
    symlinkSync(join(ROOT, "dist"), join(checkout, "dist"));
    const journal = join(checkout, "data", "journal.db");
    const { sim } = await h.setup();
    const run = (line: string) => {
      const [node, script, ...args] = line.split(/\s+/);
      expect([node, script], line).toEqual(["node", "dist/src/cli/journal.js"]);
      return spawnSync(process.execPath, [script!, ...args], { cwd: checkout, encoding: "utf8" });
    };
    let bot: ChildProcess | undefined;
    const startBot = (cycles: number) => {
      bot = spawn(
        process.execPath,
        [
          "dist/src/cli/journal.js",
          "live",
          "--quiet",
          "--log-file",
          join(h.dir, "bot.log"),
          "--journal",
          "data/journal.db",
          "--port",
          String(sim.port),
          "--symbols",
          "SPY",
          "--interval",
          "1",
          "--cycles",
          String(cycles),
        ],
        { cwd: checkout, stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      bot.stderr!.on("data", (c) => (stderr += c));
      return new Promise<{ code: number | null; stderr: string }>((resolve) =>
        bot!.on("exit", (code) => resolve({ code, stderr })),
      );
    };

    // The bot runs; the nightly backup (docs/pi.md section 3) is taken while it writes.
    startBot(1000);
    // Until the bot created its schema there is no events table to count.
    const counted = () => {
      try {
        return count(journal);
      } catch {
        return 0;
      }
    };
    await until("the bot's first cycles", () => counted() > 20);
    const backupLine = docsBlock("## 3. Getting the journal to a laptop")[0]!;
    const backup = run(backupLine);
    expect(backup.status, `${backupLine}: ${backup.stderr}`).toBe(0);
    const backedUp = count(join(checkout, "data", "backup.db"));

    // It goes on writing; then the Pi crashes and the -wal is lost with what it held.
    const reader = await holdSnapshot(journal);
    const atSnapshot = count(journal);
    await until(
      "commits after the snapshot, recorded in the seq mark",
      () => markOf(journal) > atSnapshot + 5,
    );
    await stopChild(bot!);
    await stopChild(reader);
    rmSync(`${journal}-wal`);
    rmSync(`${journal}-shm`, { force: true });
    const refused = run("node dist/src/cli/journal.js sessions --journal data/journal.db");
    expectOneLineFailure(
      refused,
      /JournalBehind: .*journal restore --from BACKUP --journal data\/journal\.db/,
      "sessions after the lost -wal",
    );

    // The documented steps, line by line.
    const steps = docsBlock("### If the journal is refused at start");
    expect(steps.some((s) => s.includes(" restore "))).toBe(true);
    let restarted: { code: number | null; stderr: string } | undefined;
    for (const step of steps) {
      if (step === "sudo systemctl stop ib-trading-journal") {
        if (bot && bot.exitCode === null) await stopChild(bot);
      } else if (step === "sudo systemctl start ib-trading-journal") {
        restarted = await startBot(2);
      } else {
        const r = run(step);
        expect(r.status, `${step}: ${r.stderr}`).toBe(0);
      }
    }
    expect(restarted?.code, restarted?.stderr).toBe(0);

    // Nothing was deleted: the crashed journal and its mark are in the folder beside it.
    const aside = readdirSync(join(checkout, "data")).filter((f) =>
      f.startsWith("journal.db.before-restore-"),
    );
    expect(aside).toHaveLength(1);
    const moved = readdirSync(join(checkout, "data", aside[0]!));
    expect(moved).toEqual(expect.arrayContaining(["journal.db", "journal.db-seq"]));
    expect(markOf(join(checkout, "data", aside[0]!, "journal.db"))).toBeGreaterThan(backedUp);
    // Every command works on the restored journal, which the bot went on appending to.
    expect(count(journal)).toBeGreaterThan(backedUp);
    for (const args of [["sessions"], ["verify"], ["positions"], ["export", "--session", "2026-02-04"]]) {
      const r = run(`node dist/src/cli/journal.js ${args.join(" ")} --journal data/journal.db`);
      expect(r.status, `${args[0]}: ${r.stderr}`).toBe(0);
    }
  }, 180_000);
});

describe("journal restore refuses what would destroy, and moves nothing then", () => {
  const dir = join(h.dir, "refusals");
  const snapshot = () =>
    readdirSync(dir)
      // SQLite's index files and the writer lock come and go with every open; what counts stays.
      .filter((f) => !/-shm$|-wal$|\.lock(\.json)?$/.test(f))
      .sort();

  it("a running writer, a backup that fails verify or is damaged, a file that is not a journal, the journal's own files", async () => {
    mkdirSync(dir);
    const journal = join(dir, "journal.db");
    copyFileSync(inject("sampleJournal"), journal);
    const good = join(dir, "backup.db");
    copyFileSync(inject("sampleJournal"), good);
    const tampered = join(dir, "tampered.db");
    copyFileSync(good, tampered);
    const db = new Database(tampered);
    db.exec("DROP TRIGGER events_no_update");
    db.prepare(
      "UPDATE events SET payload = replace(payload, '\"cycle\":1,', '\"cycle\":7,') WHERE seq = (SELECT min(seq) FROM events WHERE type = 'CycleStarted')",
    ).run();
    db.close();
    const damaged = join(dir, "damaged.db");
    copyFileSync(good, damaged);
    const page = 4096;
    const bytes = readFileSync(damaged);
    bytes.fill(0, 200 * page, 201 * page);
    writeFileSync(damaged, bytes);
    writeFileSync(join(dir, "notes.txt"), "not a journal\n");
    symlinkSync("journal.db", join(dir, "journal-link.db"));
    const before = snapshot();

    const holder = await startChild(["--expose-gc", LOCK_HOLDER, journal], "locked");
    try {
      const r = cli(["restore", "--from", good, "--journal", journal], dir);
      expectOneLineFailure(
        r,
        new RegExp(`journal\\.db is being written by pid ${holder.pid} `),
        "while a writer runs",
      );
    } finally {
      await stopChild(holder);
    }
    for (const [from, words] of [
      [
        tampered,
        /RestoreFailed: .*tampered\.db: .*tampered\.db fails verify at seq \d+: .*give --from an older backup.*nothing was moved/,
      ],
      [
        damaged,
        // A zeroed page is caught by integrity_check, or by the hash chain where the b-tree stays well formed.
        /RestoreFailed: .*damaged\.db: .*damaged\.db (is damaged|fails verify at seq \d+: (SQLite integrity_check failed|hash chain broken)).*give --from an older backup.*nothing was moved/,
      ],
      [join(dir, "notes.txt"), /notes\.txt: is not a journal backup/],
      [join(dir, "missing.db"), /missing\.db: no such backup/],
      ["journal-link.db", /is the journal itself/],
      ["journal.db-seq", /belongs to the journal/],
    ] as const) {
      const r = cli(["restore", "--from", from, "--journal", "journal.db"], dir);
      expectOneLineFailure(r, words, from);
    }
    expect(snapshot()).toEqual(before);
    expect(count(journal)).toBe(count(good));
  }, 60_000);
});

describe("journal restore puts things right", () => {
  it("a journal with a zeroed page (JournalDamaged, pointing at restore) is restored from its backup; the damaged file is kept aside", () => {
    const dir = join(h.dir, "damaged");
    mkdirSync(dir);
    const journal = join(dir, "journal.db");
    copyFileSync(inject("sampleJournal"), journal);
    expect(cli(["backup", "--journal", "journal.db", "--out", "backup.db"], dir).status).toBe(0);
    zeroPage(journal, { table: "events", offset: 40 });
    const bytes = readFileSync(journal);
    const refused = cli(["sessions", "--journal", "journal.db"], dir);
    expectOneLineFailure(
      refused,
      /JournalDamaged: journal\.db: .*journal restore --from BACKUP --journal journal\.db/,
      "damaged",
    );
    const r = cli(["restore", "--from", "backup.db", "--journal", "journal.db"], dir);
    expect(r.status, r.stderr).toBe(0);
    const aside = readdirSync(dir).find((f) => f.startsWith("journal.db.before-restore-"))!;
    expect(readFileSync(join(dir, aside, "journal.db")).equals(bytes)).toBe(true);
    for (const args of [["sessions"], ["verify"], ["export", "--session", "2026-02-05"], ["rebuild"]]) {
      const again = cli([...args, "--journal", "journal.db"], dir);
      expect(again.status, `${args[0]}: ${again.stderr}`).toBe(0);
    }
  });

  it("after `cp backup.db journal.db` (the old advice) every command refused it; a restore through a symlinked path works, the mark beside the link moved aside too", () => {
    const dir = join(h.dir, "after-cp");
    mkdirSync(join(dir, "data"), { recursive: true });
    const journal = join(dir, "data", "journal.db");
    // The bot reaches the journal through a link, so its seq mark is written beside the link.
    symlinkSync("data/journal.db", join(dir, "bot.db"));
    expect(cli(["import", SAMPLE_0204, "--journal", "bot.db"], dir).status).toBe(0);
    expect(cli(["backup", "--journal", "bot.db", "--out", "data/backup.db"], dir).status).toBe(0);
    expect(cli(["import", SAMPLE_0205, "--journal", "bot.db"], dir).status).toBe(0);
    copyFileSync(join(dir, "data", "backup.db"), journal);
    const refused = cli(["sessions", "--journal", "bot.db"], dir);
    expectOneLineFailure(
      refused,
      /JournalBehind: .*journal restore --from BACKUP --journal bot\.db/,
      "after cp",
    );

    chmodSync(journal, 0o600);
    const r = cli(["restore", "--from", "data/backup.db", "--journal", "bot.db"], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^restored bot\.db from data\/backup\.db: \d+ events, verified .*before-restore-.*bot\.db-seq/,
    );
    expect(existsSync(join(dir, "bot.db-seq"))).toBe(false);
    // The restored journal keeps the mode of the one it replaced.
    expect(statSync(journal).mode & 0o777).toBe(0o600);
    for (const args of [["sessions"], ["verify"], ["rebuild"], ["import", SAMPLE_0205]]) {
      const again = cli([...args, "--journal", "bot.db"], dir);
      expect(again.status, `${args[0]}: ${again.stderr}`).toBe(0);
    }
    expect(count(journal)).toBe(count(inject("sampleJournal")));
  });
});
