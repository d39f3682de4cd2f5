/**
 * Wire layouts as data: a message is its id and its fields in order, each with a codec and the
 * server versions it exists in (`since` inclusive, `until` exclusive, as the official API's
 * `MIN_SERVER_VER` gates read). One encoder and one decoder walk a layout for a connection's
 * negotiated version, so a new version is a new row, not a new branch.
 *
 * ```ts
 * const CONTRACT_DATA_END = message(52, "CONTRACT_DATA_END", [constant("version", 1), field("reqId", int)]);
 * encodeFields(CONTRACT_DATA_END, 193, { reqId: 7 }); // → ["52", "1", "7"]
 * ```
 */
import { decimalText, javaDouble, UNSET_DOUBLE } from "./formats.js";

/** How one field's value becomes text and back. */
export interface Codec {
  readonly name: string;
  write(value: unknown): string;
  read(text: string): unknown;
}

/** Values of one message, by field name. */
export type Values = Readonly<Record<string, unknown>>;

interface Gate {
  /** First server version that has the field (inclusive). */
  since?: number;
  /** First server version that no longer has it (exclusive). */
  until?: number;
  /** The field is present only when this holds for the values read or written so far. */
  when?: (values: Values) => boolean;
}

/** A single field. */
export interface FieldSpec extends Gate {
  readonly kind: "field";
  readonly name: string;
  readonly codec: Codec;
  /** A fixed value (a message's version number); written regardless of the values. */
  readonly constant?: string | number;
}

/** A counted list: the count (int), then each item's fields. */
export interface GroupSpec extends Gate {
  readonly kind: "group";
  readonly name: string;
  readonly fields: readonly Spec[];
}

export type Spec = FieldSpec | GroupSpec;

/** One message: its id and its fields after the id. */
export interface MessageLayout {
  readonly id: number;
  readonly name: string;
  readonly fields: readonly Spec[];
  /** Fields active at a version, computed once per version. */
  readonly byVersion: Map<number, readonly Spec[]>;
}

const textOf = (v: unknown): string => (v === undefined || v === null ? "" : String(v));

/** A string, written as is (undefined → empty). */
export const str: Codec = { name: "str", write: textOf, read: (t) => t };
/** An int; empty reads as 0, as the API's `readInt` does. */
export const int: Codec = {
  name: "int",
  write: (v) => (v === undefined || v === null ? "" : String(Math.trunc(Number(v)))),
  read: (t) => (t === "" ? 0 : Number.parseInt(t, 10)),
};
/** An int that may be unset: empty reads as undefined. */
export const intOpt: Codec = {
  name: "intOpt",
  write: int.write,
  read: (t) => (t === "" ? undefined : Number.parseInt(t, 10)),
};
/** A double in Java's `Double.toString` form; undefined → empty, `Number.MAX_VALUE` → `1.7976931348623157E308`. */
export const dbl: Codec = {
  name: "dbl",
  write: (v) => (v === undefined || v === null ? "" : javaDouble(Number(v))),
  read: (t) => (t === "" ? undefined : Number(t)),
};
/** A price as ORDER_STATUS carries it: zero is `0`, not Java's `0.0`; others as `dbl`. */
export const price: Codec = {
  name: "price",
  write: (v) => (v === undefined || v === null ? "" : Number(v) === 0 ? "0" : javaDouble(Number(v))),
  read: dbl.read,
};
/** A double that the gateway writes as `Double.MAX_VALUE` when unset. */
export const dblMax: Codec = {
  name: "dblMax",
  write: (v) => javaDouble(v === undefined || v === null ? UNSET_DOUBLE : Number(v)),
  read: (t) => (t === "" ? undefined : Number(t)),
};
/** A Decimal (size, quantity): plain digits. */
export const dec: Codec = {
  name: "dec",
  write: (v) => (v === undefined || v === null ? "" : decimalText(Number(v))),
  read: (t) => (t === "" ? undefined : Number(t.replaceAll(",", ""))),
};
/** A boolean as `1`/`0`. */
export const bool: Codec = {
  name: "bool",
  write: (v) => (v === undefined || v === null ? "" : v ? "1" : "0"),
  read: (t) => t !== "" && Number.parseInt(t, 10) !== 0,
};

/** A field with a codec and an optional version gate. */
export function field(name: string, codec: Codec, gate: Gate = {}): FieldSpec {
  return { kind: "field", name, codec, ...gate };
}

/** A fixed field (a message version); decoding reads and checks nothing but its presence. */
export function constant(name: string, value: string | number, gate: Gate = {}): FieldSpec {
  return { kind: "field", name, codec: str, constant: value, ...gate };
}

/** A counted list of items, each laid out by `fields`. */
export function group(name: string, fields: readonly Spec[], gate: Gate = {}): GroupSpec {
  return { kind: "group", name, fields, ...gate };
}

/** A message layout. */
export function message(id: number, name: string, fields: readonly Spec[]): MessageLayout {
  return { id, name, fields, byVersion: new Map() };
}

function versionActive(spec: Spec, version: number): boolean {
  return (
    (spec.since === undefined || version >= spec.since) && (spec.until === undefined || version < spec.until)
  );
}

function activeAt(specs: readonly Spec[], version: number): Spec[] {
  return specs
    .filter((s) => versionActive(s, version))
    .map((s) => (s.kind === "group" ? { ...s, fields: activeAt(s.fields, version) } : s));
}

function fieldsAt(layout: MessageLayout, version: number): readonly Spec[] {
  let specs = layout.byVersion.get(version);
  if (!specs) {
    specs = activeAt(layout.fields, version);
    layout.byVersion.set(version, specs);
  }
  return specs;
}

function writeSpecs(specs: readonly Spec[], values: Values, out: string[]): void {
  for (const spec of specs) {
    if (spec.when && !spec.when(values)) continue;
    if (spec.kind === "group") {
      const items = (values[spec.name] as readonly Values[] | undefined) ?? [];
      out.push(String(items.length));
      for (const item of items) writeSpecs(spec.fields, item, out);
    } else if (spec.constant !== undefined) out.push(String(spec.constant));
    else out.push(spec.codec.write(values[spec.name]));
  }
}

function writeText(specs: readonly Spec[], values: Values): string {
  let text = "";
  for (const spec of specs) {
    if (spec.when && !spec.when(values)) continue;
    if (spec.kind === "group") {
      const items = (values[spec.name] as readonly Values[] | undefined) ?? [];
      text += `${items.length}\0`;
      for (const item of items) text += writeText(spec.fields, item);
    } else if (spec.constant !== undefined) text += `${spec.constant}\0`;
    else text += `${spec.codec.write(values[spec.name])}\0`;
  }
  return text;
}

/** A message's payload as sent: each field NUL-terminated, id first (the hot path of `send`). */
export function encodeText(layout: MessageLayout, version: number, values: Values): string {
  return `${layout.id}\0${writeText(fieldsAt(layout, version), values)}`;
}

/** The text fields of a message (id first) for a negotiated server version. */
export function encodeFields(layout: MessageLayout, version: number, values: Values): string[] {
  const out = [String(layout.id)];
  writeSpecs(fieldsAt(layout, version), values, out);
  return out;
}

/** Thrown when a request has fewer fields than its layout needs at the version. */
export class ShortMessageError extends Error {
  constructor(layout: string, fieldName: string) {
    super(`${layout}: message ends before field "${fieldName}"`);
    this.name = "ShortMessageError";
  }
}

function readSpecs(
  layoutName: string,
  specs: readonly Spec[],
  fields: readonly string[],
  at: { i: number },
  values: Record<string, unknown>,
  lenient: boolean,
): void {
  for (const spec of specs) {
    if (spec.when && !spec.when(values)) continue;
    if (at.i >= fields.length) {
      if (lenient) return;
      throw new ShortMessageError(layoutName, spec.name);
    }
    if (spec.kind === "group") {
      const n = Number.parseInt(fields[at.i++] ?? "0", 10) || 0;
      const items: Record<string, unknown>[] = [];
      for (let k = 0; k < n; k++) {
        const item: Record<string, unknown> = {};
        readSpecs(layoutName, spec.fields, fields, at, item, lenient);
        items.push(item);
      }
      values[spec.name] = items;
    } else {
      const text = fields[at.i++] ?? "";
      values[spec.name] = spec.constant !== undefined ? text : spec.codec.read(text);
    }
  }
}

/**
 * Read a message's fields (id first) by its layout at a version. `lenient` accepts a message that
 * ends early (a request whose trailing fields we do not need).
 */
export function decodeFields(
  layout: MessageLayout,
  version: number,
  fields: readonly string[],
  lenient = false,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  readSpecs(layout.name, fieldsAt(layout, version), fields, { i: 1 }, values, lenient);
  return values;
}
