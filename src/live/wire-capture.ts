/**
 * Capture for live mode (`capture: true` / `journal live --capture`): owns the wire tap and
 * journals its frames in batches into the session's `wire_frames`, stamped on the gateway-anchored
 * clock. The bot calls `flush` at the end of each cycle and at close; a full tap buffer flushes
 * early. Frames seen before the session is open (the handshake) wait for the first flush, and are
 * dropped if the session never opens (a refused start journals nothing).
 */
import type { Logger } from "pino";
import { appendWireFrames, wireSessionTail } from "../events/index.js";
import type { GatewayConnection } from "./connection.js";
import type { LiveSession } from "./live-session.js";
import { startWireTap, type WireTap } from "./wire-tap.js";

export class WireCapture {
  private tap: WireTap | null = null;
  private session: LiveSession | null = null;
  /** Connection numbers of this process start after the session's highest one (a restart). */
  private connBase: number | null = null;
  /** Frames and bytes journaled so far. */
  readonly written = { frames: 0, bytes: 0 };

  constructor(private readonly logger: Logger) {}

  /** Start the tap and route the connection's client through it. */
  async start(connection: GatewayConnection, gateway: { host: string; port: number }): Promise<void> {
    this.tap = await startWireTap({ ...gateway, onFull: () => this.flush() });
    connection.via = { host: this.tap.host, port: this.tap.port };
    this.logger.info({ tap: `${this.tap.host}:${this.tap.port}` }, "capturing the wire");
  }

  /** From now on frames can be journaled in this session. */
  open(session: LiveSession): void {
    this.session = session;
  }

  /** Journal the frames captured since the last flush (no-op before the session opens). */
  flush(): void {
    const session = this.session;
    if (!this.tap || !session || session.id === null) return;
    const frames = this.tap.drain();
    if (frames.length === 0) return;
    const id = session.id;
    this.connBase ??= wireSessionTail(session.journal.sql, id).maxConn + 1;
    const base = this.connBase;
    appendWireFrames(
      session.journal.sql,
      id,
      frames.map((f) => ({ conn: base + f.conn, dir: f.dir, ts: session.at(f.localMs), bytes: f.bytes })),
    );
    this.written.frames += frames.length;
    for (const f of frames) this.written.bytes += f.bytes.length;
  }

  /** Flush what is left, then stop the tap. */
  async close(): Promise<void> {
    try {
      this.flush();
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, "could not journal the last wire frames");
    }
    if (this.written.frames > 0) this.logger.info({ ...this.written }, "wire frames journaled");
    await this.tap?.close();
    this.tap = null;
  }
}
