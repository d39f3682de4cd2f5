import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { acquireWriterLock, checkBeforeWriting, importJsonLines, openJournal } from "../../events/index.js";
import { packageRoot } from "../code-version.js";
import { runProgram } from "../exit-code.js";
import { journalPathOption } from "../options.js";
import * as replayCommand from "./replay.js";
import * as reportCommand from "./report.js";

const REPLAY_OUT = "data/replay.db";

/** `journal quickstart` (npm start): import the bundled sample sessions, then replay 2026-02-04. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("quickstart")
      .description(
        "import the bundled sample sessions (data/sample) if needed, then replay 2026-02-04, print the summary and write its HTML report",
      )
      .option("--session <date>", "sample session to replay", "2026-02-04"),
  ).action(async (opts: { journal: string; session: string }) => {
    const sampleDir = join(packageRoot(), "data", "sample");
    // One writer per journal: the sample is not imported into a journal `live` is writing.
    const lock = acquireWriterLock(opts.journal, "journal quickstart", new Date().toISOString());
    const journal = openJournal(opts.journal);
    try {
      // The sample joins only a journal that verifies, as `journal import` requires.
      checkBeforeWriting(journal, "journal quickstart", "all");
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
      lock.release();
    }
    process.stdout.write(
      `\nreplaying ${opts.session} (simulated market, real code path) with the strategy live ran:\n`,
    );
    // The two steps are the real `replay` and `report` commands, run as the user would type them.
    const code = await runProgram(subProgram(replayCommand), [
      "node",
      "journal",
      "replay",
      "--journal",
      opts.journal,
      "--session",
      opts.session,
      "--out",
      REPLAY_OUT,
    ]);
    if (code !== 0) {
      process.exitCode = code;
      return;
    }
    const out = openJournal(REPLAY_OUT, { readonly: true });
    const run = out
      .sessions()
      .filter((s) => s.session === opts.session && s.stream.startsWith("replay-"))
      .sort((a, b) => b.lastSeq - a.lastSeq)[0]?.stream;
    out.close();
    if (run) {
      const reported = await runProgram(subProgram(reportCommand), [
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
        REPLAY_OUT,
        "--out",
        `out/report-${opts.session}.html`,
      ]);
      if (reported !== 0) process.exitCode = reported;
    }
    process.stdout.write(
      `\nnext: npx journal sql --journal ${opts.journal} "SELECT cycle, symbol, action, reason FROM v_decisions WHERE action != 'hold'"\n` +
        `      npx journal replay --journal ${opts.journal} --session ${opts.session} --param stopLossPct=0.3   (a what-if)\n` +
        "      npx journal strategies   (every strategy and its parameters)\n",
    );
  });
}

/** A program holding one command, for running it from inside another. */
function subProgram(command: { register(program: Command): void }): Command {
  const program = new Command("journal").exitOverride();
  command.register(program);
  return program;
}
