import type { Command } from "commander";
import {
  ConfigRefused,
  ConnectAborted,
  createLogger,
  formatSummary,
  JournalIntegrityError,
  type LiveConfig,
  LiveService,
  MarketClosedToday,
  type ModeSources,
  PeerNotTws,
  resolveLiveConfig,
} from "../../live/index.js";
import { loadStrategy, StrategyRejected } from "../../replay/index.js";
import { codeVersion } from "../code-version.js";
import { journalPathOption } from "../options.js";
import { UsageError } from "../usage-error.js";

/** How long a stop signal may take before the process leaves anyway (systemd waits 90 s). */
const STOP_FAILSAFE_MS = 30_000;

/** `journal live`: the bot beside IB Gateway. Dry run unless --paper. */
export function register(program: Command): void {
  journalPathOption(
    program
      .command("live")
      .description(
        "poll IB Gateway in cycles and journal everything (dry run: orders are journaled, not sent, unless --paper)",
      )
      .option("--config <file>", "YAML config (see config/live.example.yaml)")
      .option("--host <host>", "gateway host (env IBKR_HOST)")
      .option("--port <port>", "gateway port, 4002 for IB Gateway paper (env IBKR_PORT)")
      .option(
        "--client-id <n>",
        "client id for the first connection (env IBKR_CLIENT_ID; default: a fresh one per start)",
      )
      .option("--symbols <list>", "comma-separated, e.g. SPY,QQQ")
      .option(
        "--strategy <name|file>",
        "a shipped strategy or a module implementing the contract (default from config)",
      )
      .option("--interval <seconds>", "seconds between cycle starts (≥ 300 against a real gateway)")
      .option("--cycles <n>", "stop cleanly after n cycles")
      .option("--paper", "send orders to the gateway, paper accounts only (DU…), never on ports 4001/7496")
      .option(
        "--live-account <id>",
        "send orders with REAL MONEY to this account, which must be the gateway's (env IBKR_LIVE_ACCOUNT)",
      )
      .option("--close-timeout <seconds>", "at the end, wait this long for working orders (default 120)")
      .option("--log-file <file>", "JSON-lines log file, rotated daily (default from config: logs/bot.log)")
      .option("--capture", "record every TWS frame both ways in the journal (config: capture: true)")
      .option(
        "--market-data <kind>",
        "live (real time only), delayed (reqMarketDataType 3) or auto: real time, delayed when not subscribed (config marketData; default auto)",
      )
      .option(
        "--alert-url <url>",
        "post alerts to this webhook, repeatable (env ALERT_URLS; config alerts.webhooks): the format comes from the host (Telegram, Slack, Discord, ntfy.sh) or a prefix, e.g. ntfy+https://my.host/topic; generic JSON otherwise",
        (url: string, previous: string[]) => [...previous, url],
        [] as string[],
      )
      .option("--quiet", "no console log")
      .addHelpText(
        "after",
        `
Precedence, lowest first: the --config file, then the environment (IBKR_HOST, IBKR_PORT,
IBKR_CLIENT_ID, DRY_RUN, IBKR_LIVE_ACCOUNT, ALERT_URLS), then flags; webhooks add up. The mode is dry run unless something
sends orders: --paper (paper accounts only), DRY_RUN=false or dryRun: false (paper, unless a live
account is named), --live-account / IBKR_LIVE_ACCOUNT / liveAccount: (real money, to that account).
--paper with a live account from any source is refused before connecting. SessionOpened records
the mode and where each setting that chose it came from.`,
      ),
  ).action(
    async (opts: {
      journal: string;
      config?: string;
      host?: string;
      port?: string;
      clientId?: string;
      symbols?: string;
      strategy?: string;
      interval?: string;
      cycles?: string;
      paper?: boolean;
      liveAccount?: string;
      closeTimeout?: string;
      logFile?: string;
      capture?: boolean;
      marketData?: string;
      alertUrl: string[];
      quiet?: boolean;
    }) => {
      const number = (flag: string, value: string | undefined, integer = true): number | undefined => {
        if (value === undefined) return undefined;
        const n = Number(value);
        if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0)
          throw new UsageError(`--${flag} ${value}: expected a ${integer ? "whole " : ""}number ≥ 0`);
        return n;
      };
      const marketData = opts.marketData;
      if (
        marketData !== undefined &&
        marketData !== "live" &&
        marketData !== "delayed" &&
        marketData !== "auto"
      )
        throw new UsageError(`--market-data ${marketData}: expected live, delayed or auto`);
      let config: LiveConfig;
      let modeSources: ModeSources;
      try {
        ({ config, sources: modeSources } = resolveLiveConfig(opts.config, process.env, {
          ...(opts.host === undefined ? {} : { host: opts.host }),
          ...(opts.port === undefined ? {} : { port: number("port", opts.port)! }),
          ...(opts.clientId === undefined ? {} : { clientId: number("client-id", opts.clientId)! }),
          ...(opts.symbols === undefined
            ? {}
            : {
                symbols: opts.symbols
                  .split(",")
                  .map((s) => s.trim().toUpperCase())
                  .filter(Boolean),
              }),
          ...(opts.interval === undefined
            ? {}
            : { intervalSeconds: number("interval", opts.interval, false)! }),
          ...(opts.paper ? { paper: true } : {}),
          ...(opts.capture ? { capture: true } : {}),
          ...(marketData === undefined ? {} : { marketData }),
          ...(opts.liveAccount === undefined ? {} : { liveAccount: opts.liveAccount }),
          ...(opts.alertUrl.length === 0 ? {} : { alertUrls: opts.alertUrl }),
          ...(opts.closeTimeout === undefined
            ? {}
            : { closeTimeoutSeconds: number("close-timeout", opts.closeTimeout, false)! }),
        }));
      } catch (error) {
        if (error instanceof ConfigRefused) throw new UsageError(error.message);
        throw error;
      }
      const cycles = number("cycles", opts.cycles);
      let strategy: Awaited<ReturnType<typeof loadStrategy>>;
      try {
        strategy = await loadStrategy(opts.strategy ?? config.strategy.name);
      } catch (error) {
        if (error instanceof StrategyRejected) throw new UsageError(error.message);
        throw error;
      }
      const parsed = strategy.params.safeParse(config.strategy.params);
      if (!parsed.success)
        throw new UsageError(
          `strategy params: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`,
        );
      const logger = await createLogger(opts.logFile ?? config.logFile, opts.quiet ?? false);
      const service = new LiveService({
        config,
        journalPath: opts.journal,
        strategy,
        params: parsed.data as Record<string, unknown>,
        codeVersion: codeVersion(),
        logger,
        modeSources,
        ...(cycles === undefined ? {} : { cycles }),
      });
      // A first signal closes the session after the step under way; a second closes it at once.
      // Past STOP_FAILSAFE_MS something awaited forever: leave rather than ignore the signal.
      let failsafeArmed = false;
      const stop = () => {
        service.stop();
        if (failsafeArmed) return;
        failsafeArmed = true;
        setTimeout(() => {
          process.stderr.write(
            `journal live: still running ${STOP_FAILSAFE_MS / 1000} s after the stop signal; exiting without closing the session (the next start continues it)\n`,
          );
          process.exit(1);
        }, STOP_FAILSAFE_MS).unref();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      try {
        // Left running, it closes each day's session at New York midnight and opens the next.
        await service.run((summary) => process.stdout.write(formatSummary(summary, opts.journal)));
      } catch (error) {
        if (error instanceof ConnectAborted) {
          // Only a stop before the session opened reaches here: later ones end in SessionClosed.
          process.stdout.write(`${error.message}; nothing was journaled\n`);
          return;
        }
        // A closed day is not a failure: there is nothing to trade, and systemd need not restart.
        if (error instanceof MarketClosedToday) {
          process.stdout.write(`${error.message}\n`);
          return;
        }
        if (error instanceof ConfigRefused || error instanceof JournalIntegrityError)
          throw new UsageError(error.message);
        if (error instanceof PeerNotTws) {
          process.stderr.write(`${error.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    },
  );
}
