/**
 * Health: the gateway port (alpha: wait for 4002 to listen before any call), memory and
 * event-loop lag, sampled each cycle.
 */

import { createConnection } from "node:net";
import { freemem, totalmem } from "node:os";
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { PayloadOf } from "../events/index.js";

/** Does something accept TCP connections at host:port? Resolves with the connect latency or null. */
export function probePort(host: string, port: number, timeoutMs = 2000): Promise<number | null> {
  const start = performance.now();
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (latency: number | null) => {
      socket.destroy();
      resolve(latency);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once("connect", () => done(performance.now() - start));
    socket.once("error", () => done(null));
  });
}

export class HealthMonitor {
  private readonly lag: IntervalHistogram;

  constructor() {
    this.lag = monitorEventLoopDelay({ resolution: 20 });
    this.lag.enable();
  }

  async sample(host: string, port: number): Promise<PayloadOf<"HealthSampled">> {
    const latency = await probePort(host, port);
    const memory = process.memoryUsage();
    const sample: PayloadOf<"HealthSampled"> = {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      freeMemBytes: freemem(),
      totalMemBytes: totalmem(),
      loopLagMs: Math.round((this.lag.percentile(99) / 1e6) * 100) / 100,
      gatewayPortOpen: latency !== null,
      gatewayPortLatencyMs: latency === null ? null : Math.round(latency * 100) / 100,
    };
    this.lag.reset();
    return sample;
  }

  stop(): void {
    this.lag.disable();
  }
}

/** What in a health sample deserves a warning: low free memory, the gateway port closed. */
export function healthWarnings(
  sample: PayloadOf<"HealthSampled">,
  freeMemoryFloorMb: number,
  gateway: { host: string; port: number },
): PayloadOf<"HealthWarning">[] {
  const warnings: PayloadOf<"HealthWarning">[] = [];
  const floor = freeMemoryFloorMb * 1024 * 1024;
  if (sample.freeMemBytes < floor)
    warnings.push({
      kind: "low-memory",
      detail: `free memory ${Math.round(sample.freeMemBytes / 1048576)} MB is under the ${freeMemoryFloorMb} MB floor (alpha: leave 1 GB+ for the OS)`,
      value: sample.freeMemBytes,
      threshold: floor,
    });
  if (!sample.gatewayPortOpen)
    warnings.push({
      kind: "gateway-port-closed",
      detail: `nothing listens on ${gateway.host}:${gateway.port}`,
      value: 0,
      threshold: 1,
    });
  return warnings;
}
