/**
 * A raw TWS socket client for golden-frame tests: it offers a version range, starts the API and
 * records every frame the simulator sends as its fields, so tests compare exact bytes, not what a
 * client library makes of them. Waiting is on frames (never on time).
 */
import { Socket } from "node:net";
import { encodeMessage } from "../../src/sim/index.js";

export interface RawClient {
  /** The handshake reply: [serverVersion, connectionTime]. */
  readonly hello: readonly string[];
  /** Every frame after the handshake, in order. */
  readonly frames: string[][];
  send(fields: readonly (string | number)[]): void;
  /** Resolves with the first frame (from `from` on) that `match` accepts. */
  next(match: (fields: string[]) => boolean, from?: number): Promise<string[]>;
  close(): void;
}

export async function rawClient(port: number, range: string, clientId: number): Promise<RawClient> {
  const socket = new Socket();
  const frames: string[][] = [];
  let hello: string[] | undefined;
  let buffer = Buffer.alloc(0);
  const waiters = new Set<() => void>();
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32BE(0)) {
      const length = buffer.readUInt32BE(0);
      const fields = buffer
        .subarray(4, 4 + length)
        .toString("utf8")
        .split("\0");
      fields.pop();
      buffer = buffer.subarray(4 + length);
      if (hello) frames.push(fields);
      else hello = fields;
    }
    for (const wake of waiters) wake();
  });
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.connect(port, "127.0.0.1", resolve));
  const next = (match: (fields: string[]) => boolean, from = 0) =>
    new Promise<string[]>((resolve) => {
      const check = () => {
        const found = frames.slice(from).find(match);
        if (!found) return;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  const body = Buffer.from(range);
  const prefix = Buffer.alloc(8);
  prefix.write("API\0", 0, "latin1");
  prefix.writeUInt32BE(body.length, 4);
  socket.write(Buffer.concat([prefix, body]));
  socket.write(encodeMessage([71, 2, clientId, ""]));
  await next((f) => f[0] === "9");
  return {
    get hello() {
      return hello ?? [];
    },
    frames,
    send: (fields) => socket.write(encodeMessage([...fields])),
    next,
    close: () => socket.destroy(),
  };
}
