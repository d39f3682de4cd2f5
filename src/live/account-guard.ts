/**
 * The account guard: orders go only to an account the mode allows. Pure rules, checked twice —
 * before connecting (the port) and right after (the managed accounts) — and both before anything
 * is journaled or sent, so a refused start leaves the journal and the account as they were.
 */
import { ConfigRefused } from "./config.js";

export type TradingMode = "dry-run" | "paper" | "live";

/** IB Gateway's and TWS's live-trading ports: real money answers there. */
export const LIVE_TRADING_PORTS: ReadonlySet<number> = new Set([4001, 7496]);

/** IB paper accounts start with DU; the bundled simulator's with SIM. */
export function isPaperAccount(account: string): boolean {
  return /^(DU|SIM)/.test(account);
}

/** The mode the flags ask for: dry run unless orders are sent; real money only with an account named. */
export function tradingMode(dryRun: boolean, liveAccount: string | undefined): TradingMode {
  if (dryRun) return "dry-run";
  return liveAccount === undefined ? "paper" : "live";
}

/** Before connecting: paper mode never talks to a live-trading port. */
export function guardPort(mode: TradingMode, port: number): void {
  if (mode === "paper" && LIVE_TRADING_PORTS.has(port))
    throw new ConfigRefused(
      `port ${port} is a live-trading port and --paper sends orders: use the paper gateway (4002, or TWS 7497), or trade real money explicitly with --live-account ACCOUNT_ID`,
    );
}

/** After connecting: every account must fit the mode. Returns the account orders go to. */
export function guardAccounts(
  mode: TradingMode,
  accounts: readonly string[],
  liveAccount: string | undefined,
): string {
  if (accounts.length === 0)
    throw new ConfigRefused("the gateway reported no managed account; nothing was sent");
  if (mode === "paper") {
    const real = accounts.filter((a) => !isPaperAccount(a));
    if (real.length > 0)
      throw new ConfigRefused(
        `--paper refused: the gateway's account ${real.join(", ")} is not a paper account (paper accounts start with DU); nothing was sent. To trade it with real money pass --live-account ${real[0]}`,
      );
    return accounts[0]!;
  }
  if (mode === "live") {
    if (!accounts.includes(liveAccount!))
      throw new ConfigRefused(
        `--live-account ${liveAccount} refused: the gateway is logged in to ${accounts.join(", ")}; nothing was sent. Check the account id, or log the gateway in to ${liveAccount}`,
      );
    return liveAccount!;
  }
  return accounts[0]!;
}
