"""Drive ib_async against a running `journal sim` and check each answer's content.

Usage: PYTHONPATH=... python3 drive.py PORT [--debug]
Exit 0 if every step passed and the log holds no decode error.
"""

import asyncio
import logging
import math
import sys
import time
import traceback

from ib_async import (
    IB,
    Contract,
    ExecutionFilter,
    LimitOrder,
    MarketOrder,
    Option,
    Stock,
    StopLimitOrder,
    StopOrder,
    util,
)

PORT = int(sys.argv[1])
# a second simulator started with `--market-data delayed` (optional)
DELAYED_PORT = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else None
DEBUG = "--debug" in sys.argv

results: list[tuple[str, bool, str]] = []
bad_logs: list[str] = []
errors_seen: list[tuple[int, int, str]] = []


class Catch(logging.Handler):
    def emit(self, record):
        msg = record.getMessage()
        if record.levelno >= logging.WARNING or "Error handling fields" in msg or "Unknown" in msg:
            # ordinary IB error notices are logged at ERROR by ib_async's wrapper;
            # keep them apart from decode problems
            if record.name == "ib_async.wrapper" and msg.startswith("Error "):
                return
            if "Canceled order" in msg:
                return
            bad_logs.append(f"{record.levelname} {record.name}: {msg[:400]}")


if DEBUG:
    util.logToConsole(logging.DEBUG)
else:
    logging.getLogger().setLevel(logging.DEBUG)
logging.getLogger().addHandler(Catch())


def step(name, ok, detail=""):
    results.append((name, bool(ok), str(detail)[:300]))
    print(f"{'PASS' if ok else 'FAIL'} {name}: {str(detail)[:300]}", flush=True)


def finite(x):
    return x is not None and isinstance(x, (int, float)) and not math.isnan(x)


def bars_ok(bars):
    for b in bars:
        if not (b.low <= min(b.open, b.close) and max(b.open, b.close) <= b.high):
            return False
    return True


async def run_step(name, coro_fn, timeout=15):
    n_logs = len(bad_logs)
    try:
        ok, detail = await asyncio.wait_for(coro_fn(), timeout)
    except Exception as e:  # noqa: BLE001
        ok, detail = False, f"{type(e).__name__}: {e} {traceback.format_exc(limit=2)[-200:]}"
    new_logs = bad_logs[n_logs:]
    if new_logs:
        ok = False
        detail = f"{detail} | LOG: {' || '.join(new_logs)[:600]}"
    step(name, ok, detail)


async def main():
    ib = IB()
    # execution times come without a zone below server version 200: the gateway's (New York here)
    ib.TimezoneTWS = "US/Eastern"
    ib.errorEvent += lambda reqId, code, msg, c: errors_seen.append((reqId, code, msg))
    acct = {}
    ctx: dict = {}

    async def connect():
        await ib.connectAsync("127.0.0.1", PORT, clientId=11, timeout=10)
        return ib.isConnected() and ib.client.serverVersion() == 178, f"sv={ib.client.serverVersion()}"

    await run_step("connect clientId 11", connect)

    async def several():
        n0 = len(bad_logs)
        others = []
        for cid in (12, 13, 0):
            o = IB()
            await o.connectAsync("127.0.0.1", PORT, clientId=cid, timeout=10)
            others.append(o)
        ok = all(o.isConnected() for o in others)
        ids = [o.client._reqIdSeq for o in others]
        dup = IB()
        dup_errs = []
        dup.errorEvent += lambda reqId, code, msg, c: dup_errs.append((reqId, code))
        dup_err = None
        try:
            await dup.connectAsync("127.0.0.1", PORT, clientId=12, timeout=5)
        except Exception as e:  # noqa: BLE001
            dup_err = e
        for o in others:
            o.disconnect()
        dup.disconnect()
        # ib_async logs the close and then times out on a 326, as against a real gateway: not a defect
        del bad_logs[n0:]
        return ok and dup_err is not None and (-1, 326) in dup_errs, f"nextIds={ids} dup(12)->{type(dup_err).__name__} errors={dup_errs}"

    await run_step("connect several clientIds (+326 on a duplicate)", several, timeout=40)

    async def cur_time():
        t = await ib.reqCurrentTimeAsync()
        ctx["now"] = t
        return t.year >= 2025 and t.tzinfo is not None, t

    await run_step("reqCurrentTime", cur_time)

    async def managed():
        a = ib.managedAccounts()
        acct["id"] = a[0] if a else ""
        return len(a) == 1 and a[0].startswith(("SIM", "U", "DU")), a

    await run_step("managedAccounts", managed)

    spy = Stock("SPY", "SMART", "USD")

    async def qualify_stock():
        [c] = await ib.qualifyContractsAsync(spy)
        return c is not None and c.conId > 0 and c.primaryExchange, c

    await run_step("qualifyContracts stock", qualify_stock)

    async def details():
        ds = await ib.reqContractDetailsAsync(Stock("SPY", "SMART", "USD"))
        d = ds[0]
        ctx["rules"] = d.marketRuleIds
        ok = (
            len(ds) == 1
            and d.minTick == 0.01
            and d.timeZoneId
            and d.tradingHours
            and d.liquidHours
            and d.longName
            and d.marketRuleIds
            and d.contract.conId == spy.conId
        )
        return ok, f"{d.longName} tz={d.timeZoneId} minTick={d.minTick} rules={d.marketRuleIds} stockType={d.stockType} hours={d.liquidHours[:40]}"

    await run_step("reqContractDetails", details)

    async def secdef():
        ps = await ib.reqSecDefOptParamsAsync("SPY", "", "STK", spy.conId)
        smart = [p for p in ps if p.exchange == "SMART"]
        ok = smart and smart[0].expirations and smart[0].strikes and smart[0].multiplier == "100"
        if ok:
            ctx["chain"] = smart[0]
        return ok, [(p.exchange, p.tradingClass, p.multiplier, len(p.expirations), len(p.strikes)) for p in ps]

    await run_step("reqSecDefOptParams", secdef)

    async def pick_option():
        [tk] = await ib.reqTickersAsync(spy)
        px = tk.marketPrice()
        ch = ctx["chain"]
        exp = sorted(ch.expirations)[2]
        # the expiry's own strikes come from contract details without a strike
        ds = await ib.reqContractDetailsAsync(Option("SPY", exp, 0, "C", "SMART", tradingClass="SPY"))
        strikes = sorted({d.contract.strike for d in ds})
        k = min(strikes, key=lambda s: abs(s - px))
        opt = Option("SPY", exp, k, "C", "SMART", currency="USD")
        [q] = await ib.qualifyContractsAsync(opt)
        ctx["opt"] = q
        ctx["spy_px"] = px
        return q is not None and q.conId > 0 and q.localSymbol.startswith("SPY"), f"{len(ds)} details; {q}"

    await run_step("qualifyContracts option", pick_option)
    opt = ctx.get("opt")

    async def head_stock():
        t = await ib.reqHeadTimeStampAsync(spy, "TRADES", True, 1)
        return t is not None and t.year == 1993, t

    await run_step("reqHeadTimeStamp stock", head_stock)

    async def head_opt():
        t = await ib.reqHeadTimeStampAsync(opt, "MIDPOINT", True, 1)
        return t is not None and ctx["now"].replace(tzinfo=None) > t.replace(tzinfo=None) if hasattr(t, "year") else False, t

    await run_step("reqHeadTimeStamp option", head_opt)

    async def hist_3600():
        bars = await ib.reqHistoricalDataAsync(spy, "", "3600 S", "1 min", "TRADES", True, 1)
        ok = len(bars) > 0 and bars_ok(bars) and all(b.volume > 0 for b in bars)
        gaps = {(bars[i + 1].date - bars[i].date).total_seconds() for i in range(len(bars) - 1)}
        ok = ok and gaps <= {60.0} and bars[-1].date.tzinfo is not None
        return ok, f"{len(bars)} bars {bars[0].date if bars else ''} .. {bars[-1].date if bars else ''} gaps={gaps} last={bars[-1] if bars else ''}"

    await run_step("reqHistoricalData stock 3600 S 1 min TRADES RTH", hist_3600)

    async def hist_1d():
        bars = await ib.reqHistoricalDataAsync(spy, "", "1 D", "1 hour", "TRADES", True, 1)
        ok = len(bars) > 0 and bars_ok(bars)
        return ok, f"{len(bars)} bars {[str(b.date) for b in bars]}"

    await run_step("reqHistoricalData stock 1 D 1 hour", hist_1d)

    async def hist_daily():
        bars = await ib.reqHistoricalDataAsync(spy, "", "5 D", "1 day", "TRADES", True, 1)
        ok = len(bars) == 5 and bars_ok(bars) and all(type(b.date).__name__ == "date" for b in bars)
        return ok, f"{len(bars)} bars {[str(b.date) for b in bars]}"

    await run_step("reqHistoricalData stock 5 D 1 day", hist_daily)

    async def hist_end():
        import datetime as dt
        end = ctx["now"] - dt.timedelta(minutes=30)
        bars = await ib.reqHistoricalDataAsync(spy, end, "1800 S", "1 min", "TRADES", True, 1)
        last = bars[-1].date if bars else None
        ok = len(bars) == 30 and last is not None and 0 < (end - last).total_seconds() <= 120
        return ok, f"end={end} ({util.formatIBDatetime(end)}) {len(bars)} bars, last {last}"

    await run_step("reqHistoricalData stock with an endDateTime (ib_async's UTC form)", hist_end)

    async def hist_1d_daily():
        bars = await ib.reqHistoricalDataAsync(spy, "", "1 D", "1 day", "TRADES", True, 1)
        ok = len(bars) == 1 and bars_ok(bars) and str(bars[0].date) == str(ctx["now"].date())
        return ok, f"{len(bars)} bars {[str(b.date) for b in bars]}"

    await run_step("reqHistoricalData stock 1 D 1 day", hist_1d_daily)

    async def hist_epoch():
        bars = await ib.reqHistoricalDataAsync(spy, "", "1800 S", "5 mins", "MIDPOINT", True, 2)
        head = await ib.reqHeadTimeStampAsync(spy, "TRADES", True, 2)
        ok = len(bars) == 6 and all(b.date.tzinfo is not None for b in bars) and bars[0].date.minute % 5 == 0
        ok = ok and head.tzinfo is not None and head.year == 1993 and all(b.volume == -1 for b in bars)
        return ok, f"{len(bars)} bars {bars[0].date if bars else ''}..{bars[-1].date if bars else ''}; head {head!r}"

    await run_step("reqHistoricalData / reqHeadTimeStamp formatDate 2 (epoch)", hist_epoch)

    async def hist_opt_daily():
        bars = await ib.reqHistoricalDataAsync(opt, "", "5 D", "1 day", "TRADES", True, 1)
        ok = len(bars) == 5 and bars_ok(bars) and str(bars[-1].date) == str(ctx["now"].date())
        return ok, f"{[(str(b.date), b.close, b.volume) for b in bars]}"

    await run_step("reqHistoricalData option 5 D 1 day TRADES", hist_opt_daily)

    async def hist_opt_mid():
        bars = await ib.reqHistoricalDataAsync(opt, "", "3600 S", "1 min", "MIDPOINT", True, 1)
        ok = len(bars) > 0 and bars_ok(bars) and all(b.close > 0 for b in bars)
        return ok, f"{len(bars)} bars last={bars[-1] if bars else ''}"

    await run_step("reqHistoricalData option 1 min MIDPOINT", hist_opt_mid)

    async def hist_opt_trd():
        bars = await ib.reqHistoricalDataAsync(opt, "", "3600 S", "1 min", "TRADES", True, 1)
        ok = len(bars) > 0 and bars_ok(bars) and any(b.volume > 0 for b in bars)
        return ok, f"{len(bars)} bars, {sum(1 for b in bars if b.volume > 0)} with prints, last={bars[-1] if bars else ''}"

    await run_step("reqHistoricalData option 1 min TRADES", hist_opt_trd)

    async def snap_stock():
        minutes = await ib.reqHistoricalDataAsync(spy, "", "1 D", "1 min", "TRADES", False, 1)
        day_volume = sum(b.volume for b in minutes)
        [t] = await ib.reqTickersAsync(spy)
        ok = (
            finite(t.bid) and finite(t.ask) and t.bid < t.ask and finite(t.last)
            and t.bidSize > 0 and t.askSize > 0 and finite(t.close) and t.marketDataType == 1
            and finite(t.open) and finite(t.high) and finite(t.low) and t.low <= t.high
            # the day's volume so far (the bars from 04:00), not a constant
            and day_volume <= t.volume <= day_volume + 2 * max(b.volume for b in minutes[-3:])
        )
        return ok, f"bars' day volume={day_volume} bid={t.bid}x{t.bidSize} ask={t.ask}x{t.askSize} last={t.last} o/h/l/c={t.open}/{t.high}/{t.low}/{t.close} vol={t.volume} mdt={t.marketDataType} minTick={t.minTick}"

    await run_step("reqMktData snapshot stock", snap_stock)

    async def snap_opt():
        prints = [b for b in await ib.reqHistoricalDataAsync(opt, "", "1 D", "1 min", "TRADES", True, 1) if b.volume > 0]
        [t] = await ib.reqTickersAsync(opt)
        g = t.modelGreeks
        ok = (
            g is not None and 0 < g.delta < 1 and g.gamma > 0 and g.vega > 0 and g.theta < 0
            and 0 < g.impliedVol < 2 and abs(g.undPrice - ctx["spy_px"]) < 5
            and finite(t.bid) and finite(t.ask) and t.bid < t.ask and g.optPrice > 0
            and t.bidGreeks is not None and t.askGreeks is not None
            # last is a print (the latest, or one in the minute since), volume the day's prints
            and (t.last == prints[-1].close or t.volume > sum(b.volume for b in prints))
            and t.volume >= sum(b.volume for b in prints) > 0
        )
        return ok, f"last print={prints[-1].close} prints' volume={sum(b.volume for b in prints)} vol={t.volume} bid={t.bid} ask={t.ask} last={t.last} model={g}"

    await run_step("reqMktData snapshot option (modelGreeks)", snap_opt)

    async def streaming():
        t = ib.reqMktData(opt, "", False, False)
        for _ in range(60):
            if t.modelGreeks and t.modelGreeks.delta is not None and t.bid == t.bid:
                break
            await asyncio.sleep(0.05)
        first = (t.bid, t.ask, t.modelGreeks.undPrice if t.modelGreeks else None)
        s = ib.reqMktData(spy, "", False, False)
        await asyncio.sleep(0.5)
        spy_first = (s.bid, s.ask, s.volume)
        seen = []
        for _ in range(80):
            now_vals = (t.bid, t.ask, t.modelGreeks.undPrice if t.modelGreeks else None)
            if now_vals != first and (s.bid, s.ask, s.volume) != spy_first:
                seen.append(now_vals)
                break
            await asyncio.sleep(0.1)
        ib.cancelMktData(opt)
        ib.cancelMktData(spy)
        g = t.modelGreeks
        ok = g is not None and g.delta is not None and 0 < g.delta < 1 and finite(t.bid) and bool(seen)
        return ok, f"first={first} later={seen} spy {spy_first} -> {(s.bid, s.ask, s.volume)} model={g}"

    await run_step("reqMktData streaming option + cancelMktData", streaming)

    async def up_to_date():
        raw = []
        orig = ib.wrapper.historicalDataUpdate

        def spy_update(reqId, bar):
            raw.append((reqId, str(bar.date), bar.open, bar.high, bar.low, bar.close, bar.volume))
            orig(reqId, bar)

        ib.wrapper.historicalDataUpdate = spy_update
        bars = await ib.reqHistoricalDataAsync(spy, "", "1800 S", "1 min", "TRADES", True, 1, keepUpToDate=True)
        n0 = len(bars)
        last0 = bars[-1]
        got = []
        bars.updateEvent += lambda b, hasNew: got.append((hasNew, b[-1]))
        # ib_async drops an update equal to the last bar; a new one comes when the next minute completes
        for _ in range(750):
            if any(h for h, _ in got):
                break
            await asyncio.sleep(0.1)
        ib.cancelHistoricalData(bars)
        ib.wrapper.historicalDataUpdate = orig
        new = [b for h, b in got if h]
        ok = n0 > 0 and raw and new and (new[0].date - last0.date).total_seconds() == 60 and bars_ok(new)
        return ok, f"{n0} bars, raw updates {raw[:3]}, new bar {new[0] if new else None}"
    await run_step("reqHistoricalData keepUpToDate (the bar under way, then the next minute's)", up_to_date, timeout=90)

    async def delayed():
        [qqq] = await ib.qualifyContractsAsync(Stock("QQQ", "SMART", "USD"))
        ib.reqMarketDataType(3)
        [t] = await ib.reqTickersAsync(qqq)
        ib.reqMarketDataType(1)
        # a subscribed account asking for delayed gets real-time data (type 1), as IB answers
        return finite(t.bid) and finite(t.ask) and t.marketDataType in (1, 3), f"mdt={t.marketDataType} bid={t.bid} ask={t.ask}"

    await run_step("reqMarketDataType(3) snapshot (subscribed account)", delayed)

    async def delayed_account():
        d = IB()
        errs = []
        d.errorEvent += lambda reqId, code, msg, c: errs.append((reqId, code))
        await d.connectAsync("127.0.0.1", DELAYED_PORT, clientId=21, timeout=10)
        [s] = await d.qualifyContractsAsync(Stock("SPY", "SMART", "USD"))
        [t1] = await d.reqTickersAsync(s)
        d.reqMarketDataType(3)
        [t] = await d.reqTickersAsync(s)
        [o] = await d.qualifyContractsAsync(Option("SPY", ctx["opt"].lastTradeDateOrContractMonth, ctx["opt"].strike, "C", "SMART"))
        [to] = await d.reqTickersAsync(o)
        d.disconnect()
        codes = [c for _, c in errs]
        g = to.modelGreeks
        ok = (
            354 in codes and 10167 in codes and t.marketDataType == 3 and finite(t.bid) and finite(t.ask)
            and finite(t.last) and t.bidSize > 0 and g is not None and 0 < g.delta < 1 and to.marketDataType == 3
        )
        return ok, f"errors={errs} type1 bid={t1.bid}; type3 mdt={t.marketDataType} bid={t.bid}x{t.bidSize} ask={t.ask} last={t.last} close={t.close}; option mdt={to.marketDataType} greeks={g}"

    if DELAYED_PORT:
        await run_step("reqMarketDataType(3) delayed (account without subscription)", delayed_account, timeout=30)

    async def acct_summary():
        vals = await ib.accountSummaryAsync()
        tags = {v.tag: v for v in vals}
        nl = tags.get("NetLiquidation")
        ok = nl is not None and float(nl.value) > 0 and nl.currency == "USD" and "BuyingPower" in tags and nl.account == acct["id"]
        return ok, f"{len(vals)} values NetLiq={nl}"

    await run_step("accountSummary", acct_summary)

    async def acct_updates():
        vals = ib.accountValues()
        tags = {v.tag for v in vals}
        ok = "NetLiquidation" in tags and "CashBalance" in tags
        return ok, f"{len(vals)} values; portfolio={len(ib.portfolio())}"

    await run_step("reqAccountUpdates (at connect) accountValues", acct_updates)

    async def positions():
        ps = await ib.reqPositionsAsync()
        return isinstance(ps, list), f"{len(ps)} positions"

    await run_step("reqPositions", positions)

    multi: dict = {"rows": [], "end": False}
    orig_pm, orig_pme = ib.wrapper.positionMulti, ib.wrapper.positionMultiEnd

    def pm(reqId, account, modelCode, contract, pos, avgCost):
        multi["rows"].append((reqId, account, modelCode, contract.symbol, pos, avgCost))

    def pme(reqId):
        multi["end"] = reqId

    ib.wrapper.positionMulti, ib.wrapper.positionMultiEnd = pm, pme

    async def pos_multi(label):
        multi["rows"], multi["end"] = [], False
        rid = ib.client.getReqId()
        ib.client.reqPositionsMulti(rid, acct["id"], "")
        for _ in range(100):
            if multi["end"]:
                break
            await asyncio.sleep(0.05)
        ib.client.cancelPositionsMulti(rid)
        return multi["end"] == rid and all(r[0] == rid for r in multi["rows"]), f"{label}: {multi['rows']}"

    await run_step("reqPositionsMulti (empty book)", lambda: pos_multi("before"))

    # orders
    async def whatif():
        n_trades = len(ib.trades())
        st = await ib.whatIfOrderAsync(spy, MarketOrder("BUY", 10))
        await asyncio.sleep(0.5)
        ok = (
            st is not None and st.initMarginChange and float(st.initMarginChange) > 0
            and len(ib.trades()) == n_trades and not ib.positions() and not ib.fills()
        )
        return ok, f"initMarginChange={getattr(st, 'initMarginChange', None)} commission={getattr(st, 'commission', None)} status={getattr(st, 'status', None)} trades={len(ib.trades())}"

    await run_step("whatIfOrder (does not execute)", whatif)

    px = ctx["spy_px"]

    async def lmt():
        tr = ib.placeOrder(spy, LimitOrder("BUY", 5, round(px * 0.9, 2), tif="DAY"))
        for _ in range(40):
            if tr.orderStatus.status == "Submitted":
                break
            await asyncio.sleep(0.05)
        ctx["lmt"] = tr
        return tr.orderStatus.status == "Submitted" and tr.order.permId > 0 and not tr.fills, f"{tr.orderStatus.status} permId={tr.order.permId}"

    await run_step("placeOrder LMT (resting)", lmt)

    async def mkt():
        tr = ib.placeOrder(spy, MarketOrder("BUY", 10, tif="DAY"))
        for _ in range(100):
            if tr.isDone() and tr.fills and all(f.commissionReport.execId for f in tr.fills):
                break
            await asyncio.sleep(0.05)
        f = tr.fills
        ok = (
            tr.orderStatus.status == "Filled" and tr.orderStatus.filled == 10
            and sum(x.execution.shares for x in f) == 10
            and all(x.commissionReport.commission > 0 for x in f)
        )
        return ok, f"{tr.orderStatus.status} filled={tr.orderStatus.filled} avg={tr.orderStatus.avgFillPrice} fills={[(x.execution.shares, x.execution.price, x.commissionReport.commission) for x in f]}"

    await run_step("placeOrder MKT (fills, commissions)", mkt)

    async def stp():
        tr = ib.placeOrder(spy, StopOrder("BUY", 1, round(px * 1.2, 2), tif="DAY"))
        tr2 = ib.placeOrder(spy, StopLimitOrder("SELL", 1, round(px * 0.8, 2), round(px * 0.8, 2), tif="DAY"))
        await asyncio.sleep(0.6)
        ctx["stp"] = (tr, tr2)
        ok = tr.orderStatus.status == "PreSubmitted" and tr2.orderStatus.status == "PreSubmitted"
        return ok, f"STP {tr.orderStatus.status} STP LMT {tr2.orderStatus.status}"

    await run_step("placeOrder STP and STP LMT (held)", stp)

    async def bracket():
        br = ib.bracketOrder("BUY", 2, round(px * 0.95, 2), round(px * 1.1, 2), round(px * 0.9, 2))
        trs = [ib.placeOrder(spy, o) for o in br]
        await asyncio.sleep(0.6)
        st = [t.orderStatus.status for t in trs]
        ok = st[0] == "Submitted" and st[1] == "PreSubmitted" and st[2] == "PreSubmitted" and trs[1].order.parentId == trs[0].order.orderId
        ctx["bracket"] = trs
        return ok, f"{st}"

    await run_step("placeOrder bracket", bracket)

    async def open_orders():
        oo = await ib.reqOpenOrdersAsync()
        ao = await ib.reqAllOpenOrdersAsync()
        ids = sorted(t.order.orderId for t in oo)
        want = sorted([ctx["lmt"].order.orderId] + [t.order.orderId for t in ctx["stp"]] + [t.order.orderId for t in ctx["bracket"]])
        return ids == want and len(ao) >= len(oo), f"open={ids} want={want} all={len(ao)}"

    await run_step("reqOpenOrders / reqAllOpenOrders", open_orders)

    async def executions():
        fills = await ib.reqExecutionsAsync(ExecutionFilter())
        # ib_async hands back fresh Fill objects for executions it already knows; their commission
        # reports land on ib.fills()
        known = {f.execution.execId: f for f in ib.fills()}
        now = await ib.reqCurrentTimeAsync()
        ok = (
            fills and all(known[f.execution.execId].commissionReport.commission > 0 for f in fills)
            and all(f.execution.side == "BOT" for f in fills)
            and all(abs((now - f.execution.time).total_seconds()) < 120 for f in fills)
        )
        return ok, f"{len(fills)} fills {[(f.execution.execId, f.execution.shares, f.execution.time) for f in fills][:3]}"

    await run_step("reqExecutions", executions)

    async def cancel():
        tr = ctx["lmt"]
        ib.cancelOrder(tr.order)
        for _ in range(40):
            if tr.orderStatus.status == "Cancelled":
                break
            await asyncio.sleep(0.05)
        return tr.orderStatus.status == "Cancelled", tr.orderStatus.status

    await run_step("cancelOrder", cancel)

    async def completed():
        co = await ib.reqCompletedOrdersAsync(False)
        sts = [(t.order.orderId, t.orderStatus.status) for t in co]
        ok = any(s == "Filled" for _, s in sts) and any(s == "Cancelled" for _, s in sts)
        return ok, sts

    await run_step("reqCompletedOrders", completed)

    async def portfolio():
        await asyncio.sleep(0.3)
        pf = ib.portfolio()
        ps = ib.positions()
        fills = [f for f in ib.fills() if f.contract.symbol == "SPY"]
        basis = sum(f.execution.shares * f.execution.price + f.commissionReport.commission for f in fills) / 10
        ok = (
            any(p.contract.symbol == "SPY" and p.position == 10 and p.marketValue > 0 and abs(p.averageCost - basis) < 1e-6 for p in pf)
            and any(p.position == 10 and abs(p.avgCost - basis) < 1e-6 for p in ps)
        )
        return ok, f"portfolio={[(p.contract.symbol, p.position, p.marketPrice, p.marketValue, p.averageCost) for p in pf]} positions={[(p.contract.symbol, p.position) for p in ps]}"

    await run_step("portfolio / positions after the fill", portfolio)

    async def after_multi():
        ok, d = await pos_multi("after")
        return ok and any(r[3] == "SPY" and r[4] == 10 for r in multi["rows"]), d

    await run_step("reqPositionsMulti (after the fill)", after_multi)

    async def pnl():
        p = ib.reqPnL(acct["id"])
        s = ib.reqPnLSingle(acct["id"], "", spy.conId)
        for _ in range(60):
            if finite(p.dailyPnL) and finite(s.unrealizedPnL):
                break
            await asyncio.sleep(0.05)
        ib.cancelPnL(acct["id"])
        ib.cancelPnLSingle(acct["id"], "", spy.conId)
        ok = finite(p.dailyPnL) and finite(p.unrealizedPnL) and s.position == 10 and finite(s.value) and s.value > 0
        return ok, f"pnl={p} single={s}"

    await run_step("reqPnL / reqPnLSingle", pnl)

    async def matching():
        ds = await ib.reqMatchingSymbolsAsync("SP")
        syms = [d.contract.symbol for d in ds or []]
        return "SPY" in syms, syms

    await run_step("reqMatchingSymbols", matching)

    async def rule():
        rid = int(str(ctx["rules"]).split(",")[0])
        r = await ib.reqMarketRuleAsync(rid)
        return r and r[0].increment == 0.01, f"{rid}: {r}"

    await run_step("reqMarketRule", rule)

    async def user_info():
        u = await ib.reqUserInfoAsync()
        return u is not None, repr(u)

    await run_step("reqUserInfo", user_info)

    async def news():
        ps = await ib.reqNewsProvidersAsync()
        return ps and all(p.code for p in ps), ps

    await run_step("reqNewsProviders", news)

    async def unserved():
        n = len(errors_seen)
        t0 = time.monotonic()
        r = await ib.reqFundamentalDataAsync(spy, "ReportSnapshot")
        t1 = time.monotonic()
        ticks = await ib.reqHistoricalTicksAsync(spy, "", ctx["now"], 10, "TRADES", True)
        t2 = time.monotonic()
        errs = errors_seen[n:]
        ok = not r and t1 - t0 < 3 and t2 - t1 < 3 and len(errs) >= 2 and all(e[0] > 0 for e in errs)
        return ok, f"fundamental={r!r} ({t1 - t0:.2f}s) ticks={ticks!r} ({t2 - t1:.2f}s) errors={errs}"

    await run_step("unserved requests (error on own id, no hang)", unserved)

    async def disconnect():
        ib.disconnect()
        await asyncio.sleep(0.2)
        return not ib.isConnected(), "disconnected"

    await run_step("disconnect", disconnect)

    print("\n==== summary ====")
    for name, ok, _ in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    if bad_logs:
        print("\n==== warnings / decode errors in the log ====")
        for b in bad_logs:
            print(b)
    print(f"\nerrors seen: {errors_seen}")
    fails = sum(1 for _, ok, _ in results if not ok)
    print(f"\n{len(results) - fails}/{len(results)} passed")
    return 1 if fails or bad_logs else 0


sys.exit(asyncio.run(main()))
