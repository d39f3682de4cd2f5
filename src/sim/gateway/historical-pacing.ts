/**
 * IB's pacing of historical requests for small bars (30 secs or less; TWS API "historical
 * limitations"): identical requests within 15 s, six or more for the same contract, exchange and
 * tick type within 2 s, or more than 60 in any ten minutes get error 162; a BID_ASK request counts
 * twice. Measured on the simulator's market clock, so a sped-up run paces as the same run would in
 * real time. The gateway-wide log lives beside its context, one per simulator.
 */
import type { SimContext } from "./session.js";

interface PacedRequest {
  readonly atMs: number;
  /** Contract, exchange and tick type: the "same contract" rule's key. */
  readonly series: string;
  /** Everything the request asked: the "identical requests" rule's key. */
  readonly identity: string;
  readonly weight: number;
}

const TEN_MINUTES_MS = 600_000;
const logs = new WeakMap<SimContext, PacedRequest[]>();

/** The largest bar IB paces. */
export const PACED_BAR_SECONDS = 30;

/**
 * Records a request and says whether IB would refuse it for pacing (a refused request still
 * counts, as IB's does). Requests for bars over 30 secs are not paced.
 */
export function pacingViolation(
  ctx: SimContext,
  request: Omit<PacedRequest, "weight"> & { whatToShow: string; barSeconds: number },
): boolean {
  if (request.barSeconds > PACED_BAR_SECONDS) return false;
  let log = logs.get(ctx);
  if (!log) {
    log = [];
    logs.set(ctx, log);
  }
  while (log.length && request.atMs - log[0]!.atMs >= TEN_MINUTES_MS) log.shift();
  const identical = log.some((r) => r.identity === request.identity && request.atMs - r.atMs < 15_000);
  const sameSeries = log
    .filter((r) => r.series === request.series && request.atMs - r.atMs < 2_000)
    .reduce((n, r) => n + r.weight, 0);
  const inTenMinutes = log.reduce((n, r) => n + r.weight, 0);
  const weight = request.whatToShow === "BID_ASK" ? 2 : 1;
  log.push({ atMs: request.atMs, series: request.series, identity: request.identity, weight });
  return identical || sameSeries + weight >= 6 || inTenMinutes + weight > 60;
}
