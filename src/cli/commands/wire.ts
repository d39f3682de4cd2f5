import type { Command } from "commander";
import { newYorkTimeToMs, openJournal, readWireFrames } from "../../events/index.js";
import { describeFrame, frameFields } from "../../sim/index.js";
import { newYorkTime } from "../format.js";
import { journalPathOption } from "../options.js";
import { NotFound, UsageError } from "../usage-error.js";

/** `journal wire --session D [--type N] [--since HH:MM]`: captured frames decoded, for post-mortems. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("wire")
      .description("print a captured session's TWS frames decoded field by field (journal live --capture)")
      .requiredOption("--session <date>", "trading date YYYY-MM-DD")
      .option(
        "--type <n>",
        "only messages with this id (e.g. 1 TICK_PRICE in, REQ_MKT_DATA out; API for hellos)",
      )
      .option("--since <HH:MM>", "only frames from this New York time on")
      .option("--raw", "fields as sent, NUL-separated shown as |, instead of decoded"),
  ).action((opts: { journal: string; session: string; type?: string; since?: string; raw?: boolean }) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.session))
      throw new UsageError(`--session ${opts.session}: expected YYYY-MM-DD`);
    if (opts.type !== undefined && !/^(\d+|API)$/.test(opts.type))
      throw new UsageError(`--type ${opts.type}: expected a message id such as 1 or 49 (or API)`);
    let fromTs: number | undefined;
    if (opts.since !== undefined) {
      const m = /^(\d{1,2}):(\d{2})$/.exec(opts.since);
      if (!m) throw new UsageError(`--since ${opts.since}: expected New York time HH:MM, e.g. 10:30`);
      fromTs = newYorkTimeToMs(opts.session, Number(m[1]), Number(m[2]));
    }
    const journal = openJournal(opts.journal, { readonly: true });
    try {
      // The negotiated version of each connection (its server hello) decodes its frames.
      const versions = new Map<number, number>();
      let shown = 0;
      let seen = 0;
      let out = "";
      for (const frame of readWireFrames(journal.sql, { session: opts.session })) {
        seen += 1;
        const bytes = Buffer.from(frame.bytes);
        const fields = frameFields(bytes);
        if (frame.dir === "in" && !versions.has(frame.conn))
          versions.set(frame.conn, Number(fields[0]) || 193);
        if (fromTs !== undefined && frame.ts < fromTs) continue;
        if (opts.type !== undefined && fields[0] !== opts.type) continue;
        const head = `${frame.seq} ${newYorkTime(frame.ts)} c${frame.conn} ${frame.dir === "out" ? "→" : "←"}`;
        if (opts.raw) out += `${head} ${fields.join("|")}\n`;
        else {
          const { name, values } = describeFrame(frame.dir, bytes, versions.get(frame.conn) ?? 193);
          const text = Object.entries(values)
            .filter(([, v]) => v !== undefined && v !== "")
            .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
            .join(" ");
          out += `${head} ${name}(${fields[0]}) ${text}\n`;
        }
        shown += 1;
        if (out.length > 1 << 16) {
          process.stdout.write(out);
          out = "";
        }
      }
      process.stdout.write(out);
      if (seen === 0)
        throw new NotFound(
          `no captured frames for session ${opts.session} in ${opts.journal} — capture with \`journal live --capture\` (or capture: true in the config)`,
        );
      process.stderr.write(`${shown} of ${seen} frames\n`);
    } finally {
      journal.close();
    }
  });
}
