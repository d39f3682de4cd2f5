/**
 * The store-independent half of the PostgreSQL journal: preparing appends, continuing and checking
 * a hash chain, and turning rows into stored events. The hashing itself is `rowHash` from
 * integrity/hash-chain.ts, the same function the SQLite journal uses, so a chain shipped from a Pi verifies
 * unchanged.
 */
import type { IdGen, NewEvent, SessionId, StoredEvent, StreamId } from "../catalogue/index.js";
import { canonicalJson, DuplicateIdMismatch, JournalError, parseEventBody } from "../catalogue/index.js";
import { GENESIS_HASH, type HashedRow, rowHash } from "../integrity/index.js";
import { prepareItem, storedFromRow } from "../store/index.js";

/** A row with its hash, as both stores keep it. */
export interface ChainRow extends HashedRow {
  hash: string;
}

/** Where a bot's chain ends: seq 0 and the genesis hash when it is empty. */
export interface ChainHead {
  seq: number;
  hash: string | null;
}

/** An event validated for append, before it has a seq. */
export interface PreparedEvent {
  id: string;
  stream: StreamId;
  session: SessionId;
  type: string;
  version: number;
  payload: unknown;
  payloadText: string;
  ts: number;
  causation: string | null;
  correlation: string | null;
}

/** Validate (and upcast) every event, and give each an id; throws before anything is written. */
export function prepareAppend(
  stream: StreamId,
  session: SessionId,
  events: readonly NewEvent[],
  idGen: IdGen,
): PreparedEvent[] {
  return events.map((event, index) => {
    // The same checks and stored text as the SQLite journal's append: the hash covers this text.
    const item = prepareItem(stream, session, event, index, event.id ?? idGen.next(event.ts));
    return {
      id: item.id,
      stream,
      session,
      type: item.body.type,
      version: item.body.version,
      payload: item.body.payload,
      payloadText: item.payloadText,
      ts: item.ts,
      causation: item.causation,
      correlation: item.correlation,
    };
  });
}

/**
 * Continue the chain from `head` with the prepared events: an id already stored (`existing`, or
 * earlier in the same batch) is an idempotent no-op when the body matches and a
 * `DuplicateIdMismatch` when it does not. Returns the rows to insert and the stored events in order.
 */
export function chainRows(
  prepared: readonly PreparedEvent[],
  head: ChainHead,
  firstPos: number,
  existing: readonly ChainRow[],
  location: string,
): { rows: ChainRow[]; result: StoredEvent[] } {
  const known = new Map<string, StoredEvent>(existing.map((row) => [row.id, toStoredEvent(row, location)]));
  const rows: ChainRow[] = [];
  const result: StoredEvent[] = [];
  let seq = head.seq;
  let prevHash = head.hash ?? GENESIS_HASH;
  let pos = firstPos;
  for (const p of prepared) {
    const stored = known.get(p.id);
    if (stored) {
      if (!sameEvent(stored, p)) throw new DuplicateIdMismatch(p.id);
      result.push(stored);
      continue;
    }
    seq += 1;
    const row: HashedRow = {
      seq,
      id: p.id,
      stream: p.stream,
      session: p.session,
      pos,
      type: p.type,
      version: p.version,
      ts: p.ts,
      causation: p.causation,
      correlation: p.correlation,
      payload: p.payloadText,
    };
    const hash = rowHash(prevHash, row);
    prevHash = hash;
    pos += 1;
    rows.push({ ...row, hash });
    const event = { ...row, payload: p.payload, hash } as StoredEvent;
    known.set(p.id, event);
    result.push(event);
  }
  return { rows, result };
}

/** A chain that does not continue where it should: nothing of the batch was written. */
export class ChainBroken extends JournalError {
  constructor(
    readonly seq: number,
    problem: string,
  ) {
    super("CHAIN_BROKEN", `ChainBroken at seq ${seq}: ${problem}`);
  }
}

/**
 * Check that `rows` continue the chain at `head`: seq + 1 each, and each stored hash equal to the
 * recomputed one. Throws `ChainBroken` naming the first bad seq.
 */
export function verifyChain(rows: readonly ChainRow[], head: ChainHead, what: string): void {
  let seq = head.seq;
  let prevHash = head.hash ?? GENESIS_HASH;
  for (const row of rows) {
    if (row.seq !== seq + 1)
      throw new ChainBroken(
        row.seq,
        `${what}: expected seq ${seq + 1} (the source has a gap); run \`journal verify\` on it`,
      );
    if (rowHash(prevHash, row) !== row.hash)
      throw new ChainBroken(
        row.seq,
        `${what}: the hash does not continue the chain (the source was changed after it was written, or it is another bot's journal — check --bot); run \`journal verify\` on the source`,
      );
    seq = row.seq;
    prevHash = row.hash;
  }
}

/**
 * `verify` over one bot's rows, a page at a time: gap-free seq from 1, gap-free pos per
 * stream+session, the hash chain and every payload's schema. `state` carries the chain between
 * pages; returns the first problem, or undefined.
 */
export function verifyPage(
  rows: readonly ChainRow[],
  state: ChainHead | undefined,
  positions: Map<string, number>,
): { index: number; seq: number; problem: string } | undefined {
  let seq = state?.seq ?? 0;
  let prevHash = state?.hash ?? GENESIS_HASH;
  for (const [index, row] of rows.entries()) {
    const bad = (problem: string) => ({ index, seq: row.seq, problem });
    if (row.seq !== seq + 1)
      return bad(`seq ${row.seq} follows ${seq}: ${row.seq - seq - 1} event(s) missing`);
    const key = `${row.stream}\u0000${row.session}`;
    const want = positions.get(key) ?? 0;
    if (row.pos !== want) return bad(`pos ${row.pos} in ${row.stream}/${row.session}, expected ${want}`);
    if (rowHash(prevHash, row) !== row.hash)
      return bad("hash chain broken: the row (or one before it) was changed after it was written");
    try {
      parseEventBody(row.type, row.version, JSON.parse(row.payload), `at seq ${row.seq}`);
    } catch (error) {
      return bad(error instanceof Error ? error.message : String(error));
    }
    positions.set(key, want + 1);
    seq = row.seq;
    prevHash = row.hash;
  }
  return undefined;
}

/** A stored row as an event: payload parsed, validated and upcast to the current version. */
export function toStoredEvent(row: ChainRow, location: string): StoredEvent {
  // The same row shape, and the same reading, as the SQLite journal's.
  return storedFromRow(location, row);
}

function sameEvent(stored: StoredEvent, p: PreparedEvent): boolean {
  return (
    stored.stream === p.stream &&
    stored.session === p.session &&
    stored.type === p.type &&
    stored.version === p.version &&
    stored.ts === p.ts &&
    stored.causation === p.causation &&
    stored.correlation === p.correlation &&
    canonicalJson(stored.payload) === canonicalJson(p.payload)
  );
}
