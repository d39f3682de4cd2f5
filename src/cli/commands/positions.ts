import type { Command } from "commander";
import { averageCostMicros, toUsd, unrealizedMicros } from "../../projections/index.js";
import { foldFromJournal } from "../book-query.js";
import { renderTable } from "../format.js";
import { journalPathOption } from "../options.js";

/** `journal positions`: the current positions of a stream, folded from its events. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("positions")
      .description("current positions of a stream (quantity, average cost, realized and unrealized P&L)")
      .option("--stream <stream>", "live, or a replay run id", "live")
      .option("--session <date>", "only this session's events (YYYY-MM-DD)")
      .option("--json", "JSON on stdout"),
  ).action((opts: { journal: string; stream: string; session?: string; json?: boolean }) => {
    const book = foldFromJournal(opts);
    const rows = [...book.positions.byKey.values()].map((p) => ({
      contract: p.key.slice(p.stream.length + 1),
      quantity: p.quantity,
      avgCostUsd: toUsd(averageCostMicros(p)),
      markUsd: p.markMicros === null ? null : toUsd(p.markMicros),
      realizedPnlUsd: toUsd(p.realizedMicros),
      unrealizedPnlUsd: toUsd(unrealizedMicros(p)),
      commissionsUsd: toUsd(p.commissionsMicros),
    }));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      return;
    }
    if (rows.length === 0) {
      process.stdout.write(
        `no positions in stream ${opts.stream}${opts.session ? ` on ${opts.session}` : ""}\n`,
      );
      return;
    }
    process.stdout.write(
      `${renderTable(
        ["contract", "qty", "avg cost", "mark", "realized", "unrealized", "fees"],
        rows.map((r) => [
          r.contract,
          r.quantity,
          r.avgCostUsd.toFixed(2),
          r.markUsd?.toFixed(2),
          r.realizedPnlUsd.toFixed(2),
          r.unrealizedPnlUsd.toFixed(2),
          r.commissionsUsd.toFixed(2),
        ]),
      )}\n`,
    );
  });
}
