/**
 * The tap's framing: whatever chunk boundaries TCP delivers, the frames recorded are exactly the
 * hello and the length-prefixed messages sent, byte for byte and in order.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RawFrameSplitter } from "../../src/live/wire-tap.js";
import { encodeMessage } from "../../src/sim/index.js";

const message = fc.array(fc.oneof(fc.string(), fc.integer().map(String), fc.constant("")), {
  minLength: 1,
  maxLength: 8,
});

describe("RawFrameSplitter", () => {
  it("splits any chunking of a client stream into the frames sent", () => {
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 40 }),
        (messages, cuts) => {
          const range = Buffer.from("v100..193", "utf8");
          const hello = Buffer.alloc(8 + range.length);
          hello.write("API\0", 0, "latin1");
          hello.writeUInt32BE(range.length, 4);
          range.copy(hello, 8);
          const frames = [hello, ...messages.map((m) => encodeMessage(m))];
          const stream = Buffer.concat(frames);
          const splitter = new RawFrameSplitter(true);
          const out: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            const size = cuts[i % cuts.length]!;
            out.push(...splitter.push(stream.subarray(at, at + size)));
            at += size;
          }
          expect(out.map((b) => b.toString("hex"))).toEqual(frames.map((b) => b.toString("hex")));
        },
      ),
      { numRuns: 200 },
    );
  });
});
