/**
 * Validation at the journal's boundary: each body is checked against the schema of its own type
 * (picked by `type`, cheaper than trying the whole union), and a failure names the event type,
 * the field and the problem.
 */
import type { z } from "zod";
import { CURRENT_VERSIONS, type EventBody, EventSchema, type EventType } from "./catalogue.js";
import { InvalidEvent } from "./errors.js";
import { upcast } from "./upcasters.js";

const SCHEMAS = new Map<string, z.ZodType<EventBody>>(
  EventSchema.options.map((option) => [option.shape.type.value, option as unknown as z.ZodType<EventBody>]),
);

/** True when `type` is in the catalogue. */
export function isKnownType(type: string): type is EventType {
  return SCHEMAS.has(type);
}

/**
 * Parse `{type, version, payload}` into a current-version body, upcasting old versions.
 * `where` says where the event came from, for the error (`"on append"`, `"at seq 41"`, `"line 7"`).
 */
export function parseEventBody(type: string, version: number, payload: unknown, where: string): EventBody {
  const schema = SCHEMAS.get(type);
  if (!schema) {
    throw new InvalidEvent(type, "type", `is not in the catalogue (known: ${[...SCHEMAS.keys()].join(", ")})`, where);
  }
  let lifted: { version: number; payload: unknown };
  try {
    lifted = version === CURRENT_VERSIONS[type as EventType] ? { version, payload } : upcast(type as EventType, version, payload);
  } catch (error) {
    throw new InvalidEvent(type, "version", (error as Error).message, where);
  }
  const result = schema.safeParse({ type, version: lifted.version, payload: lifted.payload });
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue ? issue.path.map(String).join(".") || "(root)" : "(root)";
    throw new InvalidEvent(type, field, issue?.message ?? "is invalid", where);
  }
  return result.data;
}
