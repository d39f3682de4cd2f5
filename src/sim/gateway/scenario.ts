/**
 * Fault scenarios: the failures the alpha met on the Pi, switchable per run from flags or a small
 * YAML/JSON file. Each is documented with the symptom it reproduces in docs/sim.md.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "../../vendor/index.js";

export const ScenarioSchema = z
  .object({
    /** Error 162 on historical requests beyond `maxRequests` within `windowSeconds` (real time). */
    pacing: z
      .object({ maxRequests: z.number().int().positive(), windowSeconds: z.number().positive() })
      .optional(),
    /** Error 326 and a closed socket for these client ids (a stale session holds them). */
    clientIdInUse: z.array(z.number().int()).optional(),
    /**
     * 1100 connectivity lost after N requests (or at the Nth order placed), 1102 restored
     * `restoreAfterMs` later. With `withholdFillReports`, fills made while it is lost are not
     * pushed to the client (the report never reached the gateway's socket); `reqExecutions` after
     * the restore returns them, as a real gateway does.
     */
    connectivityLost: z
      .object({
        afterRequests: z.number().int().positive().optional(),
        atOrder: z.number().int().positive().optional(),
        restoreAfterMs: z.number().int().nonnegative(),
        withholdFillReports: z.boolean().default(false),
      })
      .refine((v) => (v.afterRequests === undefined) !== (v.atOrder === undefined), {
        message: "give exactly one of afterRequests and atOrder",
      })
      .optional(),
    /** Real ms between an order's PreSubmitted and its first chance to fill. */
    fillDelayMs: z.number().int().nonnegative().default(2),
    /** Close the socket after the Nth request of the run (a gateway restart). */
    dropAfterRequests: z.number().int().positive().optional(),
    /** Never answer the Nth request of this kind, nor the `count` − 1 after it (the client's timeout must fire). */
    unanswered: z
      .object({
        kind: z.enum(["historical", "snapshot", "contract-details"]),
        nth: z.number().int().positive(),
        count: z.number().int().positive().default(1),
      })
      .optional(),
    /** Error 10197 on market data requests from the Nth on (a competing live session). */
    competingSession: z
      .object({ fromRequest: z.number().int().positive(), count: z.number().int().positive().default(1) })
      .optional(),
    /**
     * Streaming (non-snapshot) requests flood ticks and the "output exceeded limit" warning (the
     * alpha's failure); off unless asked for, as one subscription on a real gateway does not flood.
     */
    streamingFlood: z.boolean().default(false),
    /** Real ms before "snapshot end" (a real gateway takes ~11 s; tests want it quick). */
    snapshotDelayMs: z.number().int().nonnegative().default(20),
    /**
     * Refuse a SELL that would open a short option position (error 201, then Cancelled), as a
     * paper account without permission for uncovered options does.
     */
    rejectShortOptions: z.boolean().default(false),
    /**
     * The account's market data: `live` (a real-time subscription), `delayed` (none, delayed data
     * enabled: 354 for real time, delayed ticks after reqMarketDataType(3)), `none` (354, and
     * 10168 for delayed). See market-data-handlers.ts.
     */
    marketData: z.enum(["live", "delayed", "none"]).default("live"),
    /**
     * The account's equity at the start (all cash), USD: orders its equity with loan value does
     * not cover are rejected with IB's 201, and what-if orders are answered against it.
     */
    accountEquityUsd: z.number().positive().default(100_000),
    /**
     * Answer every order with the warnings a real account attaches at times (399 not placed until
     * the open, 10349 TIF set from the preset, 2109 outside-RTH ignored), whatever its fields: a
     * client's handling of warnings, tested. Without it each comes only where IB sends it.
     */
    orderWarnings: z.boolean().default(false),
  })
  .strict();

export type Scenario = z.infer<typeof ScenarioSchema>;

/** True when the scenario leaves the `nth` request of `kind` unanswered. */
export function unanswered(
  scenario: Scenario,
  kind: "historical" | "snapshot" | "contract-details",
  nth: number,
): boolean {
  const fault = scenario.unanswered;
  return fault?.kind === kind && nth >= fault.nth && nth < fault.nth + fault.count;
}
/** A scenario as written (defaults not yet applied), e.g. in a test or a YAML file. */
export type ScenarioInput = z.input<typeof ScenarioSchema>;

/** Read and validate a scenario file (YAML or JSON); errors name the file and the field. */
export function loadScenario(path: string): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`scenario ${path}: ${(error as Error).message}`);
  }
  const parsed = ScenarioSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`scenario ${path}: field "${issue?.path.join(".")}" ${issue?.message}`);
  }
  return parsed.data;
}
