/** pino-roll ships no types; the slice we use. */
declare module "pino-roll" {
  import type { Writable } from "node:stream";
  export default function roll(options: {
    file: string;
    frequency?: "daily" | "hourly" | number;
    size?: string;
    limit?: { count: number };
    mkdir?: boolean;
  }): Promise<Writable>;
}
