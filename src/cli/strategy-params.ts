/**
 * A strategy's parameters as a user reads them (name, type, bounds, default), taken from its zod
 * schema, and the one-line explanation of a bad `--param`.
 */

import type { AnyStrategy } from "../strategy/index.js";
import { toJSONSchema } from "../vendor/index.js";

/** One parameter: `stopLossPct`, `number > 0`, default `0.15`. */
export interface ParamInfo {
  name: string;
  type: string;
  default: unknown;
}

interface JsonSchemaProperty {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  enum?: unknown[];
}

/** The parameters of `strategy`, in the order its schema declares them (empty if not an object). */
export function describeParams(strategy: AnyStrategy): ParamInfo[] {
  let properties: Record<string, JsonSchemaProperty>;
  try {
    const schema = toJSONSchema(strategy.params as never, { io: "input", unrepresentable: "any" }) as {
      properties?: Record<string, JsonSchemaProperty>;
    };
    properties = schema.properties ?? {};
  } catch {
    // A user's strategy may bring a schema this zod cannot describe: list the names we can see.
    const shape = (strategy.params as { shape?: Record<string, unknown> }).shape ?? {};
    return Object.keys(shape).map((name) => ({ name, type: "", default: undefined }));
  }
  return Object.entries(properties).map(([name, p]) => ({
    name,
    type: typeOf(p),
    default: p.default,
  }));
}

function typeOf(p: JsonSchemaProperty): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(" | ");
  const bounds: string[] = [];
  // zod writes "integer" with the safe-integer limits as bounds; those say nothing to a user.
  if (p.minimum !== undefined && Math.abs(p.minimum) < Number.MAX_SAFE_INTEGER) bounds.push(`≥ ${p.minimum}`);
  if (p.exclusiveMinimum !== undefined) bounds.push(`> ${p.exclusiveMinimum}`);
  if (p.maximum !== undefined && Math.abs(p.maximum) < Number.MAX_SAFE_INTEGER) bounds.push(`≤ ${p.maximum}`);
  if (p.exclusiveMaximum !== undefined) bounds.push(`< ${p.exclusiveMaximum}`);
  if (p.type === "string" && p.pattern === "^\\d{2}:\\d{2}$") bounds.push("HH:MM");
  else if (p.pattern !== undefined) bounds.push(`matching /${p.pattern}/`);
  return [p.type ?? "any", ...bounds].join(" ");
}

/** `  stopLossPct        number > 0        default 0.15`, one line per parameter. */
export function paramLines(strategy: AnyStrategy): string[] {
  const params = describeParams(strategy);
  const nameWidth = Math.max(0, ...params.map((p) => p.name.length));
  const typeWidth = Math.max(0, ...params.map((p) => p.type.length));
  return params.map(
    (p) =>
      `  ${p.name.padEnd(nameWidth)}  ${p.type.padEnd(typeWidth)}  ${p.default === undefined ? "(required)" : `default ${JSON.stringify(p.default)}`}`,
  );
}

/**
 * Check `--param` overrides merged over `base` (live's parameters when replay reruns live's
 * strategy) and return the message for the first problem, or null when they are valid.
 */
export function paramProblem(
  strategy: AnyStrategy,
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
): string | null {
  const parsed = strategy.params.safeParse({ ...base, ...overrides });
  if (parsed.success) return null;
  const issue = parsed.error.issues[0] as
    | { code?: string; keys?: string[]; path: PropertyKey[]; message: string }
    | undefined;
  const known = describeParams(strategy).map((p) => p.name);
  const unknown =
    issue?.code === "unrecognized_keys"
      ? (issue.keys ?? [])
      : Object.keys(overrides).filter((k) => known.length > 0 && !known.includes(k));
  const head =
    unknown.length > 0
      ? `--param ${unknown.join(", ")}: strategy ${strategy.name} has no such parameter`
      : `--param ${issue?.path.join(".")}=${JSON.stringify(overrides[String(issue?.path[0])])}: ${issue?.message ?? "invalid"}`;
  return `${head}. Its parameters:\n${paramLines(strategy).join("\n")}\n(give each as --param name=value; see \`journal strategies\`)`;
}
