/**
 * A fresh clientId for every start and reconnect (alpha: reusing an id after a crash gave
 * "clientId already in use"). A counter persisted next to the journal, so restarts never collide.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

export class ClientIdAllocator {
  constructor(
    private readonly file: string,
    private readonly base = 100,
  ) {}

  /** The next id, persisted before it is used. Ids stay in 100..31999 and wrap. */
  next(): number {
    let last = this.base - 1;
    if (existsSync(this.file)) {
      const n = Number(readFileSync(this.file, "utf8").trim());
      if (Number.isInteger(n)) last = n;
    }
    const id = last + 1 >= 32_000 ? this.base : last + 1;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${id}\n`);
    renameSync(tmp, this.file);
    return id;
  }
}
