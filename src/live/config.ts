/**
 * Live-mode configuration: a YAML file validated by zod, environment variables, then flags.
 * The gateway etiquette from alpha-learnings.md is enforced here as hard limits: a value past one
 * is refused with the limit and the reason the alpha learned it.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "../vendor/index.js";
import { AlertsConfigSchema, alertTargets, mergeWebhooks } from "./alert-config.js";
import { ConfigRefused } from "./config-refused.js";

/** The hard limits and why they exist (each cites what the alpha saw on the Pi). */
export const LIMITS = {
  minIntervalSeconds: {
    value: 300,
    reason:
      "alpha-learnings §2: at 180 s cycles the gateway throttled every request after 3 cycles and did not recover for 2+ hours; 300 s held",
  },
  minTimeoutSeconds: {
    value: 5,
    reason: "alpha-learnings §2: 3 s timeouts failed in snapshot mode; 5 s is the minimum that worked",
  },
  maxStrikes: {
    value: 5,
    reason: "alpha-learnings §1: more than 3–5 near-ATM strikes per symbol overflowed the gateway's buffer",
  },
  maxHistorySeconds: {
    value: 3600,
    reason: "alpha-learnings §2: requests over 1 hour RTH or 1000 bars timed out",
  },
  maxSymbols: {
    value: 3,
    reason: "alpha-learnings §1: more than 2–3 symbols degraded the Pi",
  },
  maxMessagesPerSecond: {
    value: 50,
    reason: "TWS-NOTES: the gateway disconnects a client that sends more than 50 messages a second",
  },
} as const;

export { ConfigRefused } from "./config-refused.js";

export const LiveConfigSchema = z
  .object({
    gateway: z
      .object({
        host: z.string().default("127.0.0.1"),
        port: z.number().int().min(1).max(65535).default(4002),
        /** Fixed client id; default: a fresh one per start from the counter file next to the journal. */
        clientId: z.number().int().min(0).optional(),
        connectTimeoutSeconds: z.number().positive().default(10),
        /**
         * The client's own pacing of what it sends (@stoqey/ib's rate limiter; its default is 40).
         * Above the gateway's 50 only against `journal sim`: a recording lifts it, so no message
         * waits on a real timer while the bot's clock is virtual.
         */
        maxMessagesPerSecond: z.number().int().min(1).max(1_000_000).default(40),
      })
      .strict()
      .default({ host: "127.0.0.1", port: 4002, connectTimeoutSeconds: 10, maxMessagesPerSecond: 40 }),
    symbols: z
      .array(z.string().regex(/^[A-Z.]{1,8}$/, "expected a ticker like SPY"))
      .min(1)
      .default(["SPY"]),
    intervalSeconds: z.number().positive().default(300),
    requestTimeoutSeconds: z.number().positive().default(8),
    strikes: z.number().int().positive().default(3),
    historySeconds: z.number().int().positive().default(3600),
    /** Pause between symbols (alpha: 200 ms between symbol processing). */
    symbolPauseMs: z.number().int().nonnegative().default(200),
    /**
     * Market data: `live` (real time only), `delayed` (reqMarketDataType 3: delayed where real time
     * is not subscribed), `auto` (real time, and delayed after the gateway says it is not
     * subscribed: 354, 10089, 10090, 10167, 10168). Quotes record what they are.
     */
    marketData: z.enum(["live", "delayed", "auto"]).default("auto"),
    /** Days to expiry at least (0 = same-day options allowed). */
    minDaysToExpiry: z.number().int().nonnegative().default(1),
    dryRun: z.boolean().default(true),
    /**
     * Real money: the account id that orders may go to. Without it, sending orders (`--paper`) is
     * allowed only to paper accounts (DU…) and never on a live-trading port (4001, 7496).
     */
    liveAccount: z
      .string()
      .regex(/^[A-Z]{1,3}\d{3,10}$/, "expected an IB account id like U1234567")
      .optional(),
    /** At the end of a session, wait this long for orders still working before closing anyway. */
    closeTimeoutSeconds: z.number().nonnegative().default(120),
    pacingBackoffSeconds: z.number().positive().default(60),
    maxBackoffSeconds: z.number().positive().default(900),
    risk: z
      .object({
        maxPositionPerContract: z.number().int().positive().default(5),
        maxOpenOrders: z.number().int().positive().default(3),
        dailyLossLimitUsd: z.number().positive().default(500),
        /** A SELL may open or grow a short option position only when this is true. */
        allowShortOptions: z.boolean().default(false),
        /** Orders on delayed or frozen quotes: refused unless true, and never true for a live account. */
        allowDelayedData: z.boolean().default(false),
        /**
         * Before an entry, a what-if order asks the gateway what it would do to the account's
         * margin; the entry is refused (rule initial-margin) when the initial margin would grow by
         * more than this, USD. Absent: no what-if is asked.
         */
        maxInitialMarginUsd: z.number().positive().optional(),
      })
      .strict()
      .default({
        maxPositionPerContract: 5,
        maxOpenOrders: 3,
        dailyLossLimitUsd: 500,
        allowShortOptions: false,
        allowDelayedData: false,
      }),
    health: z
      .object({ freeMemoryFloorMb: z.number().positive().default(1024) })
      .strict()
      .default({ freeMemoryFloorMb: 1024 }),
    strategy: z
      .object({
        name: z.string().default("trend-vwap"),
        params: z.record(z.string(), z.unknown()).default({}),
        /** Each evolve/decide call is stopped past this (a hang must not freeze the bot); 0: none. */
        deadlineMs: z.number().int().nonnegative().default(3000),
        /** After this many cycles in a row whose strategy failed (threw or hung), the session closes. */
        maxFailedCycles: z.number().int().positive().default(3),
      })
      .strict()
      .default({ name: "trend-vwap", params: {}, deadlineMs: 3000, maxFailedCycles: 3 }),
    logFile: z.string().default("logs/bot.log"),
    /** Record every TWS frame both ways in the journal (`wire_frames`); `journal live --capture`. */
    capture: z.boolean().default(false),
    /** Webhooks told when something needs a person (alert-config.ts); `journal live --alert-url`. */
    alerts: AlertsConfigSchema,
  })
  .strict();

export type LiveConfig = z.infer<typeof LiveConfigSchema>;

export interface LiveOverrides {
  host?: string;
  port?: number;
  clientId?: number;
  symbols?: string[];
  intervalSeconds?: number;
  paper?: boolean;
  liveAccount?: string;
  closeTimeoutSeconds?: number;
  capture?: boolean;
  marketData?: "live" | "delayed" | "auto";
  /** `--alert-url`, repeatable: added to the config's and ALERT_URLS' webhooks. */
  alertUrls?: string[];
}

/** Where the settings that choose the trading mode came from, journaled in `SessionOpened`. */
export interface ModeSources {
  /** `default`, `config FILE`, `env DRY_RUN`, `flag --paper` or `flag --live-account`. */
  readonly dryRun: string;
  /** Absent when no live account is named; else `config FILE`, `env IBKR_LIVE_ACCOUNT` or `flag --live-account`. */
  readonly liveAccount?: string;
}

/** A config with the provenance of its mode. */
export interface ResolvedLiveConfig {
  readonly config: LiveConfig;
  readonly sources: ModeSources;
}

/** `loadLiveConfig` without the provenance (tests and callers that do not journal a session). */
export function loadLiveConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv,
  overrides: LiveOverrides,
): LiveConfig {
  return resolveLiveConfig(file, env, overrides).config;
}

/**
 * Build the config. Precedence, lowest first: the YAML file, then the environment (IBKR_HOST,
 * IBKR_PORT, IBKR_CLIENT_ID, DRY_RUN, IBKR_LIVE_ACCOUNT), then flags. The mode never widens by
 * accident: `--paper` with a live account from any source is refused, naming both, before any
 * connection. Throws ConfigRefused naming the field and the problem.
 */
export function resolveLiveConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv,
  overrides: LiveOverrides,
): ResolvedLiveConfig {
  let raw: Record<string, unknown> = {};
  if (file !== undefined) {
    try {
      raw = (parseYaml(readFileSync(file, "utf8")) as Record<string, unknown> | null) ?? {};
    } catch (error) {
      throw new ConfigRefused(`config ${file}: ${(error as Error).message}`);
    }
  }
  const gateway = { ...((raw.gateway as Record<string, unknown> | undefined) ?? {}) };
  if (env.IBKR_HOST) gateway.host = env.IBKR_HOST;
  if (env.IBKR_PORT) gateway.port = Number(env.IBKR_PORT);
  if (env.IBKR_CLIENT_ID) gateway.clientId = Number(env.IBKR_CLIENT_ID);
  if (overrides.host !== undefined) gateway.host = overrides.host;
  if (overrides.port !== undefined) gateway.port = overrides.port;
  if (overrides.clientId !== undefined) gateway.clientId = overrides.clientId;
  const merged: Record<string, unknown> = { ...raw, gateway };
  const fromFile = `config ${file}`;
  let dryRunSource = raw.dryRun === undefined ? "default" : fromFile;
  let liveAccountSource = raw.liveAccount === undefined ? undefined : fromFile;
  if (env.DRY_RUN !== undefined) {
    merged.dryRun = !/^(0|false|no)$/i.test(env.DRY_RUN);
    dryRunSource = "env DRY_RUN";
  }
  if (overrides.symbols !== undefined) merged.symbols = overrides.symbols;
  if (overrides.intervalSeconds !== undefined) merged.intervalSeconds = overrides.intervalSeconds;
  if (env.IBKR_LIVE_ACCOUNT) {
    merged.liveAccount = env.IBKR_LIVE_ACCOUNT;
    liveAccountSource = "env IBKR_LIVE_ACCOUNT";
  }
  if (overrides.liveAccount !== undefined) {
    merged.liveAccount = overrides.liveAccount;
    merged.dryRun = false;
    dryRunSource = liveAccountSource = "flag --live-account";
  }
  if (overrides.paper) {
    // --paper asks for paper accounts only: a live account named anywhere contradicts it, and the
    // later setting must not silently turn a paper run into real money.
    if (merged.liveAccount !== undefined)
      throw new ConfigRefused(
        `--paper contradicts liveAccount ${String(merged.liveAccount)} (from ${liveAccountSource}): --paper sends orders to paper accounts only. Drop --paper to trade ${String(merged.liveAccount)} with real money, or remove the live account to trade paper; nothing was sent`,
      );
    merged.dryRun = false;
    dryRunSource = "flag --paper";
  }
  if (overrides.closeTimeoutSeconds !== undefined) merged.closeTimeoutSeconds = overrides.closeTimeoutSeconds;
  if (overrides.capture) merged.capture = true;
  if (overrides.marketData !== undefined) merged.marketData = overrides.marketData;
  const alerts = raw.alerts as Record<string, unknown> | undefined;
  const webhooks = mergeWebhooks(alerts?.webhooks, env.ALERT_URLS, overrides.alertUrls);
  if (webhooks !== undefined) merged.alerts = { ...(alerts ?? {}), webhooks };
  const parsed = LiveConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigRefused(
      `config${file ? ` ${file}` : ""}: field "${issue?.path.join(".")}" ${issue?.message}`,
    );
  }
  enforceLimits(parsed.data);
  // Each webhook is parsed now: a wrong one is refused before anything connects.
  alertTargets(parsed.data.alerts);
  const sources: ModeSources =
    parsed.data.liveAccount === undefined || parsed.data.dryRun
      ? { dryRun: dryRunSource }
      : { dryRun: dryRunSource, liveAccount: liveAccountSource ?? "default" };
  return { config: parsed.data, sources };
}

/** Refuse values past the hard limits (the interval is checked again once we know the gateway). */
export function enforceLimits(config: LiveConfig): void {
  const refuse = (what: string, limit: { value: number; reason: string }, cmp: string) => {
    throw new ConfigRefused(`${what} is ${cmp} the hard limit of ${limit.value}: ${limit.reason}`);
  };
  if (config.strikes > LIMITS.maxStrikes.value)
    refuse(`strikes ${config.strikes}`, LIMITS.maxStrikes, "over");
  if (config.requestTimeoutSeconds < LIMITS.minTimeoutSeconds.value)
    refuse(`requestTimeoutSeconds ${config.requestTimeoutSeconds}`, LIMITS.minTimeoutSeconds, "under");
  if (config.historySeconds > LIMITS.maxHistorySeconds.value)
    refuse(`historySeconds ${config.historySeconds}`, LIMITS.maxHistorySeconds, "over");
  if (config.symbols.length > LIMITS.maxSymbols.value)
    refuse(`${config.symbols.length} symbols`, LIMITS.maxSymbols, "over");
  // Real money never trades on 15-minute-old or frozen prices.
  if (config.risk.allowDelayedData && config.liveAccount !== undefined && !config.dryRun)
    throw new ConfigRefused(
      `risk.allowDelayedData: true is for paper accounts and dry runs only, and this run sends orders with real money to ${config.liveAccount}: remove risk.allowDelayedData, subscribe to real-time data, or trade paper (--paper)`,
    );
}

/**
 * Cycles under 300 s, and a client sending faster than the gateway's 50 messages a second, are
 * allowed only against the bundled simulator (its accounts start with SIM, which no IB account does).
 */
export function enforceInterval(config: LiveConfig, simulator: boolean): void {
  if (!simulator && config.intervalSeconds < LIMITS.minIntervalSeconds.value) {
    throw new ConfigRefused(
      `intervalSeconds ${config.intervalSeconds} is under the hard limit of ${LIMITS.minIntervalSeconds.value} against a real gateway: ${LIMITS.minIntervalSeconds.reason} (shorter cycles are allowed only against \`journal sim\`)`,
    );
  }
  const rate = config.gateway.maxMessagesPerSecond;
  if (!simulator && rate > LIMITS.maxMessagesPerSecond.value) {
    throw new ConfigRefused(
      `gateway.maxMessagesPerSecond ${rate} is over the hard limit of ${LIMITS.maxMessagesPerSecond.value} against a real gateway: ${LIMITS.maxMessagesPerSecond.reason} (a higher rate is allowed only against \`journal sim\`)`,
    );
  }
}

/** True when every managed account is a simulator account. */
export function isSimulatorAccounts(accounts: readonly string[]): boolean {
  return accounts.length > 0 && accounts.every((a) => a.startsWith("SIM"));
}

/** A stable hash of the config (no secrets are in it: credentials live in the gateway and the webhooks are left out). */
export function configHash(config: LiveConfig): string {
  // Capture and alerts change what is recorded and who is told, not what the bot does: not hashed
  // (and a webhook's URL is a secret).
  const { gateway, logFile: _logFile, capture: _capture, alerts: _alerts, ...rest } = config;
  return createHash("sha256")
    .update(JSON.stringify({ ...rest, gateway: { host: gateway.host, port: gateway.port } }))
    .digest("hex")
    .slice(0, 16);
}
