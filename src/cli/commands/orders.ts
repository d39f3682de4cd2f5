import type { Command } from "commander";
import { averageFillMicros } from "../../projections/index.js";
import { foldFromJournal } from "../book-query.js";
import { newYorkTime, renderColumns } from "../format.js";
import { journalPathOption } from "../options.js";

/** `journal orders`: every order of a stream with its current state. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("orders")
      .description(
        "every order of a stream: intended, refused, dry run, submitted, filled, cancelled, rejected",
      )
      .option("--stream <stream>", "live, or a replay run id", "live")
      .option("--session <date>", "only this session (YYYY-MM-DD)")
      .option("--json", "JSON on stdout (with each order's history)"),
  ).action((opts: { journal: string; stream: string; session?: string; json?: boolean }) => {
    const book = foldFromJournal(opts);
    const orders = [...book.orders.values()]
      .flatMap((o) => [...o.byKey.values()])
      .sort((a, b) => (a.history[0]?.seq ?? 0) - (b.history[0]?.seq ?? 0));
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify(
          orders.map((o) => {
            const avg = averageFillMicros(o);
            return {
              key: o.key,
              session: o.session,
              contract: o.contractKey,
              side: o.intent.side,
              quantity: o.intent.quantity,
              purpose: o.intent.purpose,
              phase: o.phase,
              orderId: o.orderId,
              filled: o.filledQuantity,
              avgFillPriceUsd: avg === null ? null : avg / 1e6,
              history: o.history,
            };
          }),
        )}\n`,
      );
      return;
    }
    if (orders.length === 0) {
      process.stdout.write(
        `no orders in stream ${opts.stream}${opts.session ? ` on ${opts.session}` : ""}\n`,
      );
      return;
    }
    // One block per session, times of day within it: the rows fit 80 columns.
    const sessions = [...new Set(orders.map((o) => o.session))];
    const blocks = sessions.map((session) => {
      const rows = orders
        .filter((o) => o.session === session)
        .map((o) => {
          const avg = averageFillMicros(o);
          const partly = o.filledQuantity > 0 && o.filledQuantity < o.intent.quantity;
          return [
            newYorkTime(o.history[0]?.ts ?? 0).slice(11, 16),
            o.contractKey,
            `${o.intent.side} ${o.intent.quantity}`,
            o.intent.purpose,
            partly ? `${o.phase} ${o.filledQuantity}/${o.intent.quantity}` : o.phase,
            o.orderId ?? "",
            avg === null ? "" : (avg / 1e6).toFixed(2),
          ];
        });
      return `${session}\n${renderColumns(["time", "contract", "order", "purpose", "state", "id", "avg fill"], rows, { rightFrom: 5, maxWidth: 80 })}`;
    });
    process.stdout.write(`${blocks.join("\n\n")}\n`);
  });
}
