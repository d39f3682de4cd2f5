/**
 * The TWS socket framing both ways: a 4-byte big-endian length, then NUL-terminated UTF-8 fields
 * (every field, the last one included). The client's first hello has no frame: `API\0` then a
 * framed version range.
 */

import type { AddressInfo, Server } from "node:net";

/** Encode one message: `encodeMessage([9, 1, 42])` → length + "9\01\042\0". */
export function encodeMessage(fields: readonly (string | number | boolean | null | undefined)[]): Buffer {
  const body = Buffer.from(fields.map((f) => `${fieldText(f)}\0`).join(""), "utf8");
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

function fieldText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") {
    // IB's "unset" double is Double.MAX_VALUE; plain numbers print without exponent noise.
    return Number.isFinite(value) && value !== Number.MAX_VALUE ? String(value) : "1.7976931348623157E308";
  }
  return value;
}

/** Accumulates bytes from a socket and yields complete messages as field arrays. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private helloDone = false;
  private legacy = false;

  /**
   * Feed bytes; returns the complete messages (the hello first, as `["API", "v100..193"]`). A
   * pre-v100 client (its version as bare digits, `62\0`, no `API\0`) yields `["LEGACY", "62"]`
   * and then each of its unframed fields as `["LEGACY_FIELD", text]`.
   */
  push(chunk: Buffer): string[][] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: string[][] = [];
    if (this.legacy) return this.legacyFields(out);
    if (!this.helloDone) {
      const legacy = /^(\d{1,3})\0/.exec(this.buffer.subarray(0, 4).toString("latin1"));
      if (legacy) {
        this.legacy = true;
        this.helloDone = true;
        this.buffer = this.buffer.subarray(legacy[0].length);
        out.push(["LEGACY", legacy[1]!]);
        return this.legacyFields(out);
      }
      if (this.buffer.length < 8) return out;
      if (this.buffer.subarray(0, 4).toString("latin1") !== "API\0")
        throw new Error("not a TWS API client (no API\\0 prefix)");
      const length = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + length) return out;
      out.push(["API", this.buffer.subarray(8, 8 + length).toString("utf8")]);
      this.buffer = this.buffer.subarray(8 + length);
      this.helloDone = true;
    }
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (length > 0xffffff) throw new Error(`frame of ${length} bytes is over the 16 MiB limit`);
      if (this.buffer.length < 4 + length) break;
      const text = this.buffer.subarray(4, 4 + length).toString("utf8");
      this.buffer = this.buffer.subarray(4 + length);
      const fields = text.split("\0");
      if (fields[fields.length - 1] === "") fields.pop();
      out.push(fields);
    }
    return out;
  }

  private legacyFields(out: string[][]): string[][] {
    let end = this.buffer.indexOf(0);
    while (end >= 0) {
      out.push(["LEGACY_FIELD", this.buffer.subarray(0, end).toString("utf8")]);
      this.buffer = this.buffer.subarray(end + 1);
      end = this.buffer.indexOf(0);
    }
    return out;
  }
}

/** Start `server` on host:port (0: any free port); resolves with the address it listens on. */
export async function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server.address() as AddressInfo;
}
