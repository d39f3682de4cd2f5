/**
 * `npm run bench:sim`: 1,000 cycles of a full client session (60 bars + option chain + 5 snapshots)
 * against the simulator over TCP, with a raw protocol client (the @stoqey/ib client itself caps
 * outgoing requests at 40/s, which would measure its limiter, not the simulator). Prints requests/s,
 * the snapshot round trip and RSS over the run; baseline in the same run: computing the same answers
 * in-process, no socket.
 */
import { Socket } from "node:net";
import { newYorkTimeToMs } from "../src/events/index.js";
import { encodeMessage, FrameReader, SimMarket, startSimulator } from "../src/sim/index.js";

const CYCLES = 1000;
const START = newYorkTimeToMs("2026-02-04", 10, 0);
const sim = await startSimulator({ seed: 42, startMs: START, scenario: { snapshotDelayMs: 0 } });
const socket = new Socket();
await new Promise<void>((resolve) => socket.connect(sim.port, "127.0.0.1", resolve));
socket.setNoDelay(true);
const reader = new FrameReader();
let waiter: { until: (fields: string[]) => boolean; resolve: () => void } | null = null;
let primed = false;
socket.on("data", (chunk: Buffer) => {
  if (!primed) {
    // The server's first frame (version, time) follows the client's hello; feed a fake hello prefix.
    primed = true;
    reader.push(Buffer.concat([Buffer.from("API\0"), Buffer.from([0, 0, 0, 0])]));
  }
  for (const fields of reader.push(chunk)) if (waiter?.until(fields)) waiter.resolve();
});
const expect = (until: (fields: string[]) => boolean) =>
  new Promise<void>((resolve) => (waiter = { until, resolve }));
const hello = Buffer.from("v100..193");
const prefix = Buffer.alloc(8);
prefix.write("API\0", 0, "latin1");
prefix.writeUInt32BE(hello.length, 4);
let ready = expect((f) => f[0] === "9");
socket.write(Buffer.concat([prefix, hello]));
socket.write(encodeMessage([71, 2, 1, ""]));
await ready;

let reqId = 1;
const snapshotMs: number[] = [];
async function cycle(): Promise<void> {
  let id = reqId++;
  ready = expect((f) => f[0] === "17" && f[1] === String(id));
  socket.write(
    encodeMessage([
      20,
      id,
      0,
      "SPY",
      "STK",
      "",
      0,
      "",
      "",
      "SMART",
      "",
      "USD",
      "",
      "",
      0,
      "",
      "1 min",
      "3600 S",
      1,
      "TRADES",
      2,
      0,
      "",
    ]),
  );
  await ready;
  id = reqId++;
  ready = expect((f) => f[0] === "76" && f[1] === String(id));
  socket.write(encodeMessage([78, id, "SPY", "", "STK", 756733]));
  await ready;
  for (const strike of [688, 689, 690, 691, 692]) {
    id = reqId++;
    const started = performance.now();
    ready = expect((f) => f[0] === "57" && f[2] === String(id));
    socket.write(
      encodeMessage([
        1,
        11,
        id,
        0,
        "SPY",
        "OPT",
        "20260205",
        strike,
        "C",
        100,
        "SMART",
        "",
        "USD",
        "",
        "",
        0,
        "",
        1,
        0,
        "",
      ]),
    );
    await ready;
    snapshotMs.push(performance.now() - started);
  }
}

const rss: number[] = [];
const start = performance.now();
for (let i = 0; i < CYCLES; i++) {
  await cycle();
  if (i % 100 === 0) rss.push(process.memoryUsage().rss);
}
const ms = performance.now() - start;
const requests = sim.stats.requests;
socket.destroy();
await sim.close();

const market = new SimMarket(42);
const t0 = performance.now();
let sink = 0;
for (let i = 0; i < CYCLES; i++) {
  sink += market.bars("SPY", START, 60).length + market.strikes("SPY", START).length;
  for (const strike of [688, 689, 690, 691, 692])
    sink += market.optionModel({ symbol: "SPY", expiry: "20260205", strike, right: "C" }, START).price;
}
const baseMs = performance.now() - t0;
const sorted = [...snapshotMs].sort((a, b) => a - b);
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
console.log(`sim benchmark: ${CYCLES} cycles × (60 bars + chain + 5 snapshots) over TCP`);
console.log(
  `requests served            ${requests} in ${(ms / 1000).toFixed(2)} s = ${Math.round((requests / ms) * 1000)} requests/s`,
);
console.log(
  `snapshot round trip        median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)]!.toFixed(3)} ms (target well under 5 ms)`,
);
console.log(
  `answers computed in-process (baseline): ${(baseMs / 1000).toFixed(2)} s → serving over TCP costs ${(ms / baseMs).toFixed(1)}× the computation`,
);
console.log(`RSS every 100 cycles       ${rss.map(mb).join(", ")}`);
if (sink === -1) console.log("");
