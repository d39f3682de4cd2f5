/**
 * Validation at the journal's boundary: each body is checked against the schema of its own type
 * (picked by `type`, cheaper than trying the whole union), and a failure names the event type,
 * the field and the problem.
 */
import type { z } from "../../vendor/index.js";
import type { EventBody } from "./catalogue.js";
import { catalogueSchemas } from "./catalogue-lazy.js";
import { CURRENT_VERSIONS, isKnownType } from "./catalogue-meta.js";
import { InvalidEvent } from "./errors.js";
import { upcast } from "./upcasters.js";

/** Each type's payload schema, built on the first validation (loading zod then, not at start-up). */
let schemas: Map<string, z.ZodType<unknown>> | undefined;
function payloadSchema(type: string): z.ZodType<unknown> | undefined {
  schemas ??= new Map(
    catalogueSchemas().EventSchema.options.map((option) => [
      option.shape.type.value,
      option.shape.payload as z.ZodType<unknown>,
    ]),
  );
  return schemas.get(type);
}

/**
 * Parse `{type, version, payload}` into a current-version body, upcasting old versions.
 * `where` says where the event came from, for the error (`"on append"`, `"at seq 41"`, `"line 7"`).
 */
export function parseEventBody(type: string, version: number, payload: unknown, where: string): EventBody {
  const parsed = parsePayload(type, version, payload, where);
  return { type, version: parsed.version, payload: parsed.payload } as EventBody;
}

/**
 * The hot-path form of `parseEventBody`: validates (and upcasts) only the payload, so the reader
 * can build its row object once instead of copying a body into it.
 */
export function parsePayload(
  type: string,
  version: number,
  payload: unknown,
  where: string,
): { version: number; payload: unknown } {
  if (!isKnownType(type)) {
    throw new InvalidEvent(
      type,
      "type",
      `is not in the catalogue (known: ${Object.keys(CURRENT_VERSIONS).join(", ")})`,
      where,
    );
  }
  const schema = payloadSchema(type) as z.ZodType<unknown>;
  let lifted: { version: number; payload: unknown } = { version, payload };
  try {
    if (version !== CURRENT_VERSIONS[type]) lifted = upcast(type, version, payload);
  } catch (error) {
    throw new InvalidEvent(type, "version", (error as Error).message, where);
  }
  const result = schema.safeParse(lifted.payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = ["payload", ...(issue?.path.map(String) ?? [])].join(".");
    throw new InvalidEvent(type, field, issue?.message ?? "is invalid", where);
  }
  return { version: lifted.version, payload: result.data };
}

/**
 * `parsePayload` for a payload whose schema a verify has already checked and whose row the hash
 * chain still protects: a current-version payload is taken as parsed (the stored JSON is zod's own
 * output, so a second pass would return it unchanged); an old version still goes through its
 * upcasters and the schema, and an unknown type is still refused.
 */
export function trustedPayload(
  type: string,
  version: number,
  payload: unknown,
  where: string,
): { version: number; payload: unknown } {
  if (isKnownType(type) && version === CURRENT_VERSIONS[type]) return { version, payload };
  return parsePayload(type, version, payload, where);
}
