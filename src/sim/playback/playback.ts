/**
 * Playback: a TWS socket server that serves a captured session (`wire_frames`) back to a client.
 * Each request the client sends is matched to the next unserved captured request of the same
 * message type with the same fields (contract, bar size, …; the request id, client id and end
 * time aside); the frames the real gateway sent for it are sent again, request ids rewritten to the
 * client's, with the captured delays divided by `speed`. A request never captured gets ERR_MSG 321
 * naming it, and a log line.
 *
 * Which gateway frame answered which request: a frame that carries a request id (reqId, tickerId,
 * ERR_MSG's id) belongs to the latest request on its connection with that id; any other frame
 * (current time, next id, account pushes) belongs to the request sent just before it.
 */
import { createServer, type Server, type Socket } from "node:net";
import { decodeFields, ERR_MSG, encodeFields, FrameReader, listenOn } from "../protocol/index.js";
import { fieldsFrame, frameFields, MESSAGES, REQUESTS, reqIdPosition } from "./wire-index.js";

/** A captured frame as the journal stores it. */
export interface CapturedFrame {
  conn: number;
  dir: "in" | "out";
  ts: number;
  bytes: Buffer;
}

interface Answer {
  /** ms after the request was captured. */
  delayMs: number;
  bytes: Buffer;
  /** Index of the request id to rewrite, or −1. */
  idIndex: number;
}

interface CapturedRequest {
  type: string;
  key: string;
  reqId: number | null;
  ts: number;
  answers: Answer[];
  used: boolean;
}

/** Fields that differ between two runs of the same bot and do not change the answer. */
const VOLATILE = new Set(["clientId", "endDateTime"]);

function requestKey(
  fields: readonly string[],
  version: number,
): { type: string; key: string; reqId: number | null } {
  if (fields[0] === "API") return { type: "API", key: "API", reqId: null };
  const layout = REQUESTS.get(Number(fields[0]));
  if (!layout) return { type: fields[0]!, key: fields.join("\u0001"), reqId: null };
  let values: Record<string, unknown>;
  try {
    values = decodeFields(layout, version, fields, true);
  } catch {
    return { type: fields[0]!, key: fields.join("\u0001"), reqId: null };
  }
  const position = reqIdPosition(layout, version);
  const reqId = position ? Number(fields[position.index]) : null;
  const kept = Object.entries(values).filter(([name]) => !VOLATILE.has(name) && name !== position?.name);
  return { type: fields[0]!, key: `${fields[0]}\u0001${JSON.stringify(kept)}`, reqId };
}

/** Index captured frames into requests with their answers, in capture order. */
export function indexCapture(frames: readonly CapturedFrame[]): {
  requests: CapturedRequest[];
  version: number;
} {
  const requests: CapturedRequest[] = [];
  const perConn = new Map<
    number,
    { version: number; last: CapturedRequest | null; byId: Map<number, CapturedRequest> }
  >();
  let version = 0;
  for (const frame of frames) {
    let conn = perConn.get(frame.conn);
    if (!conn) {
      conn = { version: 0, last: null, byId: new Map() };
      perConn.set(frame.conn, conn);
    }
    const fields = frameFields(frame.bytes);
    if (frame.dir === "out") {
      const { type, key, reqId } = requestKey(fields, conn.version || 193);
      const request: CapturedRequest = { type, key, reqId, ts: frame.ts, answers: [], used: false };
      requests.push(request);
      conn.last = request;
      if (reqId !== null) conn.byId.set(reqId, request);
      continue;
    }
    if (conn.version === 0 && conn.last?.type === "API") {
      conn.version = Number(fields[0]);
      version ||= conn.version;
    }
    let owner = conn.last;
    let idIndex = -1;
    const layout = conn.last?.type === "API" ? undefined : MESSAGES.get(Number(fields[0]));
    const position = layout ? reqIdPosition(layout, conn.version) : null;
    if (position) {
      const byId = conn.byId.get(Number(fields[position.index]));
      if (byId) {
        owner = byId;
        idIndex = position.index;
      }
    }
    owner?.answers.push({ delayMs: Math.max(0, frame.ts - owner.ts), bytes: frame.bytes, idIndex });
  }
  return { requests, version };
}

export interface PlaybackOptions {
  frames: readonly CapturedFrame[];
  host?: string;
  port?: number;
  /** Captured delays are divided by this (default 1). */
  speed?: number;
  log?: (line: Record<string, unknown>) => void;
}

export interface PlaybackServer {
  readonly host: string;
  readonly port: number;
  readonly stats: { served: number; unknown: number; remaining(): number };
  close(): Promise<void>;
}

/** Serve a captured session; resolves once it listens. */
export async function startPlayback(options: PlaybackOptions): Promise<PlaybackServer> {
  const { requests, version: capturedVersion } = indexCapture(options.frames);
  const speed = options.speed ?? 1;
  const log = options.log ?? (() => {});
  const stats = { served: 0, unknown: 0, remaining: () => requests.filter((r) => !r.used).length };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader();
    let version = capturedVersion || 193;
    // Answers leave in order per connection even when a later one was captured sooner after its
    // request: one queue and one timer. A timer per frame let frames due at the same instant fire
    // in any order (Node orders timers by duration, computed a fraction of a ms apart), and a
    // TICK_SNAPSHOT_END that overtook its TICK_PRICEs made the client call a snapshot without
    // prices complete.
    const queue: { at: number; bytes: Buffer }[] = [];
    let next = 0;
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      if (timer) timers.delete(timer);
      timer = undefined;
      const now = performance.now();
      while (next < queue.length && queue[next]!.at <= now) {
        const { bytes } = queue[next++]!;
        if (!socket.destroyed) socket.write(bytes);
      }
      if (next === queue.length) {
        queue.length = 0;
        next = 0;
      } else {
        timer = setTimeout(pump, queue[next]!.at - now);
        timers.add(timer);
      }
    };
    const send = (bytes: Buffer, delayMs: number) => {
      const last = queue.at(-1)?.at ?? 0;
      queue.push({ at: Math.max(performance.now() + delayMs / speed, last), bytes });
      if (!timer) {
        timer = setTimeout(pump, Math.max(0, queue[next]!.at - performance.now()));
        timers.add(timer);
      }
    };
    socket.on("data", (chunk: Buffer) => {
      let messages: string[][];
      try {
        messages = reader.push(chunk);
      } catch (error) {
        log({ event: "bad-frame", error: (error as Error).message });
        socket.destroy();
        return;
      }
      for (const fields of messages) {
        const { type, key, reqId } = requestKey(fields, version);
        // A hello is answered like the gateway answers every hello (its version reply), as often as
        // it comes: live probes the port with a hello of its own before each connection.
        const match =
          type === "API"
            ? requests.find((r) => r.type === type && r.key === key)
            : requests.find((r) => !r.used && r.type === type && r.key === key);
        if (!match) {
          stats.unknown += 1;
          const name = type === "API" ? "HELLO" : (REQUESTS.get(Number(type))?.name ?? `message ${type}`);
          const text = `playback: the captured session has no answer left for ${name}${reqId === null ? "" : ` reqId ${reqId}`} (${fields.slice(1).filter(Boolean).join(" ").slice(0, 120)})`;
          log({ event: "not-captured", request: name, reqId, fields });
          if (type === "API") {
            socket.destroy();
            return;
          }
          send(
            fieldsFrame(
              encodeFields(ERR_MSG, version, {
                id: reqId ?? -1,
                code: 321,
                message: text,
                advancedOrderRejectJson: "",
              }),
            ),
            0,
          );
          continue;
        }
        match.used = true;
        stats.served += 1;
        if (type === "API")
          version = Number(frameFields(match.answers[0]?.bytes ?? Buffer.alloc(0))[0]) || version;
        for (const answer of match.answers) {
          let bytes = answer.bytes;
          if (answer.idIndex > 0 && reqId !== null) {
            const answerFields = frameFields(bytes);
            answerFields[answer.idIndex] = String(reqId);
            bytes = fieldsFrame(answerFields);
          }
          send(bytes, answer.delayMs);
        }
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  const address = await listenOn(server, options.host ?? "127.0.0.1", options.port ?? 0);
  return {
    host: address.address,
    port: address.port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
