/**
 * What a run is before its first event: what it reads ahead of the day (up to the SessionOpened
 * that names live's strategy and parameters) and the plan that makes of it — the parameters, and
 * whether the run is live's own (recorded outcomes, parity) or a what-if (simulated).
 */
import { canonicalJson, type EventBody, JournalError, type StoredEvent } from "../events/index.js";
import type { AnyStrategy } from "../strategy/index.js";
import { WholeDayNeeded } from "./source-keeper.js";

/** Where a run's order outcomes come from (see the module comment). */
export type OutcomeMode = "recorded" | "simulated";

/** Asked for recorded outcomes with a strategy live did not run: they would answer other decisions. */
export class RecordedOutcomesRefused extends JournalError {
  constructor(message: string) {
    super("RECORDED_OUTCOMES_REFUSED", message);
  }
}

type OpenedEvent = StoredEvent<Extract<EventBody, { type: "SessionOpened" }>>;

/** The caller said the session had no SessionOpened, and the read met one (it was appended since). */
export function sessionOpenedAfterAll(session: string): WholeDayNeeded {
  return new WholeDayNeeded(`${session}: a SessionOpened the caller did not see`);
}

/**
 * Read a session's events up to its first SessionOpened (all of them when it has none): what a run
 * must know before its first event (the strategy and its parameters), read without holding the
 * rest of the day. `rest` continues where `head` stops. `sessionOpened` false: the caller knows the
 * session has none, and only its first event is read ahead.
 */
export function untilOpened(
  events: Iterable<StoredEvent>,
  sessionOpened = true,
): {
  head: StoredEvent[];
  opened: OpenedEvent | undefined;
  rest: Iterable<StoredEvent>;
} {
  const iterator = events[Symbol.iterator]();
  const head: StoredEvent[] = [];
  const rest = { [Symbol.iterator]: () => iterator };
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    head.push(next.value);
    if (next.value.type === "SessionOpened") return { head, opened: next.value as OpenedEvent, rest };
    // None to wait for (the caller looked): the first event alone, for the run's first time.
    if (!sessionOpened) return { head, opened: undefined, rest };
  }
  return { head, opened: undefined, rest: [] };
}

/** `head`, then `rest` as it is read. */
export function* concatEvents(
  head: readonly StoredEvent[],
  rest: Iterable<StoredEvent>,
): Generator<StoredEvent, void, undefined> {
  yield* head;
  yield* rest;
}

/** What a run of `strategy` over a session opened by `opened` is: its parameters and its outcomes. */
export function planRun(
  session: string,
  opened: OpenedEvent | undefined,
  strategy: AnyStrategy,
  paramOverrides: Record<string, unknown>,
  requested: OutcomeMode | "auto",
): { params: Record<string, unknown>; sameStrategy: boolean; mode: OutcomeMode } {
  const liveParams = opened?.payload.params ?? {};
  const parsed = strategy.params.safeParse({
    ...(opened?.payload.strategy.name === strategy.name ? liveParams : {}),
    ...paramOverrides,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`parameter "${issue?.path.join(".")}" of strategy ${strategy.name}: ${issue?.message}`);
  }
  const params = parsed.data as Record<string, unknown>;
  const sameStrategy =
    opened !== undefined &&
    opened.payload.strategy.name === strategy.name &&
    opened.payload.strategy.version === strategy.version &&
    canonicalJson(strategy.params.parse(liveParams)) === canonicalJson(params);
  if (requested === "recorded" && !sameStrategy)
    throw new RecordedOutcomesRefused(
      `session ${session}: recorded outcomes answer live's own decisions (${opened ? `${opened.payload.strategy.name} ${opened.payload.strategy.version}` : "no SessionOpened"}), not ${strategy.name} ${strategy.version} with these parameters — use --outcomes simulated for a what-if`,
    );
  const mode: OutcomeMode = requested === "auto" ? (sameStrategy ? "recorded" : "simulated") : requested;
  return { params, sameStrategy, mode };
}
