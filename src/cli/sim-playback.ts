import { existsSync } from "node:fs";
import { openJournal, readWireFrames } from "../events/index.js";
import { type CapturedFrame, startPlayback } from "../sim/index.js";
import { NotFound, UsageError } from "./usage-error.js";

/** `journal sim --from-journal FILE --session DATE [--speed N]`: serve a captured session back. */
export async function servePlayback(opts: {
  host: string;
  port: string;
  speed: string;
  fromJournal?: string;
  session?: string;
  quiet?: boolean;
}): Promise<void> {
  if (opts.fromJournal === undefined || opts.session === undefined)
    throw new UsageError(
      "--from-journal and --session go together: --from-journal data/journal.db --session 2026-02-04",
    );
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.session))
    throw new UsageError(`--session ${opts.session}: expected YYYY-MM-DD`);
  const port = Number(opts.port);
  const speed = Number(opts.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port ${opts.port}: expected 0–65535`);
  if (!(speed > 0)) throw new UsageError(`--speed ${opts.speed}: expected a positive number`);
  if (!existsSync(opts.fromJournal)) throw new NotFound(`no journal at ${opts.fromJournal}`);
  const journal = openJournal(opts.fromJournal, { readonly: true });
  let frames: CapturedFrame[];
  try {
    frames = [...readWireFrames(journal.sql, { session: opts.session })].map((f) => ({
      conn: f.conn,
      dir: f.dir,
      ts: f.ts,
      bytes: Buffer.from(f.bytes),
    }));
  } finally {
    journal.close();
  }
  if (frames.length === 0)
    throw new NotFound(
      `no captured frames for session ${opts.session} in ${opts.fromJournal} — capture one with \`journal live --capture\``,
    );
  const server = await startPlayback({
    frames,
    host: opts.host,
    port,
    speed,
    // Requests the capture never saw are always logged: they are why a playback diverges.
    log: (line) => {
      if (!opts.quiet || line.event === "not-captured") process.stderr.write(`${JSON.stringify(line)}\n`);
    },
  });
  process.stdout.write(
    `playback of ${opts.session} (${frames.length} frames from ${opts.fromJournal}) listening on ${server.host}:${server.port}, speed ${speed}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  process.stdout.write(
    `playback stopped: ${server.stats.served} requests served, ${server.stats.unknown} not in the capture, ${server.stats.remaining()} captured requests left\n`,
  );
}
