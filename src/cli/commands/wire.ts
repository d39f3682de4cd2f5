import type { Command } from "commander";
import { type Journal, newYorkTimeToMs, openJournal, printable, readWireFrames } from "../../events/index.js";
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
      .option("--raw", "fields as sent, NUL-separated shown as |, instead of decoded")
      .option("--summary", "only the sizes: bytes per cycle and a day of 78 cycles extrapolated"),
  ).action(
    (opts: {
      journal: string;
      session: string;
      type?: string;
      since?: string;
      raw?: boolean;
      summary?: boolean;
    }) => {
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
      if (opts.summary) {
        try {
          process.stdout.write(wireSummary(journal, opts.session));
        } finally {
          journal.close();
        }
        return;
      }
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
          // A frame's text is what a gateway (or anything on its port) sent: escaped, one line each.
          if (opts.raw) out += `${head} ${printable(fields.join("|"), "")}\n`;
          else {
            const { name, values } = describeFrame(frame.dir, bytes, versions.get(frame.conn) ?? 193);
            const text = Object.entries(values)
              .filter(([, v]) => v !== undefined && v !== "")
              .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
              .join(" ");
            out += `${head} ${printable(`${name}(${fields[0]}) ${text}`, "")}\n`;
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
    },
  );
}

/** Cycles of 300 s in a regular session (6.5 h). */
const CYCLES_PER_DAY = 78;
/** Per stored frame beyond its bytes (seq, session, n, conn, dir, ts, the 64-char hash, row and index): measured 140 B with dbstat. */
const ROW_OVERHEAD = 140;

/**
 * Sizes of a captured session: the start-up (frames before the first cycle), the bytes per cycle
 * (frames from the first CycleStarted to the last CycleCompleted, over the cycles), and a day of
 * 78 cycles extrapolated, as stored.
 */
function wireSummary(journal: Journal, session: string): string {
  const events = [...journal.read({ session, types: ["CycleStarted", "CycleCompleted"] })];
  const starts = events.filter((e) => e.type === "CycleStarted");
  const ends = events.filter((e) => e.type === "CycleCompleted");
  const from = starts[0]?.ts ?? Number.POSITIVE_INFINITY;
  const to = ends.at(-1)?.ts ?? Number.NEGATIVE_INFINITY;
  const all = { frames: 0, bytes: 0 };
  const startup = { frames: 0, bytes: 0 };
  const inCycles = { frames: 0, bytes: 0 };
  for (const frame of readWireFrames(journal.sql, { session })) {
    const add = (t: { frames: number; bytes: number }) => {
      t.frames += 1;
      t.bytes += frame.bytes.length;
    };
    add(all);
    if (frame.ts < from) add(startup);
    else if (frame.ts <= to) add(inCycles);
  }
  if (all.frames === 0)
    throw new NotFound(`no captured frames for session ${session} in ${journal.location}`);
  const cycles = Math.min(starts.length, ends.length);
  const stored = (t: { frames: number; bytes: number }) => t.bytes + ROW_OVERHEAD * t.frames;
  const perCycle = cycles > 0 ? stored(inCycles) / cycles : 0;
  const day = stored(startup) + CYCLES_PER_DAY * perCycle;
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    `session ${session}: ${all.frames} frames, ${kb(all.bytes)} on the wire, ${cycles} cycles`,
    `start-up: ${kb(startup.bytes)} in ${startup.frames} frames; per cycle: ${kb(inCycles.bytes / Math.max(1, cycles))} in ${Math.round(inCycles.frames / Math.max(1, cycles))} frames`,
    `stored per cycle: ${kb(perCycle)}; a day of ${CYCLES_PER_DAY} cycles: ${(day / 1024 / 1024).toFixed(2)} MB (bytes + ~${ROW_OVERHEAD} B per frame row)`,
    "",
  ].join("\n");
}
