/**
 * Requests the simulator does not serve, answered as IB answers a request it cannot serve for
 * this account: an error on the request's own id (so a client waiting on that id stops waiting),
 * with the code IB uses for that kind of request; cancels of them are ignored, as IB ignores a
 * cancel of nothing. A message id outside the API gets 503 on id −1 (session.ts).
 */
/** What answering needs of a session (an interface, so that session.ts may import this module). */
export interface ErrorSender {
  readonly ctx: { log(line: Record<string, unknown>): void };
  error(id: number, code: number, message: string): void;
}

interface Unserved {
  readonly name: string;
  /** Index of the request id among the fields (0 is the message id); absent: the request has none (−1). */
  readonly idAt?: number;
  /** The error; absent: a cancel, answered with nothing. */
  readonly code?: number;
  readonly message?: string;
}

const NOT_IN_SIM = "is not available from this simulated gateway";
const validation = (what: string) => `Error validating request.-'sim' : cause - ${what} ${NOT_IN_SIM}`;
const NEEDS_SUBSCRIPTION =
  "Requested market data requires additional subscription for API. See link in 'Market Data Connections' dialog for more details.";
const HMDS = (what: string) => `Historical Market Data Service error message:${what} ${NOT_IN_SIM}`;

/** By request message id (`EClient.java` OUT message ids); `idAt` is where the request id sits at versions ≥ 157. */
export const UNSERVED: ReadonlyMap<number, Unserved> = new Map<number, Unserved>([
  [
    10,
    {
      name: "market depth",
      idAt: 2,
      code: 10092,
      message: "Deep market data is not supported for this combination of security type/exchange",
    },
  ],
  [11, { name: "cancel market depth" }],
  [12, { name: "news bulletins" }],
  [13, { name: "cancel news bulletins" }],
  [14, { name: "server log level" }],
  [
    18,
    {
      name: "FA data",
      code: 321,
      message: "Error validating request.-'ba' : cause - FA data operations ignored for non FA customers.",
    },
  ],
  [
    19,
    {
      name: "replace FA",
      idAt: 4,
      code: 321,
      message: "Error validating request.-'ba' : cause - FA data operations ignored for non FA customers.",
    },
  ],
  [21, { name: "exercise options", idAt: 2, code: 321, message: validation("Option exercise") }],
  [22, { name: "scanner subscription", idAt: 1, code: 162, message: HMDS("Market scanner") }],
  [23, { name: "cancel scanner subscription" }],
  [
    50,
    {
      name: "real-time bars",
      idAt: 2,
      code: 420,
      message: `Invalid Real-time Query:Real-time bars ${NOT_IN_SIM}`,
    },
  ],
  [51, { name: "cancel real-time bars" }],
  [
    52,
    {
      name: "fundamental data",
      idAt: 2,
      code: 430,
      message: "We are sorry, but fundamentals data for the security specified is not available.",
    },
  ],
  [53, { name: "cancel fundamental data" }],
  [65, { name: "verify request", code: 321, message: validation("Verification") }],
  [66, { name: "verify message" }],
  [67, { name: "query display groups", idAt: 2, code: 321, message: validation("Display groups") }],
  [68, { name: "subscribe to group events", idAt: 2, code: 321, message: validation("Display groups") }],
  [69, { name: "update display group", idAt: 2, code: 321, message: validation("Display groups") }],
  [70, { name: "unsubscribe from group events" }],
  [72, { name: "verify and auth request", code: 321, message: validation("Verification") }],
  [73, { name: "verify and auth message" }],
  [82, { name: "market depth exchanges", code: 321, message: validation("Market depth") }],
  [83, { name: "smart components", idAt: 1, code: 321, message: validation("SMART components") }],
  [
    84,
    { name: "news article", idAt: 1, code: 10276, message: `News feed is not allowed: news ${NOT_IN_SIM}` },
  ],
  [
    86,
    {
      name: "historical news",
      idAt: 1,
      code: 10276,
      message: `News feed is not allowed: news ${NOT_IN_SIM}`,
    },
  ],
  [88, { name: "histogram data", idAt: 1, code: 162, message: HMDS("Histogram data") }],
  [89, { name: "cancel histogram data" }],
  [96, { name: "historical ticks", idAt: 1, code: 162, message: HMDS("Historical ticks") }],
  [97, { name: "tick-by-tick data", idAt: 1, code: 10089, message: NEEDS_SUBSCRIPTION }],
  [98, { name: "cancel tick-by-tick data" }],
  [
    100,
    { name: "WSH meta data", idAt: 1, code: 10276, message: `News feed is not allowed: WSH ${NOT_IN_SIM}` },
  ],
  [101, { name: "cancel WSH meta data" }],
  [
    102,
    { name: "WSH event data", idAt: 1, code: 10276, message: `News feed is not allowed: WSH ${NOT_IN_SIM}` },
  ],
  [103, { name: "cancel WSH event data" }],
]);

/** Answer an unserved request; false when `id` is no API request at all. */
export function answerUnserved(session: ErrorSender, id: number, fields: readonly string[]): boolean {
  const unserved = UNSERVED.get(id);
  if (!unserved) return false;
  const reqId = unserved.idAt === undefined ? -1 : Number.parseInt(fields[unserved.idAt] ?? "", 10);
  session.ctx.log({ event: "unserved", id, name: unserved.name, reqId });
  if (unserved.code !== undefined)
    session.error(Number.isFinite(reqId) ? reqId : -1, unserved.code, unserved.message ?? "");
  return true;
}
