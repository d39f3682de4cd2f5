/**
 * The TWS handshake probe: before `@stoqey/ib` is let near a port, one short connection of our own
 * sends the API hello and reads the first answer with a bounded buffer. A peer that answers
 * something that is not a TWS version reply (a web server, an SSH daemon, random bytes) is named
 * and refused: `@stoqey/ib`'s framing loop spins forever on some negative length prefixes and
 * buffers up to 16 MB of anything, which froze the bot at 100 % CPU, deaf to SIGTERM.
 *
 * The gateway sees one more API connection per connect (hello, version reply, close, no clientId),
 * which it logs and forgets.
 */
import { createConnection } from "node:net";

/** The most a version reply can sensibly hold: "193\0" and a time with its zone. */
const MAX_REPLY_BYTES = 256;

/** What answered on the port. */
export type ProbeResult =
  | { readonly kind: "tws"; readonly serverVersion: number }
  /** Connected, but no reply within the time (a gateway still logging in, or a busy one). */
  | { readonly kind: "silent" }
  /** The peer closed or refused the connection before a reply. */
  | { readonly kind: "closed" }
  | { readonly kind: "not-tws"; readonly detail: string };

/** Something answers on the gateway's port, and it is not TWS: live refuses to talk to it. */
export class PeerNotTws extends Error {
  readonly code = "PEER_NOT_TWS";
  constructor(host: string, port: number, detail: string) {
    super(
      `${host}:${port} does not speak the TWS API (${detail}); nothing was sent or journaled. Check --port: IB Gateway listens on 4002 (paper) or 4001 (live), TWS on 7497 or 7496, \`journal sim\` where you started it`,
    );
    this.name = "PeerNotTws";
  }
}

/** The client hello: "API\0", then the version range with a 4-byte big-endian length. */
function hello(): Buffer {
  const range = Buffer.from("v100..193", "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(range.length);
  return Buffer.concat([Buffer.from("API\0", "utf8"), length, range]);
}

/** Classify the first bytes a peer sent after our hello (pure; exported for tests). */
export function classifyReply(bytes: Buffer): ProbeResult | null {
  if (bytes.length < 4) return null;
  const length = bytes.readInt32BE(0);
  const shown = bytes.subarray(0, 16).toString("hex");
  if (length <= 0 || length > MAX_REPLY_BYTES)
    return { kind: "not-tws", detail: `its first frame claims ${length} bytes; first bytes 0x${shown}` };
  if (bytes.length < 4 + length) return null;
  const text = bytes.subarray(4, 4 + length).toString("latin1");
  const match = /^(\d{1,4})\0[^\0]*\0$/.exec(text);
  if (!match)
    return { kind: "not-tws", detail: `its first frame is not a version reply; first bytes 0x${shown}` };
  return { kind: "tws", serverVersion: Number(match[1]) };
}

/** Send the hello and read the reply within `timeoutMs`; never buffers more than a reply's bound. */
export function probeTws(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = createConnection({ host, port });
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ kind: "silent" }));
    socket.once("connect", () => socket.write(hello()));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]).subarray(0, 4 + MAX_REPLY_BYTES);
      const result = classifyReply(received);
      if (result) done(result);
      else if (received.length >= 4 + MAX_REPLY_BYTES)
        done({ kind: "not-tws", detail: "its first frame never ended" });
    });
    socket.once("error", () => done({ kind: "closed" }));
    socket.once("close", () => done({ kind: "closed" }));
  });
}
