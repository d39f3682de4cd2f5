/** The handshake probe's verdict on a peer's first bytes (pure), the cases a wrong port gives. */
import { describe, expect, it } from "vitest";
import { classifyReply } from "../../src/live/tws-probe.js";

const frame = (text: string) => {
  const body = Buffer.from(text, "latin1");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
};

describe("classifyReply", () => {
  it("a gateway's version reply is TWS, with its server version", () => {
    expect(classifyReply(frame("193\u000020260204 09:30:00 EST\u0000"))).toEqual({
      kind: "tws",
      serverVersion: 193,
    });
  });

  it("waits for the rest of a frame that has not all arrived", () => {
    expect(classifyReply(frame("193\u000020260204 09:30:00 EST\u0000").subarray(0, 9))).toBeNull();
    expect(classifyReply(Buffer.from([0, 0]))).toBeNull();
  });

  it("a negative, zero or huge length prefix is not TWS (the frames that spin @stoqey/ib)", () => {
    for (const length of [-4, 0, 0x7fffffff, 300]) {
      const bytes = Buffer.alloc(8);
      bytes.writeInt32BE(length, 0);
      expect(classifyReply(bytes)).toMatchObject({ kind: "not-tws" });
    }
  });

  it("an HTTP or SSH banner is not TWS, named by its first bytes", () => {
    expect(classifyReply(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"))).toMatchObject({ kind: "not-tws" });
    const ssh = classifyReply(Buffer.from("SSH-2.0-OpenSSH_9.2\r\n"));
    expect(ssh).toMatchObject({ kind: "not-tws", detail: expect.stringContaining("0x5353482d") });
  });

  it("a well-framed reply that is not a version and a time is not TWS", () => {
    expect(classifyReply(frame("hello\u0000world\u0000"))).toMatchObject({ kind: "not-tws" });
    expect(classifyReply(frame("193\u0000"))).toMatchObject({ kind: "not-tws" });
  });
});
