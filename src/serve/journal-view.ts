/**
 * What the pages show, read from a journal opened read-only: the live session folded as it grows
 * (only the new events are read and folded), and every session's figures and trades, each folded
 * once and again only when the session gained events.
 */
import { type Journal, LIVE_STREAM, type StoredEvent } from "../events/index.js";
import {
  type BookState,
  evolveBook,
  initialBook,
  type RoundTrip,
  type SessionFigures,
  type SessionFold,
  sessionFigures,
  sessionOf,
} from "../projections/index.js";

/** The live session as it stands: its fold and the few events the now page lists. */
export interface LiveSessionState {
  session: string;
  fold: SessionFold;
  figures: SessionFigures;
  opened: Extract<StoredEvent, { type: "SessionOpened" }> | undefined;
  closed: Extract<StoredEvent, { type: "SessionClosed" }> | undefined;
  lastCycle: Extract<StoredEvent, { type: "CycleCompleted" }> | undefined;
  cycleStarted: Extract<StoredEvent, { type: "CycleStarted" }> | undefined;
  health: Extract<StoredEvent, { type: "HealthSampled" }> | undefined;
  notices: Extract<
    StoredEvent,
    { type: "GatewayNotice" | "HealthWarning" | "OrderRefused" | "GatewayDisconnected" }
  >[];
  lastEvent: StoredEvent | undefined;
  lastSeq: number;
}

/** One session as the sessions page lists it. */
export interface SessionFiguresRow {
  session: string;
  events: number;
  firstTs: number;
  lastTs: number;
  figures: SessionFigures;
  trades: readonly RoundTrip[];
}

/** How many notices the now page keeps. */
const NOTICES_KEPT = 8;

export class JournalView {
  private live:
    | { session: string; events: StoredEvent[]; book: BookState; state: LiveSessionState | undefined }
    | undefined;
  private readonly folded = new Map<string, SessionFiguresRow>();

  constructor(readonly journal: Journal) {}

  /** The highest seq: cheap, polled to notice that the journal grew. */
  lastSeq(): number {
    return this.journal.lastSeq();
  }

  /** The newest live session, folded up to the journal's end; undefined when there is none. */
  liveSession(): LiveSessionState | undefined {
    const session = this.journal.sessionIds(LIVE_STREAM).sort().at(-1);
    if (session === undefined) return undefined;
    if (this.live?.session !== session)
      this.live = { session, events: [], book: initialBook, state: undefined };
    const live = this.live;
    const fromSeq = (live.events.at(-1)?.seq ?? 0) + 1;
    const fresh = [...this.journal.read({ stream: LIVE_STREAM, session, fromSeq })];
    if (fresh.length === 0 && live.state) return live.state;
    for (const event of fresh) live.book = evolveBook(live.book, event);
    live.events.push(...fresh);
    live.state = describe(session, live.events, live.book);
    return live.state;
  }

  /** Every session of the live stream, newest first, with its figures and trades. */
  sessions(): SessionFiguresRow[] {
    const rows = this.journal.sessions(LIVE_STREAM);
    return rows
      .map((row) => {
        const cached = this.folded.get(row.session);
        if (cached && cached.events === row.events) return cached;
        const events = [...this.journal.read({ stream: LIVE_STREAM, session: row.session })];
        let book = initialBook;
        for (const event of events) book = evolveBook(book, event);
        const fold = sessionOf(book, LIVE_STREAM, row.session, events);
        const folded: SessionFiguresRow = {
          session: row.session,
          events: row.events,
          firstTs: row.firstTs,
          lastTs: row.lastTs,
          figures: sessionFigures(fold, row.lastTs - row.firstTs),
          trades: fold.summary.trades,
        };
        this.folded.set(row.session, folded);
        return folded;
      })
      .sort((a, b) => b.session.localeCompare(a.session));
  }
}

function describe(session: string, events: readonly StoredEvent[], book: BookState): LiveSessionState {
  const fold = sessionOf(book, LIVE_STREAM, session, events);
  const last = <T extends StoredEvent["type"]>(type: T) =>
    events.findLast((e): e is Extract<StoredEvent, { type: T }> => e.type === type);
  const opened = last("SessionOpened");
  const closed = last("SessionClosed");
  const notices: LiveSessionState["notices"] = [];
  for (let i = events.length - 1; i >= 0 && notices.length < NOTICES_KEPT; i--) {
    const e = events[i]!;
    if (
      e.type === "GatewayNotice" ||
      e.type === "HealthWarning" ||
      e.type === "OrderRefused" ||
      e.type === "GatewayDisconnected"
    )
      notices.push(e);
  }
  const span = events.length === 0 ? 0 : events.at(-1)!.ts - events[0]!.ts;
  return {
    session,
    fold,
    figures: sessionFigures(fold, span),
    opened,
    // A restart opens the session again: a close before the last open is history.
    closed: closed && opened && closed.seq > opened.seq ? closed : undefined,
    lastCycle: last("CycleCompleted"),
    cycleStarted: last("CycleStarted"),
    health: last("HealthSampled"),
    notices,
    lastEvent: events.at(-1),
    lastSeq: events.at(-1)?.seq ?? 0,
  };
}
