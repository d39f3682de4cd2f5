/**
 * Connection supervision: where the bot connects, reconnects and learns who is on the other end.
 *
 * - A port probe comes first (alpha: wait for 4002 to listen before any call). While nothing
 *   listens the bot says so within seconds and keeps waiting with backoff, without using client ids.
 * - A fresh clientId for every connection actually made (alpha: reusing one after a crash gave 326).
 * - 1100 (connectivity lost) and 1101/1102 (restored) are tracked so a cycle can skip trading.
 */
import type { Logger } from "pino";
import type { ClientIdAllocator } from "./client-id.js";
import { isSimulatorAccounts, type LiveConfig } from "./config.js";
import { GatewayClient, type GatewayNotice, type OrderEvents } from "./gateway.js";
import { probePort } from "./health.js";
import { PeerNotTws, probeTws } from "./tws-probe.js";

/** `stop()` came before any gateway answered: nothing was journaled. */
export class ConnectAborted extends Error {
  readonly code = "CONNECT_ABORTED";
}

export interface ConnectionListener {
  notice(notice: GatewayNotice): void;
  disconnected(reason: string): void;
  readonly orders: OrderEvents;
}

/** How many handshakes may fail in a row (326, timeouts) before the bot gives up. */
const MAX_HANDSHAKE_FAILURES = 9;

/** A gateway answers the hello at once; a peer silent this long is treated as not ready yet. */
const PROBE_TIMEOUT_MS = 3000;

/** `work`, unless `stopping()` comes first (polled): a stop never waits out a handshake's timeout. */
function unlessStopped<T>(work: Promise<T>, stopping: () => boolean, abort: () => Error): Promise<T> {
  let poll: NodeJS.Timeout | undefined;
  const stopped = new Promise<never>((_, reject) => {
    poll = setInterval(() => {
      if (stopping()) reject(abort());
    }, 100);
  });
  return Promise.race([work, stopped]).finally(() => clearInterval(poll));
}

export class GatewayConnection {
  gateway: GatewayClient | null = null;
  clientId = -1;
  accounts: string[] = [];
  simulator = false;
  serverVersion = 0;
  /** Connections attempted so far (journaled with GatewayConnected). */
  attempts = 0;
  /** 1100 seen and no 1101/1102 since. */
  connectivityLost = false;
  private usedIds = 0;
  /** Where the client connects instead of the gateway (the wire tap relays to it); null: direct. */
  via: { host: string; port: number } | null = null;

  constructor(
    private readonly config: LiveConfig,
    private readonly clientIds: ClientIdAllocator,
    private readonly logger: Logger,
    private readonly listener: ConnectionListener,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly stopping: () => boolean,
    private readonly random: () => number = Math.random,
  ) {}

  get isConnected(): boolean {
    return this.gateway?.isConnected ?? false;
  }

  /** Connect (or reconnect); resolves with the gateway's clock, epoch ms. */
  async connect(): Promise<number> {
    const { host, port } = this.config.gateway;
    let handshakeFailures = 0;
    let waitingSince: number | null = null;
    for (let attempt = 0; !this.stopping(); attempt++) {
      const backoff = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)) * (0.5 + this.random() / 2);
      if ((await probePort(host, port)) === null) {
        if (waitingSince === null || attempt % 5 === 0) {
          const message = `nothing listens on ${host}:${port} — start IB Gateway (or \`journal sim\`); retrying`;
          this.logger.warn({ host, port, attempt }, message);
          if (waitingSince === null) process.stderr.write(`${message}\n`);
        }
        waitingSince ??= performance.now();
        await this.sleep(backoff);
        continue;
      }
      // A port that answers something other than TWS is a wrong port, not a gateway still starting.
      const aborted = () => new ConnectAborted(`stopped before the gateway at ${host}:${port} answered`);
      const probe = await unlessStopped(probeTws(host, port, PROBE_TIMEOUT_MS), this.stopping, aborted);
      if (probe.kind === "not-tws") throw new PeerNotTws(host, port, probe.detail);
      if (this.stopping()) break;
      this.clientId = this.nextClientId();
      this.attempts += 1;
      const gateway = new GatewayClient(
        this.via?.host ?? host,
        this.via?.port ?? port,
        (notice) => this.onNotice(notice),
        (reason) => this.listener.disconnected(reason),
        this.listener.orders,
        this.config.gateway.maxMessagesPerSecond,
      );
      try {
        const info = await unlessStopped(
          gateway.connect(this.clientId, this.config.gateway.connectTimeoutSeconds * 1000),
          this.stopping,
          aborted,
        );
        this.gateway = gateway;
        this.accounts = info.accounts;
        this.serverVersion = info.serverVersion;
        this.simulator = isSimulatorAccounts(info.accounts);
        const gatewayMs = await gateway.currentTimeMs(this.config.requestTimeoutSeconds * 1000);
        this.logger.info(
          { clientId: this.clientId, accounts: info.accounts.join(","), simulator: this.simulator },
          "connected to the gateway",
        );
        return gatewayMs;
      } catch (error) {
        gateway.disconnect();
        if (error instanceof ConnectAborted) throw error;
        handshakeFailures += 1;
        this.logger.warn(
          { clientId: this.clientId, attempt, err: (error as Error).message, retryInMs: Math.round(backoff) },
          "could not connect",
        );
        if (handshakeFailures >= MAX_HANDSHAKE_FAILURES)
          throw new Error(
            `could not connect to the gateway at ${host}:${port} after ${handshakeFailures} handshakes: ${(error as Error).message} — is another client using the API, or is the gateway still logging in?`,
          );
        await this.sleep(backoff);
      }
    }
    throw new ConnectAborted(`stopped before the gateway at ${host}:${port} answered`);
  }

  disconnect(): void {
    this.gateway?.disconnect();
  }

  /** The configured id for the first connection, then a fresh one per connection made. */
  private nextClientId(): number {
    const fixed = this.config.gateway.clientId;
    this.usedIds += 1;
    return fixed !== undefined && this.usedIds === 1 ? fixed : this.clientIds.next();
  }

  private onNotice(notice: GatewayNotice): void {
    if (notice.code === 1100) this.connectivityLost = true;
    if (notice.code === 1101 || notice.code === 1102) this.connectivityLost = false;
    this.listener.notice(notice);
  }
}
