/**
 * Reading captured TWS frames: the message tables by id (both directions), a frame's fields, and
 * where a request id sits in a message at a version. Shared by the playback server and
 * `journal wire`.
 */
import {
  COMPLETED_ORDER,
  decodeFields,
  encodeFields,
  type MessageLayout,
  OPEN_ORDER,
  messages as out,
  REFERENCE_MESSAGES,
  REQUESTS,
} from "../protocol/index.js";

/** Gateway → client messages by id. */
export const MESSAGES: ReadonlyMap<number, MessageLayout> = new Map(
  [...Object.values(out), OPEN_ORDER, COMPLETED_ORDER, ...REFERENCE_MESSAGES]
    .filter((v): v is MessageLayout => typeof v === "object" && v !== null && "byVersion" in v)
    .map((m) => [m.id, m]),
);

/** Client → gateway requests by id. */
export { REQUESTS };

/** A captured frame's fields: the hello as `["API", "v100..193"]`, others split on NUL. */
export function frameFields(bytes: Buffer): string[] {
  if (bytes.length >= 4 && bytes.subarray(0, 4).toString("latin1") === "API\0")
    return ["API", bytes.subarray(8).toString("utf8")];
  const fields = bytes.subarray(4).toString("utf8").split("\0");
  if (fields[fields.length - 1] === "") fields.pop();
  return fields;
}

/** Frame fields back into bytes (length prefix, NUL-terminated fields). */
export function fieldsFrame(fields: readonly string[]): Buffer {
  const body = Buffer.from(fields.map((f) => `${f}\0`).join(""), "utf8");
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** The names a request id goes by in the message tables. */
const ID_FIELDS = ["reqId", "tickerId", "id"] as const;
const positions = new Map<string, { name: string; index: number } | null>();

/**
 * Where the request id is in a message's fields (index in the field array, id first) at
 * `version`, found by encoding a sentinel through the layout; null when it has none.
 */
export function reqIdPosition(
  layout: MessageLayout,
  version: number,
): { name: string; index: number } | null {
  const key = `${layout.id}:${layout.name}:${version}`;
  const cached = positions.get(key);
  if (cached !== undefined) return cached;
  let found: { name: string; index: number } | null = null;
  for (const name of ID_FIELDS) {
    const sentinel = 987654321;
    const fields = encodeFields(layout, version, { [name]: sentinel });
    const index = fields.indexOf(String(sentinel));
    if (index > 0) {
      found = { name, index };
      break;
    }
  }
  positions.set(key, found);
  return found;
}

/** A frame decoded for reading: message name and fields by name (raw fields when unknown). */
export function describeFrame(
  dir: "in" | "out",
  bytes: Buffer,
  version: number,
): { name: string; values: Record<string, unknown> } {
  const fields = frameFields(bytes);
  if (fields[0] === "API") return { name: "HELLO", values: { versions: fields[1] } };
  if (
    dir === "in" &&
    fields.length === 2 &&
    /^\d+$/.test(fields[0]!) &&
    Number(fields[0]) >= 100 &&
    !/^\d+$/.test(fields[1]!)
  )
    return { name: "SERVER_HELLO", values: { serverVersion: Number(fields[0]), connectionTime: fields[1] } };
  const layout = (dir === "out" ? REQUESTS : MESSAGES).get(Number(fields[0]));
  if (!layout) return { name: `UNKNOWN_${fields[0]}`, values: { raw: fields.slice(1) } };
  try {
    return { name: layout.name, values: decodeFields(layout, version, fields, true) };
  } catch {
    return { name: layout.name, values: { raw: fields.slice(1) } };
  }
}
