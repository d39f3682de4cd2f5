/**
 * The account as IB reports it: the full account-summary tag set (margin, funds, cushion,
 * leverage, day trades) and the account-update keys with their `BASE` and `USD` ledger rows, all
 * derived from the book's cash and marks under Reg T rules, so that the figures agree with each
 * other (NetLiquidation = cash + positions, AvailableFunds = EquityWithLoan − InitMargin, …).
 */
import { asOption, type Holding } from "../book/index.js";
import type { SimContext } from "./session.js";

/** A key (tag), its value as text, and its currency ("" for the unitless ones). */
export type AccountRow = readonly [key: string, value: string, currency: string];

const money = (x: number) => x.toFixed(2);
const ratio = (x: number) => String(Math.round(x * 1e6) / 1e6);

/** Reg T: stock margin 50 % initial, 25 % maintenance; long options are paid in full. */
const STOCK_INIT = 0.5;
const STOCK_MAINT = 0.25;
/** Pattern-day-trader rule: below this net liquidation an account has three day trades left. */
const PDT_MINIMUM_USD = 25_000;

export interface AccountFigures {
  cash: number;
  stockValue: number;
  optionValue: number;
  netLiquidation: number;
  grossPosition: number;
  equityWithLoan: number;
  initMargin: number;
  maintMargin: number;
  unrealizedPnl: number;
  realizedPnl: number;
}

/** A short option's requirement: premium + max(20 % of the underlying − out-of-the-money amount, 10 %). */
function shortOptionMargin(ctx: SimContext, h: Holding, nowMs: number, mark: number): number {
  const option = asOption(h.contract);
  const spot = ctx.market.priceAt(option.symbol, nowMs);
  const otm = Math.max(0, option.right === "C" ? option.strike - spot : spot - option.strike);
  const perShare = mark + Math.max(0.2 * spot - otm, 0.1 * spot);
  return perShare * Number(h.contract.multiplier || 100) * Math.abs(h.quantity);
}

/** The account's figures at `nowMs`, from the book. */
export function accountFigures(ctx: SimContext): AccountFigures {
  const now = ctx.nowMs();
  const s = ctx.book.summary(now);
  let stockValue = 0;
  let optionValue = 0;
  let grossPosition = 0;
  let initMargin = 0;
  let maintMargin = 0;
  for (const h of ctx.book.holdings.values()) {
    if (h.quantity === 0) continue;
    const mark = ctx.book.mark(h.contract, now);
    const isOption = h.contract.secType === "OPT";
    const value = mark * (isOption ? Number(h.contract.multiplier || 100) : 1) * h.quantity;
    grossPosition += Math.abs(value);
    if (!isOption) {
      stockValue += value;
      initMargin += STOCK_INIT * Math.abs(value);
      maintMargin += STOCK_MAINT * Math.abs(value);
      continue;
    }
    optionValue += value;
    if (h.quantity < 0) {
      const required = shortOptionMargin(ctx, h, now, mark);
      initMargin += required;
      maintMargin += required;
    }
  }
  return {
    cash: s.cashUsd,
    stockValue,
    optionValue,
    netLiquidation: s.netLiquidationUsd,
    grossPosition,
    // Options do not count as loan value: cash and stock only.
    equityWithLoan: s.cashUsd + stockValue,
    initMargin,
    maintMargin,
    unrealizedPnl: s.unrealizedPnlUsd,
    realizedPnl: s.realizedPnlUsd,
  };
}

/** The account-summary tags (`AccountSummaryTags.AllTags`), in IB's order. */
export function summaryRows(ctx: SimContext, f: AccountFigures = accountFigures(ctx)): AccountRow[] {
  const available = f.equityWithLoan - f.initMargin;
  const excess = f.equityWithLoan - f.maintMargin;
  const usd = (key: string, x: number): AccountRow => [key, money(x), "USD"];
  return [
    ["AccountType", "INDIVIDUAL", ""],
    usd("NetLiquidation", f.netLiquidation),
    usd("TotalCashValue", f.cash),
    usd("SettledCash", f.cash),
    usd("AccruedCash", 0),
    // Intraday, a margin account buys four times its available funds.
    usd("BuyingPower", Math.max(0, available) * 4),
    usd("EquityWithLoanValue", f.equityWithLoan),
    usd("PreviousDayEquityWithLoanValue", f.equityWithLoan),
    usd("GrossPositionValue", f.grossPosition),
    usd("RegTEquity", f.equityWithLoan),
    usd("RegTMargin", f.initMargin),
    usd("SMA", Math.max(0, f.equityWithLoan - f.initMargin)),
    usd("InitMarginReq", f.initMargin),
    usd("MaintMarginReq", f.maintMargin),
    usd("AvailableFunds", available),
    usd("ExcessLiquidity", excess),
    ["Cushion", ratio(f.netLiquidation > 0 ? excess / f.netLiquidation : 0), ""],
    usd("FullInitMarginReq", f.initMargin),
    usd("FullMaintMarginReq", f.maintMargin),
    usd("FullAvailableFunds", available),
    usd("FullExcessLiquidity", excess),
    ["LookAheadNextChange", "0", ""],
    usd("LookAheadInitMarginReq", f.initMargin),
    usd("LookAheadMaintMarginReq", f.maintMargin),
    usd("LookAheadAvailableFunds", available),
    usd("LookAheadExcessLiquidity", excess),
    ["HighestSeverity", "0", ""],
    ["DayTradesRemaining", f.netLiquidation >= PDT_MINIMUM_USD ? "-1" : "3", ""],
    ["Leverage", ratio(f.netLiquidation > 0 ? f.grossPosition / f.netLiquidation : 0), ""],
  ];
}

/** The cash ledger of one currency (`$LEDGER` tags): `BASE` is the account's base, USD here. */
export function ledgerRows(f: AccountFigures, currency: "BASE" | "USD"): AccountRow[] {
  const row = (key: string, x: number): AccountRow => [key, money(x), currency];
  return [
    ["Currency", currency, currency],
    row("CashBalance", f.cash),
    row("TotalCashBalance", f.cash),
    row("AccruedCash", 0),
    row("StockMarketValue", f.stockValue),
    row("OptionMarketValue", f.optionValue),
    row("FutureOptionValue", 0),
    row("FuturesPNL", 0),
    row("NetLiquidationByCurrency", f.netLiquidation),
    row("UnrealizedPnL", f.unrealizedPnl),
    row("RealizedPnL", f.realizedPnl),
    ["ExchangeRate", "1.00", currency],
    row("FundValue", 0),
    row("NetDividend", 0),
    row("MutualFundValue", 0),
    row("MoneyMarketFundValue", 0),
    row("CorporateBondValue", 0),
    row("TBondValue", 0),
    row("TBillValue", 0),
    row("WarrantValue", 0),
    ["RealCurrency", "USD", currency],
  ];
}

/** What an account update (reqAccountUpdates, reqAccountUpdatesMulti) carries: the summary, then the ledgers. */
export function updateRows(ctx: SimContext): AccountRow[] {
  const f = accountFigures(ctx);
  return [
    ["AccountCode", ctx.account, ""],
    ["AccountReady", "true", ""],
    ...summaryRows(ctx, f),
    ...ledgerRows(f, "BASE"),
    ...ledgerRows(f, "USD"),
  ];
}

/** The rows an account-summary request's tag list asks for (`All`, names, `$LEDGER[:CUR|:ALL]`). */
export function requestedSummary(ctx: SimContext, tags: string): AccountRow[] {
  const wanted = new Set(
    tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  );
  const f = accountFigures(ctx);
  const all = wanted.has("All") || wanted.size === 0;
  const rows = summaryRows(ctx, f).filter(([tag]) => all || wanted.has(tag));
  if (wanted.has("$LEDGER") || wanted.has("$LEDGER:ALL")) rows.push(...ledgerRows(f, "BASE"));
  if (wanted.has("$LEDGER:USD") || wanted.has("$LEDGER:ALL")) rows.push(...ledgerRows(f, "USD"));
  return rows;
}
