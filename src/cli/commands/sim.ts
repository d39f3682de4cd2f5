import type { Command } from "commander";
import { newYorkTimeToMs } from "../../events/index.js";
import {
  isKnownTimeZone,
  loadScenario,
  type Scenario,
  SIMULATOR_ACCOUNT,
  startSimulator,
} from "../../sim/index.js";
import { servePlayback } from "../sim-playback.js";
import { UsageError } from "../usage-error.js";

/** `journal sim`: the fake IB Gateway, for trying the bot without an account and for tests. */
export function register(program: Command): void {
  program
    .command("sim")
    .description("run the fake IB Gateway (TWS socket protocol, seeded market, optional faults)")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port (0 picks a free one; IB Gateway paper uses 4002)", "4002")
    .option("--seed <n>", "market seed: same seed and clock, same answers", "42")
    .option(
      "--start <time>",
      "simulated clock start, New York time YYYY-MM-DDTHH:MM (default: last trading day 09:30)",
    )
    .option("--speed <n>", "simulated seconds per real second", "1")
    .option("--scenario <file>", "fault scenario (YAML or JSON, see docs/sim.md)")
    .option("--snapshot-delay <ms>", "real ms before snapshot end (a real gateway takes ~11000)")
    .option(
      "--account <id>",
      "managed account to report (default SIM0000001; a live-style id such as U1234567 hides the SIM prefix)",
    )
    .option("--max-version <n>", "highest server version to negotiate, 157–193 (an older gateway)")
    .option(
      "--host-time-zone <zone>",
      "the gateway host's IANA zone (e.g. Europe/London): the handshake writes its clock and long zone name; default New York, EST/EDT",
    )
    .option("--reject-short-options", "refuse SELL orders that would open a short option (error 201)")
    .option(
      "--market-data <kind>",
      "the account's market data: live (subscribed), delayed (354 for real time, delayed after reqMarketDataType 3), none (354, 10168)",
    )
    .option("--quiet", "do not log each request")
    .option(
      "--from-journal <file>",
      "serve a session captured with `journal live --capture` back at socket level (with --session)",
    )
    .option("--session <date>", "the captured session to serve, YYYY-MM-DD (with --from-journal)")
    .action(
      async (opts: {
        host: string;
        port: string;
        seed: string;
        start?: string;
        speed: string;
        scenario?: string;
        snapshotDelay?: string;
        account?: string;
        maxVersion?: string;
        hostTimeZone?: string;
        rejectShortOptions?: boolean;
        marketData?: string;
        quiet?: boolean;
        fromJournal?: string;
        session?: string;
      }) => {
        if (opts.fromJournal !== undefined || opts.session !== undefined) {
          await servePlayback(opts);
          return;
        }
        const port = Number(opts.port);
        const seed = Number(opts.seed);
        const speed = Number(opts.speed);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--port ${opts.port}: expected 0–65535`);
        if (!Number.isInteger(seed)) throw new UsageError(`--seed ${opts.seed}: expected an integer`);
        if (!(speed > 0)) throw new UsageError(`--speed ${opts.speed}: expected a positive number`);
        if (opts.account !== undefined && !/^[A-Z]{1,3}\d{4,9}$/.test(opts.account))
          throw new UsageError(
            `--account ${opts.account}: expected an IB account id such as U1234567 or DU1234567`,
          );
        const maxVersion = opts.maxVersion === undefined ? undefined : Number(opts.maxVersion);
        if (
          maxVersion !== undefined &&
          !(Number.isInteger(maxVersion) && maxVersion >= 157 && maxVersion <= 193)
        )
          throw new UsageError(`--max-version ${opts.maxVersion}: expected an integer from 157 to 193`);
        if (opts.hostTimeZone !== undefined && !isKnownTimeZone(opts.hostTimeZone))
          throw new UsageError(
            `--host-time-zone ${opts.hostTimeZone}: expected an IANA time zone such as Europe/London or America/Chicago`,
          );
        let startMs: number | undefined;
        if (opts.start !== undefined) {
          const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(opts.start);
          if (!m)
            throw new UsageError(
              `--start ${opts.start}: expected New York time YYYY-MM-DDTHH:MM, e.g. 2026-02-04T09:30`,
            );
          startMs = newYorkTimeToMs(m[1]!, Number(m[2] ?? 9), Number(m[3] ?? 30));
        }
        let scenario: Partial<Scenario> = {};
        if (opts.scenario !== undefined) {
          try {
            scenario = loadScenario(opts.scenario);
          } catch (error) {
            throw new UsageError((error as Error).message);
          }
        }
        if (opts.snapshotDelay !== undefined)
          scenario = { ...scenario, snapshotDelayMs: Number(opts.snapshotDelay) };
        if (opts.rejectShortOptions) scenario = { ...scenario, rejectShortOptions: true };
        if (opts.marketData !== undefined) {
          if (opts.marketData !== "live" && opts.marketData !== "delayed" && opts.marketData !== "none")
            throw new UsageError(`--market-data ${opts.marketData}: expected live, delayed or none`);
          scenario = { ...scenario, marketData: opts.marketData };
        }
        const sim = await startSimulator({
          host: opts.host,
          port,
          seed,
          speed,
          scenario,
          ...(startMs === undefined ? {} : { startMs }),
          ...(opts.account === undefined ? {} : { account: opts.account }),
          ...(maxVersion === undefined ? {} : { maxServerVersion: maxVersion }),
          ...(opts.hostTimeZone === undefined ? {} : { hostTimeZone: opts.hostTimeZone }),
          log: opts.quiet
            ? () => {}
            : (line) => process.stderr.write(`${JSON.stringify({ simTimeMs: sim?.nowMs(), ...line })}\n`),
        });
        process.stdout.write(
          `sim listening on ${sim.host}:${sim.port} (account ${opts.account ?? SIMULATOR_ACCOUNT}, seed ${seed}, speed ${speed}, clock ${new Date(sim.nowMs()).toISOString()})\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        await sim.close();
        process.stdout.write(
          `sim stopped after ${sim.stats.requests} requests from ${sim.stats.connections} connections\n`,
        );
      },
    );
}
