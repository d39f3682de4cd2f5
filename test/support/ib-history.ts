/**
 * One historical-data request through the real @stoqey/ib client, answered with its bars or the
 * error on its own request id: what the simulator's historical tests ask over and over.
 */
import { EventName, type IBApi } from "@stoqey/ib";

/** A bar as the client hands it over (`time` as the gateway wrote it: `yyyyMMdd…` or epoch seconds). */
export interface HistoryBar {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  count: number;
  wap: number;
}
export type HistoryAnswer = { bars: HistoryBar[] } | { error: { code: number; text: string } };

export interface HistoryQuery {
  contract: object;
  end?: string;
  duration: string;
  barSize: string;
  what?: string;
  rth?: 0 | 1;
  /** 2 (epoch seconds) unless said. */
  formatDate?: 1 | 2;
}

let nextId = 1;

/** The bars of one request, up to the client's "finished" marker, or the error on its id. */
export function requestHistory(ib: IBApi, q: HistoryQuery): Promise<HistoryAnswer> {
  const reqId = nextId++;
  return new Promise((resolve) => {
    const bars: HistoryBar[] = [];
    ib.on(EventName.historicalData, (id, time, open, high, low, close, volume, count, wap) => {
      if (id !== reqId) return;
      if (String(time).startsWith("finished")) resolve({ bars });
      else bars.push({ time: String(time), open, high, low, close, volume, count: count ?? 0, wap });
    });
    ib.on(EventName.error, (err, code, id) => {
      if (id === reqId) resolve({ error: { code, text: err.message } });
    });
    ib.reqHistoricalData(
      reqId,
      q.contract as never,
      q.end ?? "",
      q.duration,
      q.barSize as never,
      (q.what ?? "TRADES") as never,
      q.rth ?? 1,
      q.formatDate ?? 2,
      false,
    );
  });
}

export function barsOf<T>(a: { bars: T[] } | { error: { code: number; text: string } }): T[] {
  if ("error" in a) throw new Error(`expected bars, got error ${a.error.code}: ${a.error.text}`);
  return a.bars;
}

export function errorOf<T>(a: { bars: T[] } | { error: { code: number; text: string } }): {
  code: number;
  text: string;
} {
  if (!("error" in a)) throw new Error(`expected an error, got ${a.bars.length} bars`);
  return a.error;
}
