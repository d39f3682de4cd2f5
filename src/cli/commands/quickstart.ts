import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { importJsonLines, openJournal } from "../../events/index.js";

const journalOf = (path: string) => openJournal(path, { readonly: true });

import { packageRoot } from "../code-version.js";
import { journalPathOption } from "../options.js";
import { buildProgram, runCli } from "../program.js";

/** `journal quickstart` (npm start): import the bundled sample sessions, then replay 2026-02-04. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("quickstart")
      .description(
        "import the bundled sample sessions (data/sample) if needed, then replay 2026-02-04 and print the summary",
      )
      .option("--session <date>", "sample session to replay", "2026-02-04"),
  ).action(async (opts: { journal: string; session: string }) => {
    const sampleDir = join(packageRoot(), "data", "sample");
    const journal = openJournal(opts.journal);
    try {
      for (const file of readdirSync(sampleDir)
        .filter((f) => f.endsWith(".jsonl"))
        .sort()) {
        const result = importJsonLines(
          journal,
          readFileSync(join(sampleDir, file), "utf8"),
          join("data/sample", file),
        );
        process.stdout.write(
          `sample ${file}: ${result.added} events imported, ${result.alreadyPresent} already in ${opts.journal}\n`,
        );
      }
    } finally {
      journal.close();
    }
    process.stdout.write(
      `\nreplaying ${opts.session} (simulated market, real code path) with the strategy live ran:\n`,
    );
    const code = await runCli(
      [
        "node",
        "journal",
        "replay",
        "--journal",
        opts.journal,
        "--session",
        opts.session,
        "--out",
        "data/replay.db",
      ],
      buildProgram(),
    );
    if (code !== 0) {
      process.exitCode = code;
      return;
    }
    const out = journalOf("data/replay.db");
    const run = out
      .sessions()
      .filter((s) => s.session === opts.session && s.stream.startsWith("replay-"))
      .sort((a, b) => b.lastSeq - a.lastSeq)[0]?.stream;
    out.close();
    if (run) {
      const report = `out/report-${opts.session}.html`;
      const reported = await runCli(
        [
          "node",
          "journal",
          "report",
          "--journal",
          opts.journal,
          "--session",
          opts.session,
          "--run",
          run,
          "--replay-journal",
          "data/replay.db",
          "--out",
          report,
        ],
        buildProgram(),
      );
      if (reported !== 0) process.exitCode = reported;
    }
    process.stdout.write(
      `\nnext: journal sql --journal ${opts.journal} "SELECT cycle, symbol, action, reason FROM v_decisions WHERE action != 'hold'"\n` +
        `      journal replay --journal ${opts.journal} --session ${opts.session} --param stopLossPct=0.3   (a what-if)\n`,
    );
  });
}
