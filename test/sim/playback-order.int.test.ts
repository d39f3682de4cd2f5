/**
 * Playback sends a request's captured answers in the order the gateway sent them, over a real
 * socket, however their delays fall. The order is the protocol: a snapshot's TICK_SNAPSHOT_END
 * that overtakes its TICK_PRICEs tells the client the snapshot is complete without its prices.
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { type CapturedFrame, encodeMessage, startPlayback } from "../../src/sim/index.js";

/** The client's greeting: `API\0`, then the length-prefixed range of versions it speaks. */
const HELLO = (() => {
  const range = Buffer.from("v100..193");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(range.length, 0);
  return Buffer.concat([Buffer.from("API\0"), length, range]);
})();

/** Frames of one connection: the handshake, the client's REQ_CURRENT_TIME, the gateway's `n` answers. */
function capture(n: number, delays: (i: number) => number): CapturedFrame[] {
  const frames: CapturedFrame[] = [
    { conn: 1, dir: "out", ts: 900, bytes: HELLO },
    { conn: 1, dir: "in", ts: 901, bytes: encodeMessage([193, "20260204 10:00:00 America/New_York"]) },
    { conn: 1, dir: "out", ts: 1_000, bytes: encodeMessage([49, 1]) },
  ];
  for (let i = 0; i < n; i++)
    frames.push({
      conn: 1,
      dir: "in",
      ts: 1_000 + delays(i),
      bytes: encodeMessage([49, 1, 1_770_000_000 + i]),
    });
  return frames;
}

async function served(frames: CapturedFrame[], n: number, speed: number): Promise<number[]> {
  const server = await startPlayback({ frames, speed, log: () => {} });
  const socket = connect(server.port, server.host);
  const times: number[] = [];
  let pending = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
      const fields = pending
        .subarray(4, 4 + pending.readUInt32BE(0))
        .toString("utf8")
        .split("\0");
      if (fields[0] === "49") times.push(Number(fields[2]) - 1_770_000_000);
      pending = pending.subarray(4 + pending.readUInt32BE(0));
    }
  });
  try {
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(HELLO);
    socket.write(encodeMessage([49, 1]));
    const start = performance.now();
    while (times.length < n && performance.now() - start < 10_000) await new Promise((r) => setTimeout(r, 5));
    return times;
  } finally {
    socket.destroy();
    await server.close();
  }
}

describe("playback keeps the gateway's order", () => {
  const n = 400;
  const inOrder = Array.from({ length: n }, (_, i) => i);

  it("when a later answer was captured sooner after the request than an earlier one", async () => {
    // The first answer came late; the rest, as captured, right after the request: they must wait.
    const frames = capture(n, (i) => (i === 0 ? 40 : i % 7));
    expect(await served(frames, n, 1)).toEqual(inOrder);
  });

  it("when many answers share one instant", async () => {
    expect(
      await served(
        capture(n, () => 25),
        n,
        1,
      ),
    ).toEqual(inOrder);
    expect(
      await served(
        capture(n, (i) => 25 + (i % 3)),
        n,
        10,
      ),
    ).toEqual(inOrder);
  });
});
