/**
 * Post-mortem SQL views over the events table, created by the journal's migrations. Built-in
 * SQLite JSON functions only, so they work the same in the plain `sqlite3` shell.
 * Names and columns are documented in docs/sql.md.
 */
const ts = (col = "e.ts") => `strftime('%Y-%m-%dT%H:%M:%fZ', ${col} / 1000.0, 'unixepoch')`;

/**
 * New York wall time of an epoch-ms column, as `YYYY-MM-DD HH:MM:SS.SSS`. SQLite knows no time
 * zones, so the US rule is spelled out: daylight time from the second Sunday of March 07:00 UTC
 * (2:00 EST) to the first Sunday of November 06:00 UTC (2:00 EDT), UTC−4; else UTC−5.
 */
const ny = (col = "e.ts") => {
  const t = `${col} / 1000.0, 'unixepoch'`;
  const year = `strftime('%Y', ${t})`;
  return `strftime('%Y-%m-%d %H:%M:%f', ${t}, CASE WHEN datetime(${t}) >= datetime(${year} || '-03-01', 'weekday 0', '+7 days', '+7 hours') AND datetime(${t}) < datetime(${year} || '-11-01', 'weekday 0', '+6 hours') THEN '-4 hours' ELSE '-5 hours' END)`;
};

export const POSTMORTEM_VIEWS: readonly { name: string; sql: string }[] = [
  {
    name: "v_bars",
    sql: `CREATE VIEW v_bars AS
SELECT e.seq, e.stream, e.session, json_extract(e.payload, '$.contract.symbol') AS symbol,
       json_extract(b.value, '$.timeMs') AS bar_time_ms, ${ts("json_extract(b.value, '$.timeMs')")} AS bar_time_utc,
       ${ny("json_extract(b.value, '$.timeMs')")} AS bar_time_ny,
       json_extract(b.value, '$.openUsd') AS open_usd, json_extract(b.value, '$.highUsd') AS high_usd,
       json_extract(b.value, '$.lowUsd') AS low_usd, json_extract(b.value, '$.closeUsd') AS close_usd,
       json_extract(b.value, '$.volume') AS volume, json_extract(b.value, '$.vwapUsd') AS vwap_usd,
       json_extract(b.value, '$.count') AS trades
FROM events e, json_each(e.payload, '$.bars') b
WHERE e.type = 'BarsReceived'`,
  },
  {
    name: "v_quotes",
    sql: `CREATE VIEW v_quotes AS
SELECT e.seq, e.id, e.stream, e.session, e.ts, ${ts()} AS time_utc, ${ny()} AS time_ny,
       json_extract(e.payload, '$.contract.symbol') AS symbol, json_extract(e.payload, '$.contract.secType') AS sec_type,
       json_extract(e.payload, '$.contract.expiry') AS expiry, json_extract(e.payload, '$.contract.strike') AS strike,
       json_extract(e.payload, '$.contract.right') AS right,
       CASE json_extract(e.payload, '$.contract.secType') WHEN 'OPT' THEN
         json_extract(e.payload, '$.contract.symbol') || ' ' || json_extract(e.payload, '$.contract.expiry') || ' ' ||
         json_extract(e.payload, '$.contract.right') || ' ' || json_extract(e.payload, '$.contract.strike')
       ELSE json_extract(e.payload, '$.contract.symbol') END AS contract_key,
       json_extract(e.payload, '$.bidUsd') AS bid_usd, json_extract(e.payload, '$.askUsd') AS ask_usd,
       json_extract(e.payload, '$.lastUsd') AS last_usd, json_extract(e.payload, '$.bidSize') AS bid_size,
       json_extract(e.payload, '$.askSize') AS ask_size,
       json_extract(e.payload, '$.greeks.impliedVol') AS iv, json_extract(e.payload, '$.greeks.delta') AS delta,
       json_extract(e.payload, '$.greeks.gamma') AS gamma, json_extract(e.payload, '$.greeks.vega') AS vega,
       json_extract(e.payload, '$.greeks.theta') AS theta, json_extract(e.payload, '$.greeks.undPriceUsd') AS und_price_usd,
       json_extract(e.payload, '$.timing.latencyMs') AS latency_ms, json_extract(e.payload, '$.complete') AS complete,
       COALESCE(json_extract(e.payload, '$.marketData'), 'live') AS market_data
FROM events e WHERE e.type = 'QuoteSnapshot'`,
  },
  {
    name: "v_decisions",
    sql: `CREATE VIEW v_decisions AS
SELECT e.seq, e.id, e.stream, e.session, e.ts, ${ts()} AS time_utc, ${ny()} AS time_ny,
       json_extract(e.payload, '$.strategy.name') AS strategy, json_extract(e.payload, '$.strategy.version') AS strategy_version,
       json_extract(e.payload, '$.cycle') AS cycle, json_extract(e.payload, '$.symbol') AS symbol,
       json_extract(e.payload, '$.action') AS action, json_extract(e.payload, '$.reason') AS reason,
       json_array_length(e.payload, '$.intents') AS intents, json_array_length(e.payload, '$.saw') AS events_seen,
       json_extract(e.payload, '$.signals') AS signals
FROM events e WHERE e.type = 'DecisionMade'`,
  },
  {
    name: "v_fills",
    sql: `CREATE VIEW v_fills AS
SELECT f.seq, f.stream, f.session, f.ts, ${ts("f.ts")} AS time_utc, ${ny("f.ts")} AS time_ny, f.correlation AS decision_id,
       json_extract(f.payload, '$.orderId') AS order_id, json_extract(f.payload, '$.execId') AS exec_id,
       json_extract(f.payload, '$.contract.symbol') AS symbol,
       CASE json_extract(f.payload, '$.contract.secType') WHEN 'OPT' THEN
         json_extract(f.payload, '$.contract.symbol') || ' ' || json_extract(f.payload, '$.contract.expiry') || ' ' ||
         json_extract(f.payload, '$.contract.right') || ' ' || json_extract(f.payload, '$.contract.strike')
       ELSE json_extract(f.payload, '$.contract.symbol') END AS contract_key,
       json_extract(f.payload, '$.side') AS side, json_extract(f.payload, '$.quantity') AS quantity,
       json_extract(f.payload, '$.priceUsd') AS price_usd, COALESCE(json_extract(f.payload, '$.contract.multiplier'), 1) AS multiplier,
       json_extract(f.payload, '$.simulated') AS simulated,
       (SELECT json_extract(c.payload, '$.commissionUsd') FROM events c WHERE c.type = 'CommissionReported' AND c.stream = f.stream
          AND json_extract(c.payload, '$.execId') = json_extract(f.payload, '$.execId') LIMIT 1) AS commission_usd
FROM events f WHERE f.type = 'OrderFilled'`,
  },
  {
    name: "v_orders",
    sql: `CREATE VIEW v_orders AS
WITH intents AS (
  SELECT e.id, e.seq, e.stream, e.session, e.ts, e.correlation, json_extract(e.payload, '$.intent') AS intent,
         json_extract(e.payload, '$.dryRun') AS dry_run, NULL AS own_rule, NULL AS own_detail
  FROM events e WHERE e.type = 'OrderIntended'
  UNION ALL
  -- Refused before it became an intent (the risk rules answer the decision): still an order someone wanted.
  SELECT e.id, e.seq, e.stream, e.session, e.ts, e.correlation, json_extract(e.payload, '$.intent'), (1 = 0),
         json_extract(e.payload, '$.rule'), json_extract(e.payload, '$.detail')
  FROM events e WHERE e.type = 'OrderRefused'
    AND NOT EXISTS (SELECT 1 FROM events x WHERE x.id = e.causation AND x.type = 'OrderIntended')
), submitted AS (
  SELECT e.causation AS intent_id, json_extract(e.payload, '$.orderId') AS order_id, e.ts AS submitted_ts
  FROM events e WHERE e.type = 'OrderSubmitted'
)
SELECT i.id AS order_key, i.seq, i.stream, i.session, i.ts, ${ts("i.ts")} AS time_utc, ${ny("i.ts")} AS time_ny, i.correlation AS decision_id,
       json_extract(i.intent, '$.contract.symbol') AS symbol, json_extract(i.intent, '$.side') AS side,
       json_extract(i.intent, '$.quantity') AS quantity, json_extract(i.intent, '$.orderType') AS order_type,
       json_extract(i.intent, '$.purpose') AS purpose, i.dry_run, s.order_id, s.submitted_ts,
       COALESCE(i.own_rule, (SELECT json_extract(r.payload, '$.rule') FROM events r WHERE r.type = 'OrderRefused' AND r.causation = i.id LIMIT 1)) AS refused_rule,
       COALESCE(i.own_detail, (SELECT json_extract(r.payload, '$.detail') FROM events r WHERE r.type = 'OrderRefused' AND r.causation = i.id LIMIT 1)) AS refused_detail,
       (SELECT json_extract(x.payload, '$.status') FROM events x WHERE x.type = 'OrderStatusChanged' AND x.stream = i.stream
          AND json_extract(x.payload, '$.orderId') = s.order_id ORDER BY x.seq DESC LIMIT 1) AS last_status,
       (SELECT SUM(json_extract(f.payload, '$.quantity')) FROM events f WHERE f.type = 'OrderFilled' AND f.stream = i.stream AND f.causation IN (i.id, (SELECT e2.id FROM events e2 WHERE e2.type = 'OrderSubmitted' AND e2.causation = i.id))) AS filled_quantity,
       (SELECT SUM(json_extract(f.payload, '$.quantity') * json_extract(f.payload, '$.priceUsd')) / SUM(json_extract(f.payload, '$.quantity')) FROM events f WHERE f.type = 'OrderFilled' AND f.stream = i.stream AND f.causation IN (i.id, (SELECT e2.id FROM events e2 WHERE e2.type = 'OrderSubmitted' AND e2.causation = i.id))) AS avg_fill_price_usd,
       (SELECT MIN(f.ts) FROM events f WHERE f.type = 'OrderFilled' AND f.stream = i.stream AND f.causation IN (i.id, (SELECT e2.id FROM events e2 WHERE e2.type = 'OrderSubmitted' AND e2.causation = i.id))) AS first_fill_ts,
       CASE
         WHEN i.own_rule IS NOT NULL OR EXISTS (SELECT 1 FROM events r WHERE r.type = 'OrderRefused' AND r.causation = i.id) THEN 'refused'
         WHEN i.dry_run THEN 'dry-run'
         WHEN EXISTS (SELECT 1 FROM events c WHERE c.type = 'OrderCancelled' AND c.stream = i.stream AND json_extract(c.payload, '$.orderId') = s.order_id) THEN 'cancelled'
         WHEN EXISTS (SELECT 1 FROM events c WHERE c.type = 'OrderRejected' AND c.stream = i.stream AND json_extract(c.payload, '$.orderId') = s.order_id) THEN 'rejected'
         WHEN EXISTS (SELECT 1 FROM events f WHERE f.type = 'OrderFilled' AND f.stream = i.stream AND f.causation IN (i.id, (SELECT e2.id FROM events e2 WHERE e2.type = 'OrderSubmitted' AND e2.causation = i.id))) THEN 'filled'
         WHEN s.order_id IS NOT NULL THEN 'submitted'
         ELSE 'intended'
       END AS final_state
FROM intents i LEFT JOIN submitted s ON s.intent_id = i.id`,
  },
  {
    name: "notice_codes",
    sql: `CREATE VIEW notice_codes (code, meaning, what_to_do) AS VALUES
  (100, 'max message rate exceeded', 'slow down: the client sent more than 50 messages/s'),
  (101, 'max number of tickers reached', 'fewer concurrent market data lines'),
  (162, 'historical data pacing violation', 'back off; alpha: keep cycles >= 300 s and history <= 1 hour'),
  (200, 'no security definition found', 'check the contract (symbol, expiry, strike, right)'),
  (201, 'order rejected', 'read the reason; check permissions and buying power'),
  (202, 'order cancelled', 'expected after a cancel request'),
  (326, 'client id already in use', 'a stale session holds the id: start with a fresh client id'),
  (354, 'market data not subscribed', 'subscribe, or use delayed data'),
  (1100, 'connectivity between IB and the gateway lost', 'wait for 1101/1102; no trading meanwhile'),
  (1101, 'connectivity restored, data lost', 'resubscribe market data'),
  (1102, 'connectivity restored, data maintained', 'carry on'),
  (2100, 'unsubscribed / output exceeded limit', 'alpha: streaming subscriptions overflowed the buffer; use snapshots'),
  (2104, 'market data farm connection OK', 'informational'),
  (2106, 'historical data farm connection OK', 'informational'),
  (2158, 'sec-def data farm connection OK', 'informational'),
  (10089, 'market data needs an API subscription; delayed available', 'subscribe for the API, or run with marketData: auto or delayed'),
  (10090, 'part of the market data is not subscribed', 'subscribe, or run with marketData: auto or delayed'),
  (10148, 'order cannot be cancelled in its state', 'it was already filled or cancelled'),
  (10167, 'not subscribed: displaying delayed market data', 'expected with delayed data; orders on it are refused (risk.allowDelayedData)'),
  (10168, 'not subscribed and delayed data not enabled', 'subscribe to real-time data, or enable delayed data in Account Management'),
  (10197, 'no market data during competing live session', 'another session (TWS, mobile) holds live data: log it out')`,
  },
  {
    name: "v_notices",
    sql: `CREATE VIEW v_notices AS
SELECT e.seq, e.stream, e.session, e.ts, ${ts()} AS time_utc, ${ny()} AS time_ny, json_extract(e.payload, '$.code') AS code,
       json_extract(e.payload, '$.severity') AS severity, json_extract(e.payload, '$.reqId') AS req_id,
       json_extract(e.payload, '$.message') AS message, n.meaning, n.what_to_do
FROM events e LEFT JOIN notice_codes n ON n.code = json_extract(e.payload, '$.code')
WHERE e.type = 'GatewayNotice'`,
  },
  {
    name: "v_cycles",
    // A cycle's completion is the next CycleCompleted of its stream and session, if it carries the
    // same cycle number (a crash leaves a cycle without one). Found through the (type, seq) index
    // in one step, where matching cycle numbers in JSON compared every start with every completion
    // (post-mortem query #1 took 14 s on the two-day sample; now milliseconds). A cycle that failed
    // before it started (no connection, no clock) has only its CycleCompleted: it is listed too,
    // with no start. `degraded` is 1 when the cycle's inputs were stale, skipped or missing (the
    // reasons follow), 0 when fresh, NULL when unknown (cycles recorded before v2, or no decision).
    sql: `CREATE VIEW v_cycles AS
SELECT s.stream, s.session, json_extract(s.payload, '$.cycle') AS cycle, s.seq AS start_seq, s.ts AS start_ts,
       ${ts("s.ts")} AS start_utc, ${ny("s.ts")} AS start_ny, c.ts AS end_ts, json_extract(c.payload, '$.status') AS status,
       json_extract(c.payload, '$.durationMs') AS duration_ms, json_extract(c.payload, '$.requests') AS requests,
       json_extract(c.payload, '$.errors') AS errors, json_extract(c.payload, '$.timeouts') AS timeouts,
       json_extract(c.payload, '$.detail') AS detail, ${degraded("c")}
FROM events s LEFT JOIN events c ON c.seq = (
    SELECT n.seq FROM events n WHERE n.type = 'CycleCompleted' AND n.seq > s.seq
      AND n.stream = s.stream AND n.session = s.session ORDER BY n.seq LIMIT 1)
  AND json_extract(c.payload, '$.cycle') = json_extract(s.payload, '$.cycle')
WHERE s.type = 'CycleStarted'
UNION ALL
SELECT c.stream, c.session, json_extract(c.payload, '$.cycle') AS cycle, NULL AS start_seq, NULL AS start_ts,
       NULL AS start_utc, NULL AS start_ny, c.ts AS end_ts, json_extract(c.payload, '$.status') AS status,
       json_extract(c.payload, '$.durationMs') AS duration_ms, json_extract(c.payload, '$.requests') AS requests,
       json_extract(c.payload, '$.errors') AS errors, json_extract(c.payload, '$.timeouts') AS timeouts,
       json_extract(c.payload, '$.detail') AS detail, ${degraded("c")}
FROM events c
WHERE c.type = 'CycleCompleted' AND NOT EXISTS (
    SELECT 1 FROM events p WHERE p.seq = (
        SELECT n.seq FROM events n WHERE n.type = 'CycleStarted' AND n.seq < c.seq
          AND n.stream = c.stream AND n.session = c.session ORDER BY n.seq DESC LIMIT 1)
      AND json_extract(p.payload, '$.cycle') = json_extract(c.payload, '$.cycle'))`,
  },
  {
    name: "v_trades",
    // Round trips as the book's fold computed them (proj_trades, written with each append live, or
    // by `journal rebuild`): the same numbers as the report and the replay summary.
    sql: `CREATE VIEW v_trades AS
SELECT t.stream, t.session, t.contract_key, t.symbol, t.side, t.quantity,
       ${ny("t.entry_ts")} AS entry_ny, ${ny("t.exit_ts")} AS exit_ny,
       ${ts("t.entry_ts")} AS entry_utc, ${ts("t.exit_ts")} AS exit_utc,
       t.entry_price_usd, t.exit_price_usd, t.exit_reason, round(t.holding_ms / 60000.0, 1) AS holding_min,
       t.fees_usd, t.pnl_usd, t.r_multiple, t.risk_usd, t.mae_usd, t.mfe_usd, t.entry_slippage_usd, t.exit_slippage_usd,
       t.multiplier, t.entry_ts, t.exit_ts, t.opened_seq, t.closed_seq,
       t.delta_pnl_usd, t.gamma_pnl_usd, t.theta_pnl_usd, t.vega_pnl_usd, t.residual_pnl_usd
FROM proj_trades t`,
  },
  {
    name: "v_trade_tags",
    // One row per trade and tag (a tag given twice counts once), for slicing trades by tag.
    sql: `CREATE VIEW v_trade_tags AS
SELECT DISTINCT t.stream, t.session, t.opened_seq, t.closed_seq, t.contract_key, g.value AS tag
FROM proj_trades t
JOIN events n ON n.type = 'NoteAdded' AND n.session = t.session AND json_extract(n.payload, '$.stream') = t.stream
  AND json_extract(n.payload, '$.trade.openedSeq') = t.opened_seq AND json_extract(n.payload, '$.trade.closedSeq') = t.closed_seq,
  json_each(n.payload, '$.tags') g`,
  },
  {
    name: "v_trade_slices",
    // journal trades --by computes the same in src/projections/trade-slices.ts (a test holds them
    // equal); 20 is its MIN_TRADES_TO_JUDGE.
    sql: `CREATE VIEW v_trade_slices AS
WITH trades AS (
  SELECT t.*, ${ny("t.entry_ts")} AS entry_ny FROM proj_trades t
), sliced AS (
  SELECT stream, 'hour' AS dimension, substr(entry_ny, 12, 2) || ':00' AS slice, pnl_usd FROM trades
  UNION ALL
  SELECT stream, 'weekday', CASE CAST(strftime('%w', substr(entry_ny, 1, 10)) AS INTEGER)
           WHEN 0 THEN 'Sun' WHEN 1 THEN 'Mon' WHEN 2 THEN 'Tue' WHEN 3 THEN 'Wed' WHEN 4 THEN 'Thu'
           WHEN 5 THEN 'Fri' ELSE 'Sat' END, pnl_usd FROM trades
  UNION ALL
  SELECT stream, 'symbol', symbol, pnl_usd FROM trades
  UNION ALL
  SELECT stream, 'exit', exit_reason, pnl_usd FROM trades
  UNION ALL
  SELECT t.stream, 'tag', COALESCE(g.tag, '(untagged)'), t.pnl_usd FROM trades t
    LEFT JOIN v_trade_tags g ON g.stream = t.stream AND g.closed_seq = t.closed_seq AND g.contract_key = t.contract_key
)
SELECT stream, dimension, slice, COUNT(*) AS trades, SUM(pnl_usd > 0) AS wins,
       ROUND(AVG(pnl_usd > 0), 4) AS win_rate, ROUND(AVG(pnl_usd), 2) AS expectancy_usd,
       ROUND(SUM(pnl_usd), 2) AS net_pnl_usd, COUNT(*) < 20 AS too_few
FROM sliced GROUP BY stream, dimension, slice`,
  },
  {
    name: "v_health",
    sql: `CREATE VIEW v_health AS
SELECT e.seq, e.stream, e.session, e.ts, ${ts()} AS time_utc, ${ny()} AS time_ny,
       json_extract(e.payload, '$.rssBytes') / 1048576.0 AS rss_mb, json_extract(e.payload, '$.heapUsedBytes') / 1048576.0 AS heap_mb,
       json_extract(e.payload, '$.freeMemBytes') / 1048576.0 AS free_mb, json_extract(e.payload, '$.loopLagMs') AS loop_lag_ms,
       json_extract(e.payload, '$.gatewayPortOpen') AS gateway_port_open, json_extract(e.payload, '$.gatewayPortLatencyMs') AS gateway_port_latency_ms
FROM events e WHERE e.type = 'HealthSampled'`,
  },
  {
    name: "v_notes",
    // Notes live in their own stream (NOTES_STREAM); the `stream` column is the run a note is about.
    sql: `CREATE VIEW v_notes AS
SELECT e.seq, e.id, e.session, e.ts, ${ts()} AS time_utc, ${ny()} AS time_ny,
       json_extract(e.payload, '$.stream') AS stream, json_extract(e.payload, '$.trade.number') AS trade_number,
       json_extract(e.payload, '$.trade.openedSeq') AS trade_opened_seq, json_extract(e.payload, '$.trade.closedSeq') AS trade_closed_seq,
       json_extract(e.payload, '$.trade.contractKey') AS contract_key, json_extract(e.payload, '$.order.orderKey') AS order_key,
       json_extract(e.payload, '$.order.orderId') AS order_id, json_extract(e.payload, '$.tags') AS tags,
       json_extract(e.payload, '$.text') AS text
FROM events e WHERE e.type = 'NoteAdded'`,
  },
];

/**
 * Partial indexes for the views' lookups of an order's refusal, submission and fills by causation.
 * Each covers one rare event type, so appends of bars and quotes never touch them. Plain columns
 * only: an index on a JSON expression would make SQLite parse payloads on every write to those
 * rows, and refuse one whose payload is not JSON.
 */
export const POSTMORTEM_INDEXES: readonly { name: string; sql: string }[] = [
  "OrderRefused",
  "OrderSubmitted",
  "OrderFilled",
].map((type) => ({
  name: `events_pm_${type}`,
  sql: `CREATE INDEX events_pm_${type} ON events (causation) WHERE type = '${type}'`,
}));

/**
 * The views' and their indexes' definitions as one text: refreshViews records it in journal_meta
 * and recreates them when it changes; `verify` reads it to tell views of another version of this
 * program from views changed by hand.
 */
export function viewsSignature(): string {
  return [...POSTMORTEM_VIEWS, ...POSTMORTEM_INDEXES].map((v) => `${v.name}\u0000${v.sql}`).join("\u0001");
}

/**
 * A cycle completion's `inputs` as two columns: degraded (1/0/NULL) and its reasons, a JSON array
 * (`json_each(degraded_reasons)` lists them; plain JSON functions, so the fleet's PostgreSQL views
 * translate it too).
 */
function degraded(completion: string): string {
  return `json_extract(${completion}.payload, '$.inputs.degraded') AS degraded,
       json_extract(${completion}.payload, '$.inputs.reasons') AS degraded_reasons`;
}
