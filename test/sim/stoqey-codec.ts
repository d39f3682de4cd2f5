/**
 * @stoqey/ib's own Decoder and Encoder, driven at a chosen server version, for the conformance
 * tests, and the versions they run at.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const stoqeyDist = dirname(require.resolve("@stoqey/ib"));
const { Decoder } = require(join(stoqeyDist, "core", "io", "decoder.js")) as {
  Decoder: new (cb: object) => { enqueueMessage(tokens: string[]): void; process(): void };
};
const { Encoder } = require(join(stoqeyDist, "core", "io", "encoder.js")) as {
  Encoder: new (cb: object) => Record<string, (...args: unknown[]) => void>;
};

/** Every version from the lowest we serve to the highest, and the ones where a gate flips. */
export const VERSIONS = [
  157, 158, 160, 162, 163, 164, 166, 169, 170, 176, 177, 178, 179, 182, 183, 186, 187, 189, 190, 192, 193,
];

export interface Decoded {
  events: { name: string; args: unknown[] }[];
  errors: { message: string; code: number }[];
}

/** Decode one message's text fields with @stoqey/ib's Decoder at a server version. */
export function stoqeyDecode(version: number, fields: string[]): Decoded {
  const out: Decoded = { events: [], errors: [] };
  const decoder = new Decoder({
    serverVersion: version,
    emitEvent: (name: string, ...args: unknown[]) => out.events.push({ name, args }),
    emitError: (message: string, code: number) => out.errors.push({ message, code }),
    emitInfo: (message: string, code: number) => out.events.push({ name: "info", args: [message, code] }),
  });
  decoder.enqueueMessage(fields);
  decoder.process();
  return out;
}

/** The tokens @stoqey/ib's Encoder sends for a request at a server version. */
export function stoqeyEncode(
  version: number,
  call: (e: Record<string, (...args: unknown[]) => void>) => void,
): string[] {
  let tokens: string[] = [];
  const encoder = new Encoder({
    serverVersion: version,
    sendMsg: (...args: unknown[]) => {
      tokens = (args.flat(3) as unknown[]).map((t) =>
        t === undefined || t === null ? "" : typeof t === "boolean" ? (t ? "1" : "0") : String(t),
      );
    },
    emitError: (message: string) => {
      throw new Error(message);
    },
  });
  call(encoder);
  return tokens;
}

/** An option contract as our layouts name its fields. */
export const CONTRACT = {
  conId: 612345678,
  symbol: "SPY",
  secType: "OPT",
  lastTradeDateOrContractMonth: "20260205",
  strike: 690,
  right: "C",
  multiplier: "100",
  exchange: "SMART",
  currency: "USD",
  localSymbol: "SPY   260205C00690000",
  tradingClass: "SPY",
};
