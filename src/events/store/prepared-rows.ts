/**
 * Events checked and serialised for the journal ahead of the append, in a shape that crosses a
 * worker thread cheaply: a replay's worker validates its run and writes each payload's stored text
 * itself, and the thread that owns the output journal only chains and inserts them.
 *
 * Why a packed shape: structured clone copies an object graph field by field. A day's run (700
 * events, each payload an object tree) took the receiving thread longer to clone than to insert;
 * the same rows as a few arrays and one string of payload texts clone about five times faster.
 */
import {
  CURRENT_VERSIONS,
  InvalidEvent,
  isKnownType,
  isSafeStreamName,
  type NewEvent,
  type PreparedRows,
  parseEventBody,
} from "../catalogue/index.js";

/** One event as `append` prepares it: its body checked (and upcast), its payload text as stored. */
export interface PreparedItem {
  readonly id: string;
  readonly body: { readonly type: string; readonly version: number; readonly payload: unknown };
  readonly payloadText: string;
  readonly ts: number;
  readonly causation: string | null;
  readonly correlation: string | null;
}

/** Refuse a stream name the journal would refuse, with the same words. */
export function checkStreamName(stream: string): void {
  if (!isSafeStreamName(stream))
    throw new InvalidEvent(
      "envelope",
      "stream",
      `"${stream}" is not a safe stream name (letters, digits, . _ -)`,
      "on append",
    );
}

/**
 * Check one new event against its type's schema and serialise it. The stored text is the zod
 * output serialised: object keys come out in schema order whatever order the caller used, so this
 * is canonical for every fixed-shape field (records keep their own key order). The hash covers the
 * stored text, so `verify` is exact either way; idempotent retries compare with canonicalJson.
 */
export function prepareItem(
  stream: string,
  session: string,
  event: NewEvent,
  index: number,
  id: string,
): PreparedItem {
  const body = parseEventBody(
    event.type,
    event.version,
    event.payload,
    `on append (${stream}/${session}, item ${index})`,
  );
  return {
    id,
    body,
    payloadText: JSON.stringify(body.payload),
    ts: Math.trunc(event.ts),
    causation: event.causation ?? null,
    correlation: event.correlation ?? null,
  };
}

/**
 * Validate and serialise `events` (each with its id) for `Journal.appendPrepared`: the same checks,
 * the same errors and the same stored text as `append`, done wherever the events were made.
 */
export function prepareRows(
  stream: string,
  session: string,
  events: readonly (NewEvent & { id: string })[],
): PreparedRows {
  checkStreamName(stream);
  const ids: string[] = [];
  const types: string[] = [];
  const versions: number[] = [];
  const ts: number[] = [];
  const causations: (string | null)[] = [];
  const correlations: (string | null)[] = [];
  const texts: string[] = [];
  const ends: number[] = [];
  let end = 0;
  events.forEach((event, index) => {
    const item = prepareItem(stream, session, event, index, event.id);
    ids.push(item.id);
    types.push(item.body.type);
    versions.push(item.body.version);
    ts.push(item.ts);
    causations.push(item.causation);
    correlations.push(item.correlation);
    texts.push(item.payloadText);
    end += item.payloadText.length;
    ends.push(end);
  });
  return { ids, types, versions, ts, causations, correlations, text: texts.join(""), ends };
}

/**
 * The rows back as items, their payloads parsed from their text only if something asks (a retried
 * id compared canonically, an inline projection): the write itself needs only the text.
 */
export function itemsOf(rows: PreparedRows): PreparedItem[] {
  const n = rows.ids.length;
  const columns = [rows.types, rows.versions, rows.ts, rows.causations, rows.correlations, rows.ends];
  if (columns.some((c) => c.length !== n) || (rows.ends[n - 1] ?? 0) !== rows.text.length)
    throw new InvalidEvent("envelope", "rows", "prepared rows whose columns disagree in length", "on append");
  const items: PreparedItem[] = new Array(n);
  let start = 0;
  for (let i = 0; i < n; i++) {
    // The schema was checked where the rows were made; what a row claims to be is checked here.
    const type = rows.types[i]!;
    if (!isKnownType(type) || CURRENT_VERSIONS[type] !== rows.versions[i])
      throw new InvalidEvent(
        type,
        "version",
        `v${rows.versions[i]} is not a current event type`,
        `on append (item ${i})`,
      );
    const end = rows.ends[i]!;
    if (!(end > start))
      throw new InvalidEvent(
        type,
        "payload",
        `row ${i}'s text ends at ${end}, before it starts (${start})`,
        "on append",
      );
    const payloadText = rows.text.slice(start, end);
    start = end;
    let parsed: unknown;
    items[i] = {
      id: rows.ids[i]!,
      body: {
        type,
        version: rows.versions[i]!,
        get payload() {
          parsed ??= JSON.parse(payloadText);
          return parsed;
        },
      },
      payloadText,
      ts: rows.ts[i]!,
      causation: rows.causations[i]!,
      correlation: rows.correlations[i]!,
    };
  }
  return items;
}
