/**
 * Logs: JSON lines to a rotating file (pino + pino-roll) and short readable lines on the console.
 * Never secrets: the config holds none (credentials live in IB Gateway), and nothing else is logged.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import roll from "pino-roll";

/** Console lines people read: `09:35:01 info  cycle completed cycle=3 status=ok`. */
function consoleStream(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, callback) {
      try {
        const {
          time,
          level,
          msg,
          pid: _pid,
          hostname: _h,
          ...rest
        } = JSON.parse(chunk.toString()) as Record<string, unknown>;
        const label = level === 50 ? "error" : level === 40 ? "warn " : "info ";
        const extra = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
          .join(" ");
        process.stderr.write(
          `${new Date(Number(time)).toISOString().slice(11, 19)} ${label} ${String(msg)}${extra ? ` ${extra}` : ""}\n`,
        );
      } catch {
        process.stderr.write(chunk);
      }
      callback();
    },
  });
}

/** A logger to `file` (rotated daily and at 10 MB, 7 kept) and the console. */
export async function createLogger(file: string | null, quiet = false): Promise<Logger> {
  const streams: pino.StreamEntry[] = [];
  if (!quiet) streams.push({ stream: consoleStream() });
  if (file !== null) {
    mkdirSync(dirname(file), { recursive: true });
    streams.push({
      stream: await roll({ file, frequency: "daily", size: "10m", limit: { count: 7 }, mkdir: true }),
    });
  }
  return pino({ base: null }, pino.multistream(streams));
}
