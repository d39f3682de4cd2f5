/**
 * The wire tap: an in-process TCP relay between the bot's GatewayClient and the real gateway that
 * forwards every byte unchanged and splits the stream into TWS frames for the journal. It sits
 * outside `@stoqey/ib` on purpose: what is recorded is what crossed the socket, whatever the
 * client library does with it.
 *
 * Frames are kept in memory with a local monotonic stamp and handed over in batches (`drain`) so
 * the live loop never waits on the journal per frame; a full buffer calls `onFull` so memory stays
 * bounded whatever the gateway sends between two cycles.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";

/** A captured frame: connection number (per tap, from 0), direction, local stamp, raw bytes. */
export interface TappedFrame {
  conn: number;
  dir: "in" | "out";
  /** performance.now() when the frame was complete. */
  localMs: number;
  bytes: Buffer;
}

/** Splits one direction of a TWS stream into raw frames (length prefix kept). */
export class RawFrameSplitter {
  private buffer: Buffer = Buffer.alloc(0);

  /** `hello`: the client side starts with `API\0` and a framed version range, kept as one frame. */
  constructor(private hello: boolean) {}

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: Buffer[] = [];
    if (this.hello) {
      if (this.buffer.length < 8) return out;
      const length = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + length) return out;
      out.push(Buffer.from(this.buffer.subarray(0, 8 + length)));
      this.buffer = this.buffer.subarray(8 + length);
      this.hello = false;
    }
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + length) break;
      // A copy: the frame outlives the socket's chunk.
      out.push(Buffer.from(this.buffer.subarray(0, 4 + length)));
      this.buffer = this.buffer.subarray(4 + length);
    }
    return out;
  }
}

export interface WireTapOptions {
  /** The real gateway. */
  host: string;
  port: number;
  /** Called when the buffer holds `maxFrames` frames or `maxBytes` bytes: drain it now. */
  onFull: () => void;
  maxFrames?: number;
  maxBytes?: number;
}

/** A listening tap; point the GatewayClient at `host:port`. */
export interface WireTap {
  readonly host: string;
  readonly port: number;
  /** Frames captured since the last drain, in capture order. */
  drain(): TappedFrame[];
  /** Bytes captured over the tap's life (both directions). */
  readonly totalBytes: number;
  /** Stop listening, let open connections end (up to `graceMs`, default 500), then cut them. */
  close(graceMs?: number): Promise<void>;
}

/** Start a tap on 127.0.0.1 (a free port) relaying to `host:port`. */
export async function startWireTap(options: WireTapOptions): Promise<WireTap> {
  const maxFrames = options.maxFrames ?? 20_000;
  const maxBytes = options.maxBytes ?? 16 << 20;
  let frames: TappedFrame[] = [];
  let buffered = 0;
  let totalBytes = 0;
  let conns = 0;
  const sockets = new Set<Socket>();
  const record = (conn: number, dir: "in" | "out", list: Buffer[]) => {
    const localMs = performance.now();
    for (const bytes of list) {
      frames.push({ conn, dir, localMs, bytes });
      buffered += bytes.length;
      totalBytes += bytes.length;
    }
    if (frames.length >= maxFrames || buffered >= maxBytes) options.onFull();
  };
  const server: Server = createServer((client) => {
    const conn = conns++;
    const upstream = connect(options.port, options.host);
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const out = new RawFrameSplitter(true);
    const inn = new RawFrameSplitter(false);
    // Forward first, record after: the tap adds no wait to the bytes' way.
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      record(conn, "out", out.push(chunk));
    });
    upstream.on("data", (chunk: Buffer) => {
      client.write(chunk);
      record(conn, "in", inn.push(chunk));
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end);
    upstream.on("close", end);
    client.on("error", () => {});
    upstream.on("error", () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    get totalBytes() {
      return totalBytes;
    },
    drain() {
      const out = frames;
      frames = [];
      buffered = 0;
      return out;
    },
    // The client's last bytes (cancels at disconnect) are still on their way through: give the
    // connections up to `graceMs` to end by themselves before cutting them.
    close: async (graceMs = 500) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const deadline = performance.now() + graceMs;
      while (sockets.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
