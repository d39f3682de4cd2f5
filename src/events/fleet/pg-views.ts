/**
 * The post-mortem views in PostgreSQL's SQL, derived from the SQLite definitions (store/views.ts) so a
 * view is written once: SQLite's JSON functions become jsonb operators with the column's type,
 * `strftime` becomes `to_char`, and every join on `stream` also joins on `bot` (streams such as
 * `live` exist in every bot's journal), and every row names its bot.
 */
import { POSTMORTEM_VIEWS } from "../store/index.js";

/** JSON fields the views read as numbers (the last key of the path). */
const NUMERIC = new Set([
  "askSize",
  "askUsd",
  "bidSize",
  "bidUsd",
  "closedSeq",
  "closeUsd",
  "code",
  "commissionUsd",
  "count",
  "cycle",
  "delta",
  "durationMs",
  "errors",
  "freeMemBytes",
  "gamma",
  "gatewayPortLatencyMs",
  "heapUsedBytes",
  "highUsd",
  "impliedVol",
  "lastUsd",
  "latencyMs",
  "loopLagMs",
  "lowUsd",
  "multiplier",
  "number",
  "openUsd",
  "openedSeq",
  "orderId",
  "priceUsd",
  "quantity",
  "reqId",
  "requests",
  "rssBytes",
  "strike",
  "theta",
  "timeMs",
  "timeouts",
  "undPriceUsd",
  "vega",
  "volume",
  "vwapUsd",
]);
/** JSON fields the views read as booleans. */
const BOOLEAN = new Set(["complete", "degraded", "dryRun", "gatewayPortOpen", "simulated"]);

const pathArray = (path: string) => `'{${path.split(".").join(",")}}'`;

/** Translate one SQLite view definition to PostgreSQL. */
export function toPostgresView(sqliteSql: string): string {
  return (
    sqliteSql
      // store/views.ts writes New York time as UTC shifted by the US DST rule; PostgreSQL knows the zone.
      .replace(
        /strftime\('%Y-%m-%d %H:%M:%f', (.+?) \/ 1000\.0, 'unixepoch', CASE WHEN .*? END\)/g,
        (_m, ms: string) =>
          `to_char(to_timestamp(${ms} / 1000.0) AT TIME ZONE 'America/New_York', 'YYYY-MM-DD HH24:MI:SS.MS')`,
      )
      .replace(
        /json_each\((\w+\.\w+), '\$\.(\w+)'\) (\w+)/g,
        (_m, column: string, key: string, alias: string) =>
          `jsonb_array_elements(${column}::jsonb -> '${key}') AS ${alias}(value)`,
      )
      .replace(
        /json_array_length\((\w+\.\w+), '\$\.([\w.]+)'\)/g,
        (_m, column: string, path: string) => `jsonb_array_length(${column}::jsonb #> ${pathArray(path)})`,
      )
      .replace(/json_extract\((\w+\.\w+), '\$\.([\w.]+)'\)/g, (_m, column: string, path: string) => {
        const text = `(${column}::jsonb #>> ${pathArray(path)})`;
        const key = path.split(".").pop()!;
        return NUMERIC.has(key) ? `${text}::float8` : BOOLEAN.has(key) ? `${text}::boolean` : text;
      })
      .replace(
        /strftime\('%Y-%m-%dT%H:%M:%fZ', (.+?) \/ 1000\.0, 'unixepoch'\)/g,
        (_m, ms: string) =>
          `to_char(to_timestamp(${ms} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
      )
      // A stream name repeats across bots: joins match within one bot, and rows say whose they are.
      .replace(/(\w+)\.stream = (\w+)\.stream/g, "$1.bot = $2.bot AND $1.stream = $2.stream")
      .replace(/(\w+)\.stream, (\w+)\.session/g, "$1.bot, $1.stream, $2.session")
  );
}

/**
 * Every post-mortem view, in PostgreSQL's SQL, in creation order. Views over the projection tables
 * (`proj_*`, e.g. `v_trades`) are left out: the fleet journal holds events only, and a replay or a
 * report on it folds them locally.
 */
export const PG_POSTMORTEM_VIEWS: readonly { name: string; sql: string }[] = POSTMORTEM_VIEWS.filter(
  (view) => !/\bproj_\w+/.test(view.sql),
).map((view) => ({
  name: view.name,
  sql: toPostgresView(view.sql),
}));
