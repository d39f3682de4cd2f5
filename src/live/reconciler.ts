/**
 * Reconciliation, every cycle: the book projected from the journal against the positions the
 * gateway reports. A difference is journaled with both sides (`PositionMismatch`), logged loudly,
 * and halts new entries until the two agree again (`PositionsAgreed`); exits stay allowed where
 * the broker holds what they sell (the `broker-position` rule reads `brokerPositions`).
 *
 * Only the bot's own symbols are compared (their stock and options): an account may hold other
 * things a person bought, and those are not the bot's to reconcile.
 */
import type { Logger } from "pino";
import { contractKey, LIVE_STREAM, type PayloadOf } from "../events/index.js";
import type { BookProjection } from "../projections/index.js";
import { type GatewayClient, GatewayTimeout } from "./gateway.js";
import type { LiveSession } from "./live-session.js";
import type { CycleCounts } from "./market-data.js";

export interface PositionDiff {
  contractKey: string;
  ours: number;
  broker: number;
}

/** The broker's positions in `symbols`' contracts by contract key, summed over accounts (pure). */
export function brokerPositionMap(
  broker: readonly PayloadOf<"PositionsReported">[],
  symbols: readonly string[],
): Map<string, number> {
  const theirs = new Map<string, number>();
  for (const report of broker)
    for (const p of report.positions) {
      if (!symbols.includes(p.contract.symbol)) continue;
      const key = contractKey(p.contract);
      theirs.set(key, (theirs.get(key) ?? 0) + p.quantity);
    }
  return theirs;
}

/** The differences between our positions and the broker's, over `symbols` only (pure). */
export function positionDiffs(
  ours: ReadonlyMap<string, number>,
  broker: readonly PayloadOf<"PositionsReported">[],
  symbols: readonly string[],
): PositionDiff[] {
  const theirs = brokerPositionMap(broker, symbols);
  const mine = new Map([...ours].filter(([key]) => symbols.includes(key.split(" ")[0]!)));
  const diffs: PositionDiff[] = [];
  for (const key of [...new Set([...mine.keys(), ...theirs.keys()])].sort()) {
    const o = mine.get(key) ?? 0;
    const b = theirs.get(key) ?? 0;
    if (o !== b) diffs.push({ contractKey: key, ours: o, broker: b });
  }
  return diffs;
}

export class BrokerReconciler {
  private mismatch: PositionDiff[] | null = null;
  /** The broker's positions as last reported (null before the first report of this run). */
  brokerPositions: ReadonlyMap<string, number> | null = null;

  constructor(
    private readonly session: LiveSession,
    private readonly book: BookProjection,
    private readonly symbols: readonly string[],
    private readonly logger: Logger,
  ) {}

  /** Why entries are halted, or null when the book and the broker agree. */
  get haltReason(): string | null {
    if (!this.mismatch) return null;
    return `book and broker disagree on ${this.mismatch
      .map((d) => `${d.contractKey} (ours ${d.ours}, broker ${d.broker})`)
      .join(", ")}`;
  }

  /** Ask the gateway for its positions, journal them, then compare them with the book. */
  async reconcile(
    gateway: GatewayClient,
    account: string,
    timeoutMs: number,
    counts: CycleCounts,
  ): Promise<void> {
    counts.requests += 1;
    try {
      const reports = await gateway.positions(timeoutMs);
      const all = reports.length ? reports : [{ account, positions: [] }];
      this.session.record(
        all.map((payload) => ({
          type: "PositionsReported" as const,
          version: 1 as const,
          ts: this.session.now(),
          payload,
        })),
      );
      this.check(all);
    } catch (error) {
      if (error instanceof GatewayTimeout) counts.timeouts += 1;
      else counts.errors += 1;
    }
  }

  /** Compare the book with the gateway's report; journal what changed. */
  check(reports: readonly PayloadOf<"PositionsReported">[]): PositionDiff[] {
    const ours = new Map<string, number>();
    for (const p of this.book.state.positions.byKey.values()) {
      if (!p.key.startsWith(`${LIVE_STREAM}|`) || p.quantity === 0) continue;
      ours.set(p.key.slice(LIVE_STREAM.length + 1), p.quantity);
    }
    this.brokerPositions = brokerPositionMap(reports, this.symbols);
    const diffs = positionDiffs(ours, reports, this.symbols);
    const account = reports.map((r) => r.account).join(",");
    if (diffs.length > 0) {
      this.mismatch = diffs;
      this.logger.error(
        { diffs },
        "POSITION MISMATCH: the journal's book differs from the broker; new entries halted",
      );
      this.session.record([
        {
          type: "PositionMismatch",
          version: 1,
          ts: this.session.now(),
          payload: { account, diffs, entriesHalted: true },
        },
      ]);
    } else if (this.mismatch) {
      this.mismatch = null;
      this.logger.warn("book and broker agree again: entries resume");
      this.session.record([
        {
          type: "PositionsAgreed",
          version: 1,
          ts: this.session.now(),
          payload: { account, contracts: ours.size },
        },
      ]);
    }
    return diffs;
  }
}
