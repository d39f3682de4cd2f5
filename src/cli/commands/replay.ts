import { availableParallelism } from "node:os";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { newYorkTimeToMs, openAsyncJournal } from "../../events/index.js";
import { expandSessions, runReplay, type SessionReplay, StrategyRejected } from "../../replay/index.js";
import { codeVersion } from "../code-version.js";
import { renderTable } from "../format.js";
import { journalPathOption } from "../options.js";
import { UsageError } from "../program.js";

const collect = (value: string, previous: string[]) => [...previous, value];

/** `journal replay` / `replay`: rerun a strategy over captured sessions, without the gateway. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("replay")
      .description(
        "rerun a strategy over captured sessions (no gateway, no network); parity with live, or a what-if",
      )
      .option("--session <date>", "one session, YYYY-MM-DD")
      .option("--sessions <range>", "several: 2026-02-02..2026-02-06 or a comma list")
      .option("--stream <stream>", "source stream", "live")
      .option("--bot <name>", "whose sessions, when --journal is a PostgreSQL fleet journal")
      .option("--out <path>", "output journal for the run (the source is opened read-only)", "data/replay.db")
      .option("--in-place", "add the run as a new stream to the source journal instead")
      .option(
        "--strategy <name|path>",
        "shipped strategy or a module implementing the contract (default: the one live ran)",
      )
      .option("--param <key=value>", "strategy parameter override (repeatable)", collect, [])
      .option("--from <time>", "start at this New York time of day (HH:MM) or ISO instant")
      .option("--to <time>", "stop at this New York time of day (HH:MM) or ISO instant")
      .option("--fill-model <name>", "next-quote (default) or mid", "next-quote")
      .option("--workers <n>", "worker threads for several sessions", String(availableParallelism()))
      .option("--force", "replay a journal that fails verify")
      .option("--json", "one JSON object on stdout"),
  ).action(
    async (opts: {
      journal: string;
      session?: string;
      sessions?: string;
      stream: string;
      bot?: string;
      out: string;
      inPlace?: boolean;
      strategy?: string;
      param: string[];
      from?: string;
      to?: string;
      fillModel: string;
      workers: string;
      force?: boolean;
      json?: boolean;
    }) => {
      if (!opts.session && !opts.sessions)
        throw new UsageError(
          "say which session: --session 2026-02-04 (or --sessions 2026-02-02..2026-02-06); `journal sessions` lists them",
        );
      const paramOverrides: Record<string, unknown> = {};
      for (const kv of opts.param) {
        const eq = kv.indexOf("=");
        if (eq <= 0) throw new UsageError(`--param ${kv}: expected key=value`);
        const raw = kv.slice(eq + 1);
        let value: unknown = raw;
        try {
          value = JSON.parse(raw);
        } catch {}
        paramOverrides[kv.slice(0, eq)] = value;
      }
      const workers = Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 1)
        throw new UsageError(`--workers ${opts.workers}: expected a whole number ≥ 1`);
      const sessionSpec = opts.sessions ?? opts.session!;
      const source = await openAsyncJournal(opts.journal, {
        readonly: true,
        ...(opts.bot === undefined ? {} : { bot: opts.bot }),
      });
      const available = await source.sessionIds(opts.stream);
      await source.close();
      const sessions = expandSessions(sessionSpec, available);
      const time = (flag: string, value: string | undefined): number | undefined => {
        if (value === undefined) return undefined;
        if (/^\d{2}:\d{2}$/.test(value)) {
          if (sessions.length !== 1)
            throw new UsageError(
              `--${flag} ${value}: a time of day needs one --session; use an ISO instant for several`,
            );
          return newYorkTimeToMs(sessions[0]!, Number(value.slice(0, 2)), Number(value.slice(3, 5)));
        }
        const ms = Date.parse(value);
        if (Number.isNaN(ms))
          throw new UsageError(`--${flag} ${value}: expected HH:MM (New York) or an ISO instant`);
        return ms;
      };
      const fromTs = time("from", opts.from);
      const toTs = time("to", opts.to);
      const bar =
        !opts.json && process.stderr.isTTY && sessions.length > 1
          ? new cliProgress.SingleBar(
              { format: "replay [{bar}] {value}/{total} sessions {session}", stream: process.stderr },
              cliProgress.Presets.shades_classic,
            )
          : null;
      bar?.start(sessions.length, 0, { session: "" });
      let results: SessionReplay[];
      try {
        results = await runReplay({
          journal: opts.journal,
          ...(opts.bot === undefined ? {} : { bot: opts.bot }),
          out: opts.inPlace ? null : opts.out,
          inPlace: opts.inPlace ?? false,
          sessions,
          stream: opts.stream,
          strategy: opts.strategy ?? null,
          paramOverrides,
          fillModel: opts.fillModel,
          codeVersion: codeVersion(),
          force: opts.force ?? false,
          workers,
          ...(fromTs === undefined ? {} : { fromTs }),
          ...(toTs === undefined ? {} : { toTs }),
          onProgress: (done, total, session) => {
            if (bar) bar.update(done, { session });
            else if (!opts.json && total > 1)
              process.stderr.write(`replayed ${session} (${done}/${total})\n`);
          },
        });
      } catch (error) {
        // A strategy that does not load is a usage error (exit 2); ReplayRefused exits 1 with its message.
        if (error instanceof StrategyRejected) throw new UsageError(error.message);
        throw error;
      } finally {
        bar?.stop();
      }
      const out = opts.inPlace ? opts.journal : opts.out;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(jsonSummary(results, out))}\n`);
        return;
      }
      process.stdout.write(humanSummary(results, out));
    },
  );
}

function total(results: SessionReplay[], pick: (r: SessionReplay) => number): number {
  return Math.round(results.reduce((sum, r) => sum + pick(r), 0) * 100) / 100;
}

/** The machine-readable summary: one object. */
function jsonSummary(results: SessionReplay[], out: string) {
  const parities = results.map((r) => r.parity);
  const parity = parities.every((p) => p !== null)
    ? {
        equal: total(results, (r) => r.parity!.equal),
        differ: total(results, (r) => r.parity!.differ),
        missing: total(results, (r) => r.parity!.missing),
      }
    : null;
  return {
    ...(results.length === 1
      ? { session: results[0]!.session, run: results[0]!.run }
      : { sessions: results.map((r) => r.session), run: results.map((r) => r.run) }),
    out,
    events: total(results, (r) => r.events),
    decisions: total(results, (r) => r.replay.decisions),
    parity,
    trades: total(results, (r) => r.replay.trades),
    netPnl: total(results, (r) => r.replay.netPnlUsd),
    maxDrawdown: Math.max(0, ...results.map((r) => r.replay.maxDrawdownUsd)),
    fees: total(results, (r) => r.replay.feesUsd),
    unfilled: total(results, (r) => r.unfilled),
    live: {
      decisions: total(results, (r) => r.live.decisions),
      trades: total(results, (r) => r.live.trades),
      netPnl: total(results, (r) => r.live.netPnlUsd),
      maxDrawdown: Math.max(0, ...results.map((r) => r.live.maxDrawdownUsd)),
    },
    changed: results.flatMap((r) =>
      r.changed.map((d) => ({
        session: r.session,
        cycle: d.cycle,
        symbol: d.symbol,
        kind: d.kind,
        live: d.live ? { action: d.live.action, reason: d.live.reason } : null,
        replay: d.replay ? { action: d.replay.action, reason: d.replay.reason } : null,
      })),
    ),
  };
}

function humanSummary(results: SessionReplay[], out: string): string {
  const lines: string[] = [];
  lines.push(
    renderTable(
      [
        "session",
        "run",
        "events",
        "decisions",
        "parity (= / ≠ / missing)",
        "trades",
        "net P&L",
        "max DD",
        "live trades",
        "live P&L",
      ],
      results.map((r) => [
        r.session,
        r.run,
        r.events,
        r.replay.decisions,
        r.parity ? `${r.parity.equal} / ${r.parity.differ} / ${r.parity.missing}` : "what-if",
        r.replay.trades,
        r.replay.netPnlUsd.toFixed(2),
        r.replay.maxDrawdownUsd.toFixed(2),
        r.live.trades,
        r.live.netPnlUsd.toFixed(2),
      ]),
    ),
  );
  for (const r of results) {
    const shown = r.changed.slice(0, 10);
    if (shown.length === 0) continue;
    lines.push(
      `\n${r.session}: ${r.changed.length} decision(s) ${r.parity ? "differ from live" : "changed from live"}${r.changed.length > shown.length ? ` (first ${shown.length})` : ""}:`,
    );
    lines.push(
      renderTable(
        ["cycle", "symbol", "live", "replay"],
        shown.map((d) => [
          d.cycle,
          d.symbol,
          d.live ? `${d.live.action}: ${d.live.reason}` : "(none)",
          d.replay ? `${d.replay.action}: ${d.replay.reason}` : "(none)",
        ]),
      ),
    );
  }
  const unfilled = results.reduce((n, r) => n + r.unfilled, 0);
  if (unfilled > 0)
    lines.push(
      `\n${unfilled} order(s) could not be filled: no later quote of the contract in the session (fill model next-quote)`,
    );
  lines.push(`\nruns written to ${out} (journal sessions --journal ${out})`);
  return `${lines.join("\n")}\n`;
}
