import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Command, Option } from "commander";
import {
  acquireWriterLock,
  isPostgresUrl,
  type JournalReader,
  newYorkTimeToMs,
  openAsyncJournal,
} from "../../events/index.js";
import {
  expandSessions,
  FILL_MODEL_NAMES,
  loadStrategy,
  type ReplayedSession,
  runReplay,
  StrategyRejected,
} from "../../replay/index.js";
import { type AnyStrategy, findStrategy, shippedStrategies } from "../../strategy/index.js";
import { cliProgress } from "../cli-progress-lazy.js";
import { codeVersion } from "../code-version.js";
import { grouped } from "../format.js";
import { journalPathOption } from "../options.js";
import { humanSummary, jsonSummary } from "../replay-summary.js";
import { MAX_SETS_WITHOUT_YES, sweepCommand } from "../replay-sweep.js";
import { paramProblem } from "../strategy-params.js";
import { UsageError } from "../usage-error.js";

const collect = (value: string, previous: string[]) => [...previous, value];
const DEFAULT_OUT = "data/replay.db";
const FILL_MODELS = [...FILL_MODEL_NAMES];

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
      .option("--out <path>", "output journal for the run (the source is opened read-only)", DEFAULT_OUT)
      .option("--in-place", "add the run as a new stream to the source journal instead")
      .option(
        "--strategy <name|path>",
        "shipped strategy (`journal strategies` lists them) or a module implementing the contract (default: the one live ran)",
      )
      .option("--param <key=value>", "strategy parameter override (repeatable)", collect, [])
      .option("--from <time>", "start at this New York time of day (HH:MM) or ISO instant")
      .option("--to <time>", "stop at this New York time of day (HH:MM) or ISO instant")
      .addOption(
        new Option(
          "--fill-model <name>",
          "how orders fill: at the decision's quote with the slippage of the session's live fills, at the next quote, or at its mid",
        )
          .choices(FILL_MODELS)
          .default("decision-quote"),
      )
      .option(
        "--fees <file>",
        "the fee table simulated fills are charged by (default: IBKR Pro tiered, config/ibkr-fees.yaml)",
      )
      .addOption(
        new Option(
          "--outcomes <mode>",
          "order outcomes fed to the strategy: recorded (live's, parity), simulated (fill model + risk rules, what-if), auto",
        )
          .choices(["auto", "recorded", "simulated"])
          .default("auto"),
      )
      .option(
        "--workers <n>",
        "sessions replayed at once (this thread and n-1 worker threads); auto: one thread for a small replay, every core otherwise",
        "auto",
      )
      .option("--force", "replay a journal that fails verify")
      .option("--wide", "every column, full run ids (wider than 80 columns)")
      .option("--json", "one JSON object on stdout: a row per session and the totals")
      .option(
        "--sweep <key=values>",
        "search parameters: KEY=v1,v2,… or KEY=lo:hi:step (repeatable: the grid of all), each session read once",
        collect,
        [],
      )
      .option("--sample <n>", "with --sweep: run n sets drawn at random from the grid")
      .option("--seed <s>", "with --sample: the draw's seed (the same seed, the same sets)", "1")
      .option(
        "--rank <metric>",
        "with --sweep: netPnl, sharpe, profitFactor, expectancy, winRate, maxDrawdown or trades",
        "netPnl",
      )
      .option(
        "--keep <n>",
        "with --sweep: write full runs for the best n sets (the rest as one summary event each)",
        "1",
      )
      .option("--yes", `with --sweep: run more than ${grouped(MAX_SETS_WITHOUT_YES)} sets`)
      .option("--train <range>", "walk-forward: choose the best set on these sessions…")
      .option("--test <range>", "…and report it on these (beside the baseline)")
      .option(
        "--folds <k>",
        "walk-forward over --sessions in order: k folds, each trained on the blocks before it",
      ),
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
      fees?: string;
      outcomes: "auto" | "recorded" | "simulated";
      workers: string;
      force?: boolean;
      wide?: boolean;
      json?: boolean;
      sweep: string[];
      sample?: string;
      seed: string;
      rank: string;
      keep: string;
      yes?: boolean;
      train?: string;
      test?: string;
      folds?: string;
    }) => {
      const searching = opts.train !== undefined || opts.test !== undefined || opts.folds !== undefined;
      if (opts.sweep.length > 0 || searching || opts.sample !== undefined) {
        if (!opts.inPlace) ensureOutFolder(opts.out);
        return sweepCommand({ ...opts, workers: parseWorkers(opts.workers), fixed: parseParams(opts.param) });
      }
      if (!opts.session && !opts.sessions)
        throw new UsageError(
          "say which session: --session 2026-02-04 (or --sessions 2026-02-02..2026-02-06); `journal sessions` lists them",
        );
      // The fee table is read before anything is opened: a bad file changes nothing. Loaded only
      // when given (yaml stays out of a plain replay's start-up).
      const fees =
        opts.fees === undefined ? undefined : (await import("../fee-table.js")).loadFeeTable(opts.fees);
      const paramOverrides = parseParams(opts.param);
      const workers = parseWorkers(opts.workers);
      const out = opts.inPlace ? opts.journal : opts.out;
      if (!opts.inPlace) ensureOutFolder(opts.out);
      const sessionSpec = opts.sessions ?? opts.session!;
      const source = await openAsyncJournal(opts.journal, {
        readonly: true,
        ...(opts.bot === undefined ? {} : { bot: opts.bot }),
      });
      let sessions: string[];
      try {
        sessions = expandSessions(sessionSpec, await source.sessionIds(opts.stream));
        if (Object.keys(paramOverrides).length > 0)
          await checkParams(source, opts.stream, sessions, opts.strategy, paramOverrides);
      } finally {
        await source.close();
      }
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
      const progress = progressReporter(sessions.length, opts.json ?? false);
      // The run is appended to `out` (or the source, in place): one writer per journal.
      const lock = isPostgresUrl(out)
        ? null
        : acquireWriterLock(out, "journal replay", new Date().toISOString());
      let results: ReplayedSession[];
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
          ...(fees === undefined ? {} : { fees }),
          outcomes: opts.outcomes,
          codeVersion: codeVersion(),
          force: opts.force ?? false,
          workers,
          ...(fromTs === undefined ? {} : { fromTs }),
          ...(toTs === undefined ? {} : { toTs }),
          onProgress: progress.update,
        });
      } catch (error) {
        // A strategy that does not load is a usage error (exit 2); ReplayRefused exits 1 with its message.
        if (error instanceof StrategyRejected) throw new UsageError(error.message);
        throw error;
      } finally {
        progress.stop();
        lock?.release();
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(jsonSummary(results, out))}\n`);
        return;
      }
      process.stdout.write(humanSummary(results, out, opts.wide ?? false));
    },
  );
}

/** `--workers n` or `auto`. */
function parseWorkers(value: string): number | "auto" {
  if (value === "auto") return "auto";
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1)
    throw new UsageError(`--workers ${value}: expected a whole number ≥ 1, or auto`);
  return workers;
}

/** `--param key=value` (repeatable): JSON where the value parses, else the text. */
function parseParams(param: readonly string[]): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const kv of param) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param ${kv}: expected key=value, e.g. --param stopLossPct=0.3`);
    const raw = kv.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {}
    overrides[kv.slice(0, eq)] = value;
  }
  return overrides;
}

/**
 * The default output's folder is created (a fresh checkout has no data/); an --out the user chose
 * in a folder that does not exist is a typo more often than not, so it is named, not created.
 */
function ensureOutFolder(out: string): void {
  const folder = dirname(out);
  if (existsSync(folder)) return;
  if (out === DEFAULT_OUT) {
    mkdirSync(folder, { recursive: true });
    return;
  }
  throw new UsageError(
    `--out ${out}: folder ${folder} does not exist; create it (mkdir -p ${folder}) or pass another --out`,
  );
}

/**
 * Check `--param` before any session runs, against the strategy each session will run with: the
 * one given, or the one live ran (from its SessionOpened), over live's own parameters.
 */
async function checkParams(
  source: JournalReader,
  stream: string,
  sessions: readonly string[],
  strategySpec: string | undefined,
  overrides: Record<string, unknown>,
): Promise<void> {
  let given: AnyStrategy | null = null;
  if (strategySpec !== undefined) {
    try {
      given = await loadStrategy(strategySpec);
    } catch (error) {
      if (error instanceof StrategyRejected) throw new UsageError(error.message);
      throw error;
    }
  }
  for await (const opened of source.read({ stream, sessions: [...sessions], types: ["SessionOpened"] })) {
    if (opened.type !== "SessionOpened") continue;
    const live = opened.payload.strategy;
    const strategy = given ?? findStrategy(live.name);
    if (!strategy)
      throw new UsageError(
        `session ${opened.session} ran strategy "${live.name}", which is not shipped here (shipped: ${shippedStrategies.map((s) => s.name).join(", ")}); pass --strategy`,
      );
    const base = live.name === strategy.name ? opened.payload.params : {};
    const problem = paramProblem(strategy, base as Record<string, unknown>, overrides);
    if (problem) throw new UsageError(problem);
  }
}

/**
 * Progress on stderr, counted as sessions finish: a bar on a terminal, a line per session
 * otherwise; nothing for one session or with --json.
 */
function progressReporter(total: number, json: boolean) {
  if (json || total <= 1) return { update: () => {}, stop: () => {} };
  if (!process.stderr.isTTY)
    return {
      update: (done: number, all: number, session: string) =>
        process.stderr.write(`replayed ${session} (${done}/${all} sessions done)\n`),
      stop: () => {},
    };
  const bars = cliProgress();
  const bar = new bars.SingleBar(
    {
      format: "replay [{bar}] {value}/{total} sessions done{last}",
      stream: process.stderr,
      hideCursor: true,
      // 8 + 20 + 46 characters: the line fits an 80-column terminal.
      barsize: 20,
    },
    bars.Presets.shades_classic,
  );
  bar.start(total, 0, { last: "" });
  return {
    update: (done: number, _all: number, session: string) => {
      bar.update(done, { last: `, last finished: ${session}` });
      // The bar redraws on a 100 ms timer, so two sessions finishing within it would show
      // only the second; a session finishing is rare enough to draw every time.
      bar.render();
    },
    stop: () => bar.stop(),
  };
}
