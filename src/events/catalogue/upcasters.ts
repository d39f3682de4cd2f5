/**
 * Upcasters lift old event versions to the current one on read. Old rows are never rewritten
 * (DESIGN: a schema change adds a version and an upcaster).
 */
import type { EventType } from "./catalogue.js";
import { CURRENT_VERSIONS } from "./catalogue-meta.js";

type Upcaster = (payload: Record<string, unknown>) => Record<string, unknown>;

/** `UPCASTERS[type][v]` lifts a payload of version v to version v + 1. */
const UPCASTERS: Partial<Record<EventType, Record<number, Upcaster>>> = {
  GatewayNotice: {
    // v1 had no severity; derive it from the code the way IB documents the ranges.
    1: (payload) => ({ ...payload, severity: noticeSeverity(Number(payload.code)) }),
  },
  CycleCompleted: {
    // v1 cycles were recorded before live journaled its inputs' freshness: unknown, not fresh.
    1: (payload) => ({ ...payload, inputs: null }),
  },
  ReplayStarted: {
    // v1 runs always took their fills from the fill model.
    1: (payload) => ({ ...payload, outcomes: "simulated" }),
  },
};

/**
 * How serious a gateway code is: 2100–2199 are informational ("data farm OK" and friends),
 * 1100–1102 connectivity warnings, the rest errors.
 */
export function noticeSeverity(code: number): "info" | "warning" | "error" {
  // "Order Event Warning": an order attribute IB ignored (outside RTH); the order goes on.
  if (code === 2109) return "warning";
  if (code >= 2100 && code < 2200) return "info";
  if (code >= 1100 && code <= 1102) return "warning";
  if (code === 10197 || code === 2110 || code === 399) return "warning";
  // An order's TIF taken from the account's preset: the order goes on (not an error, not a cancel).
  if (code === 10349) return "warning";
  // Not subscribed, but the data follows (delayed, or the subscribed part).
  if (code === 10167 || code === 10090) return "warning";
  return "error";
}

/**
 * Lift `payload` from `version` to the current version of `type`. Throws when no upcaster chain
 * exists (a version from the future, or a gap in the chain).
 */
export function upcast(
  type: EventType,
  version: number,
  payload: unknown,
): { version: number; payload: unknown } {
  const current = CURRENT_VERSIONS[type];
  let v = version;
  let p = payload as Record<string, unknown>;
  while (v < current) {
    const step = UPCASTERS[type]?.[v];
    if (!step) throw new Error(`no upcaster for ${type} v${v} → v${v + 1}`);
    p = step(p);
    v += 1;
  }
  if (v > current)
    throw new Error(`${type} v${version} is newer than this code knows (v${current}); upgrade`);
  return { version: v, payload: p };
}
